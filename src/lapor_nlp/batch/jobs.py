"""Whole batch jobs from paths to paths on a Dask cluster: what ``--engine dask`` runs."""

from __future__ import annotations

from pathlib import Path

from lapor_nlp.batch.cluster import dask_client
from lapor_nlp.batch.io import read_dask, write_dask
from lapor_nlp.batch.predict import predict_dask


def predict_job(
    model_dir: str | Path,
    source: str | Path,
    output: str | Path,
    *,
    top_k: int = 3,
    text_column: str | None = None,
    scheduler: str | None = None,
    workers: int = 2,
) -> int:
    """Predict every row of ``source`` into ``output`` on a Dask cluster; return the row count.

    ``source`` is a file, a directory of parts or a glob (:func:`~lapor_nlp.batch.io.read_dask`);
    ``output`` without suffix becomes a Parquet directory with one part per input partition.
    """
    with dask_client(scheduler, workers=workers) as client:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        ddf = read_dask(source, min_partitions=2 * n_workers)
        out = predict_dask(ddf, model_dir, top_k=top_k, text_column=text_column)
        return write_dask(out, output)
