"""Recency weights and time columns: newer complaints count more when the world drifts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lapor_nlp.errors import DataFormatError
from lapor_nlp.tables import parse_timestamps

DEFAULT_TIME_COLUMN = "submitted_at"
_DAY = np.timedelta64(1, "D")


def recency_weights(
    times: np.ndarray, half_life_days: float | None, *, reference: np.datetime64 | None = None
) -> np.ndarray | None:
    """``0.5 ** (age / half_life_days)``, age in days before ``reference`` (default: the newest time),
    scaled to mean 1 so the regularisation strength keeps its meaning. ``None`` half-life: no weights.

    >>> t = np.array(["2022-01-01", "2022-01-31"], dtype="datetime64[s]")
    >>> recency_weights(t, 30.0).round(3).tolist()
    [0.667, 1.333]
    """
    if half_life_days is None:
        return None
    if half_life_days <= 0:
        raise ValueError(f"half_life_days must be positive, got {half_life_days}")
    t = np.asarray(times, dtype="datetime64[s]")
    ref = t.max() if reference is None else np.asarray(reference, dtype="datetime64[s]")
    age = np.maximum((ref - t) / _DAY, 0.0)
    w = np.power(0.5, age / half_life_days)
    return np.asarray(w / w.mean(), dtype=np.float64)


def parse_times(df: pd.DataFrame, column: str, *, required: bool) -> tuple[np.ndarray | None, int]:
    """Timestamps of ``df[column]`` as ``datetime64[s]`` (unparseable cells take the earliest time), and
    how many non-empty cells could not be read.

    The times are None when fewer than 80% of the cells parse and ``required`` is False (the caller then
    trains without time); raises :class:`DataFormatError` when ``required``.
    """
    parsed, unparsed = parse_timestamps(df[column])  # WIB unless an offset is given; day-first, Excel serials
    ok = parsed.notna()
    if not len(df) or ok.mean() < 0.8:
        if not required:
            return None, unparsed
        raise DataFormatError(
            f"time column {column!r}: only {int(ok.sum())} of {len(df)} values are dates/times "
            f"(e.g. {df[column].iloc[0]!r} in the first row); name another column or pass "
            "--time-column none"
        )
    values = parsed.dt.tz_localize(None).to_numpy(dtype="datetime64[s]")
    filled: np.ndarray = np.where(ok.to_numpy(), values, values[ok.to_numpy()].min())
    return filled, unparsed
