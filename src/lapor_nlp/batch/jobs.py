"""Whole batch jobs from paths to paths on a Dask cluster: what ``--engine dask`` runs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from lapor_nlp.batch.cluster import dask_client
from lapor_nlp.batch.duplicates import find_groups_dask
from lapor_nlp.batch.io import read_dask, write_dask
from lapor_nlp.batch.predict import predict_dask
from lapor_nlp.batch.report import prepare_dask
from lapor_nlp.errors import DataFormatError
from lapor_nlp.insights.data import ComplaintData
from lapor_nlp.tables import write_table


def predict_job(
    model_dir: str | Path,
    source: str | Path,
    output: str | Path,
    *,
    top_k: int = 3,
    text_column: str | None = None,
    scheduler: str | None = None,
    workers: int = 2,
    sheet: str | None = None,
    routing_targets: Sequence[str] | None = None,
) -> int:
    """Predict every row of ``source`` into ``output`` on a Dask cluster; return the row count.

    ``source`` is a file, a directory of parts or a glob (:func:`~lapor_nlp.batch.io.read_dask`);
    ``output`` without suffix becomes a Parquet directory with one part per input partition.
    """
    with dask_client(scheduler, workers=workers) as client:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        ddf = read_dask(source, sheet=sheet, min_partitions=2 * n_workers)
        out = predict_dask(
            ddf, model_dir, top_k=top_k, text_column=text_column, routing_targets=routing_targets
        )
        return write_dask(out, output)


def duplicates_job(
    source: str | Path,
    output: str | Path,
    *,
    id_column: str = "id",
    text_column: str = "text",
    time_column: str | None = "submitted_at",
    location_columns: Sequence[str] = ("kecamatan", "kelurahan"),
    threshold: float | None = None,
    scheduler: str | None = None,
    workers: int = 2,
    sheet: str | None = None,
) -> tuple[int, int]:
    """Duplicate groups of ``source``, region by region on a Dask cluster, written to ``output``.

    Returns ``(complaints read, rows of the groups table)``. See :mod:`lapor_nlp.batch.duplicates`
    for the region rule (complaints without a location are compared only among themselves).
    """
    with dask_client(scheduler, workers=workers) as client:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        ddf = read_dask(source, sheet=sheet, min_partitions=n_workers)
        if id_column in ddf.columns:
            ids = ddf[id_column].astype(str)
            n_rows, n_ids = ids.size, ids.nunique()
            import dask

            n_rows, n_ids = dask.compute(n_rows, n_ids)  # type: ignore[no-untyped-call]  # dask/distributed leave it unannotated
            if n_rows != n_ids:
                raise DataFormatError(
                    f"{source} repeats complaint ids ({n_rows - n_ids} repeats); ids must be unique"
                )
        else:
            n_rows = 0
        groups = find_groups_dask(
            ddf,
            id_column=id_column,
            text_column=text_column,
            time_column=time_column,
            location_columns=location_columns,
            threshold=threshold,
        )
    write_table(groups, output)
    return int(n_rows), len(groups)


def report_data_job(
    source: str | Path, *, scheduler: str | None = None, workers: int = 2, sheet: str | None = None
) -> ComplaintData:
    """The complaint data of ``source`` for :func:`~lapor_nlp.insights.build_report`, prepared on Dask.

    Dates are parsed and weekly/monthly counts computed per partition on the workers
    (:func:`~lapor_nlp.batch.report.prepare_dask`); the report itself is laid out by the caller.
    """
    with dask_client(scheduler, workers=workers) as client:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        return prepare_dask(read_dask(source, sheet=sheet, min_partitions=2 * n_workers))
