"""Complaint volume per week or month, overall or by category, agency or region."""

from __future__ import annotations

import pandas as pd

from lapor_nlp.errors import InputError
from lapor_nlp.insights.data import ComplaintData

#: Accepted period frequencies: weeks start on Monday, months on the 1st.
FREQUENCIES: dict[str, str] = {"W": "W-SUN", "M": "M"}


def period_start(times: pd.Series, freq: str) -> pd.Series:
    """Map timestamps to the start of their period (``"W"``: Monday of the week, ``"M"``: the 1st)."""
    if freq not in FREQUENCIES:
        raise InputError(f"unknown period frequency {freq!r}; expected one of {sorted(FREQUENCIES)}")
    return times.dt.to_period(FREQUENCIES[freq]).dt.start_time


def period_range(data: ComplaintData, freq: str) -> pd.DatetimeIndex:
    """Every period start from the first to the last complaint, so that empty periods count as zero."""
    starts = period_start(data.frame["submitted_at"], freq)
    step = "W-MON" if freq == "W" else "MS"
    return pd.date_range(starts.min(), starts.max(), freq=step)


def period_counts(frame: pd.DataFrame, by: str | None, freq: str) -> pd.Series:
    """Complaints per period start (and value of ``by``) in ``frame``, without zero rows.

    Counts of disjoint parts of a table add up (``pd.concat(parts).groupby(level=...).sum()``), which
    is how a Dask job computes them per partition.
    """
    keys = period_start(frame["submitted_at"], freq).rename("period")
    if by is None:
        return keys.groupby(keys).size()
    return frame.groupby([keys, frame[by]]).size()


def volume(data: ComplaintData, by: str | None = None, *, freq: str = "W") -> pd.DataFrame:
    """Count complaints per period (and per value of ``by``), zero-filled.

    Returns a wide frame indexed by period start (``period``) with one column per group, largest
    groups first; with ``by=None`` a single column ``complaints``.
    """
    frame = data.frame
    periods = period_range(data, freq)
    if by is not None and by not in frame.columns:
        raise InputError(f"cannot count by {by!r}: the data has no such column; available: {data.dimensions}")
    found = data.counts.get((by, freq))
    partial = found if found is not None else period_counts(frame, by, freq)
    if by is None:
        counts = partial.reindex(periods, fill_value=0).rename("complaints").to_frame()
    else:
        counts = partial.unstack(fill_value=0).reindex(periods, fill_value=0)
        counts = counts[counts.sum().sort_values(ascending=False, kind="stable").index]
        counts.columns.name = by
    counts.index.name = "period"
    return counts.astype("int64")


def volume_long(data: ComplaintData, by: str, *, freq: str = "W") -> pd.DataFrame:
    """:func:`volume` in long form (``period``, ``by``, ``complaints``) without zero rows, for CSV export."""
    wide = volume(data, by, freq=freq)
    long = wide.stack().rename("complaints").reset_index()
    return long[long["complaints"] > 0].sort_values(["period", "complaints"], ascending=[True, False])


def totals(data: ComplaintData, by: str) -> pd.DataFrame:
    """Complaints per value of ``by`` with their share, largest first."""
    counts = data.frame[by].value_counts()
    return pd.DataFrame(
        {
            by: counts.index,
            "complaints": counts.to_numpy(),
            "share": (counts / counts.sum()).round(4).to_numpy(),
        }
    )


def partial_periods(data: ComplaintData, freq: str) -> list[pd.Timestamp]:
    """Starts of the first and last periods when the data covers only part of them.

    The first period is partial when the first complaint came after its first day, the last when the
    last complaint came before its last day: their counts are not comparable with whole periods.
    """
    submitted = data.frame["submitted_at"]
    first_day, last_day = submitted.min().normalize(), submitted.max().normalize()
    periods = period_range(data, freq)
    step = pd.DateOffset(weeks=1) if freq == "W" else pd.DateOffset(months=1)
    partial: list[pd.Timestamp] = []
    if len(periods) and first_day > periods[0]:
        partial.append(pd.Timestamp(periods[0]))
    last_whole = len(periods) and last_day >= periods[-1] + step - pd.Timedelta(days=1)
    if len(periods) and not last_whole and (not partial or periods[-1] != partial[0]):
        partial.append(pd.Timestamp(periods[-1]))
    return partial
