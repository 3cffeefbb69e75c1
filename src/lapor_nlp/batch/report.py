"""The insights report over a Dask DataFrame: dates parsed and periods counted on the workers.

Each partition goes through :func:`lapor_nlp.insights.prepare_complaints` (date parsing dominates on
big exports) and :func:`lapor_nlp.insights.volume.period_counts` (complaints per week and month, overall
and per category, agency and region) on a worker. The client sums the counts, merges the data-quality
notes, gathers the prepared frame (parsed dates, the report's columns only) and hands everything to the
unchanged :func:`lapor_nlp.insights.build_report`, which uses the summed counts instead of counting
again. The figures equal those of the in-process report on the same rows.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pandas as pd

from lapor_nlp.errors import DataFormatError
from lapor_nlp.insights.data import ComplaintData, prepare_complaints
from lapor_nlp.insights.volume import FREQUENCIES, period_counts

if TYPE_CHECKING:
    import dask.dataframe as dd

_COUNTED = re.compile(r"^(\d+) (.*)$", re.S)
_NO_ID = "No 'id' column: complaints are identified by their row number."

Counts = dict[tuple[str | None, str], pd.Series]


def _prepare_part(df: pd.DataFrame) -> tuple[pd.DataFrame | None, tuple[str, ...], dict[str, int], Counts]:
    """Prepare one partition; a partition without any usable date contributes only a note."""
    try:
        data = prepare_complaints(df)
    except DataFormatError:
        if "submitted_at" not in df.columns or df.empty:
            raise
        return (
            None,
            (f"{len(df)} row(s) without a usable submitted_at were left out of every figure.",),
            {},
            {},
        )
    counts = {
        (by, freq): period_counts(data.frame, by, freq)
        for freq in FREQUENCIES
        for by in (None, *data.dimensions)
    }
    return data.frame, data.notes, dict(data.unparseable_dates), counts


def merge_notes(notes: list[tuple[str, ...]]) -> tuple[str, ...]:
    """Notes of several partitions as one list: counted notes (``"12 row(s) ..."``) are summed."""
    totals: dict[str, int | None] = {}
    for part in notes:
        for note in part:
            match = _COUNTED.match(note)
            if match:
                key = match.group(2)
                totals[key] = (totals.get(key) or 0) + int(match.group(1))
            else:
                totals.setdefault(note, None)
    return tuple(note if n is None else f"{n} {note}" for note, n in totals.items())


def _sum_counts(parts: list[Counts]) -> Counts:
    keys = {k for part in parts for k in part}
    out: Counts = {}
    for key in keys:
        series = [part[key] for part in parts if key in part and len(part[key])]
        if series:
            joined = pd.concat(series)
            out[key] = joined.groupby(level=list(range(joined.index.nlevels))).sum().astype("int64")
    return out


def prepare_dask(ddf: dd.DataFrame) -> ComplaintData:
    """:func:`~lapor_nlp.insights.prepare_complaints` partition by partition, with summed period counts."""
    import dask

    numbered = "id" not in ddf.columns
    if numbered:  # row numbers over the whole table, not per partition
        ddf = ddf.assign(_one=1)
        ddf = ddf.assign(id=(ddf["_one"].cumsum() - 1).astype(str)).drop(columns=["_one"])
    parts = ddf.to_delayed()  # type: ignore[no-untyped-call]  # dask/distributed leave it unannotated
    results: list[Any] = list(dask.compute(*[dask.delayed(_prepare_part)(p) for p in parts]))  # type: ignore[no-untyped-call]  # dask/distributed leave it unannotated
    frames = [r[0] for r in results if r[0] is not None]
    if not frames:
        raise DataFormatError(
            "no complaint has a usable submitted_at date; expected values such as '2022-01-31 08:15:00'"
        )
    unparseable: dict[str, int] = {}
    for r in results:
        for column, n in r[2].items():
            unparseable[column] = unparseable.get(column, 0) + n
    notes = list(merge_notes([r[1] for r in results]))
    if numbered:  # where prepare_complaints puts it: after the notes on submitted_at
        at = sum(1 for n in notes if "submitted_at" in n)
        notes.insert(at, _NO_ID)
    frame = pd.concat(frames, ignore_index=True)
    return ComplaintData(
        frame=frame,
        notes=tuple(notes),
        unparseable_dates=unparseable,
        counts=_sum_counts([r[3] for r in results]),
    )
