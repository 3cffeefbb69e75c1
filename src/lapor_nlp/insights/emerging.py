"""Emerging-issue detection: a category or place whose volume jumps well above its own recent history.

For every group (e.g. each category) and period, the count is compared with the same group's
trailing baseline of the ``window`` previous periods (zeros included). A period is flagged when all of
these hold:

* the count is at least ``min_count`` (a jump from 0 to 2 is not an issue);
* the robust z-score ``(count - median) / scale`` is at least ``z_threshold``, where
  ``scale = max(1.4826 * MAD, sqrt(max(mean, 1)))`` (MAD of the baseline, floored by the Poisson
  spread so that a flat baseline does not make every small bump infinite);
* the Poisson tail probability ``P(X >= count | lambda = max(mean, 0.5))`` is at most ``alpha``;
* at least ``min_history`` baseline periods exist, and the group is not the empty label ``(none)``.

The thresholds default per level (:data:`LEVEL_THRESHOLDS`): a kelurahan's weekly count is small
(baseline mostly 0-1), so a few complaints more than usual already look like a jump, and kelurahan
need more evidence than kecamatan, categories or agencies. At most ``max_per_period`` alerts per
level and period are kept (the strongest). Chosen on the Surabaya 2022 export, January to November
only (December held out): the defaults give 31 alerts in those 48 weeks instead of 94 (see
benchmarks/README.md, "Emerging-issue alerts"), while a planted outbreak of 12 complaints in one
week is still found at every level.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import poisson

from lapor_nlp.errors import InputError
from lapor_nlp.insights.data import MISSING_LABEL, ComplaintData
from lapor_nlp.insights.volume import period_start, volume

EMERGING_COLUMNS: tuple[str, ...] = (
    "dimension",
    "group",
    "period",
    "complaints",
    "baseline_median",
    "baseline_mean",
    "ratio",
    "robust_z",
    "p_value",
    "focus",
    "example_ids",
    "examples",
)


@dataclass(frozen=True, slots=True)
class AlertThresholds:
    """How much evidence one level needs before a period is flagged (see the module docstring)."""

    min_count: int
    z_threshold: float
    alpha: float


#: Default thresholds per grouping column; any other column uses ``"category"``'s.
LEVEL_THRESHOLDS: dict[str, AlertThresholds] = {
    "category": AlertThresholds(min_count=8, z_threshold=5.0, alpha=1e-5),
    "agency": AlertThresholds(min_count=8, z_threshold=5.0, alpha=1e-5),
    "kecamatan": AlertThresholds(min_count=10, z_threshold=5.0, alpha=1e-5),
    "kelurahan": AlertThresholds(min_count=10, z_threshold=8.0, alpha=1e-7),
}

#: For an alert on the key column, the column whose most common value is named as its ``focus``.
_FOCUS_OF: dict[str, str] = {
    "category": "kecamatan",
    "agency": "kecamatan",
    "kecamatan": "category",
    "kelurahan": "category",
}


def get_thresholds(by: str) -> AlertThresholds:
    """The default :class:`AlertThresholds` of grouping column ``by``."""
    return LEVEL_THRESHOLDS.get(by, LEVEL_THRESHOLDS["category"])


def _focus(members: pd.DataFrame, column: str | None, share: float = 0.5) -> str:
    """The value of ``column`` that at least ``share`` of the alert's complaints have, else ``""``."""
    if column is None or column not in members.columns or members.empty:
        return ""
    counts = members[column].astype(str).value_counts()
    top = str(counts.index[0])
    if top == MISSING_LABEL or counts.iloc[0] < share * len(members):
        return ""
    return top


def _examples(
    ids: Sequence[str], texts: Sequence[str], limit: int, width: int
) -> tuple[list[str], list[str]]:
    """Up to ``limit`` (id, redacted excerpt) pairs, skipping texts that start like an earlier one."""
    from lapor_nlp.text import redact

    out: list[str] = []
    out_ids: list[str] = []
    seen: set[str] = set()
    for id_, text in zip(ids, texts, strict=True):
        if len(out) >= limit:
            break
        one = " ".join(str(text).replace("\\n", " ").split())
        key = one.lower()[:60]
        if not one or key in seen:  # the same template repeated says nothing new
            continue
        seen.add(key)
        one = redact(one[: width * 2])
        out.append(one if len(one) <= width else one[: width - 1].rstrip() + "…")
        out_ids.append(id_)
    return out_ids, out


def detect_emerging(
    data: ComplaintData,
    by: str = "category",
    *,
    freq: str = "W",
    window: int = 8,
    min_history: int = 4,
    min_count: int | None = None,
    z_threshold: float | None = None,
    alpha: float | None = None,
    max_per_period: int | None = 2,
    examples: int = 3,
    example_width: int = 160,
) -> pd.DataFrame:
    """Return the (group, period) pairs whose volume jumps above the group's trailing baseline.

    Parameters
    ----------
    data : ComplaintData
        The export, from :func:`lapor_nlp.insights.load_complaints` or ``prepare_complaints``.
    by : str
        Grouping column: ``"category"``, ``"agency"``, ``"kecamatan"`` or ``"kelurahan"``.
    freq : {"W", "M"}
        Weekly or monthly periods.
    window, min_history, min_count, z_threshold, alpha
        Baseline length, minimum baseline length, and the flagging rules (see the module docstring);
        ``None`` takes the level's default from :data:`LEVEL_THRESHOLDS`.
    max_per_period : int or None
        Keep only the strongest (highest robust z) alerts of each period; ``None`` keeps all.
    examples, example_width
        How many example complaints to list per alert (redacted, cut to ``example_width`` characters,
        near-identical texts listed once).

    Returns
    -------
    DataFrame
        Columns :data:`EMERGING_COLUMNS`, most recent period first, then strongest first.
        ``examples`` is a list of redacted texts (empty without a ``text`` column); ``focus`` is the
        kecamatan (for a category or agency alert) or category (for a place alert) shared by at least
        half of the alert's complaints, else ``""``.
    """
    level = get_thresholds(by)
    min_count = level.min_count if min_count is None else min_count
    z_threshold = level.z_threshold if z_threshold is None else z_threshold
    alpha = level.alpha if alpha is None else alpha
    if max_per_period is not None and max_per_period < 1:
        raise InputError(f"max_per_period must be >= 1 or None, got {max_per_period}")
    if window < 1 or min_history < 1 or min_history > window:
        raise InputError(f"need 1 <= min_history <= window, got min_history={min_history}, window={window}")
    if min_count < 1:
        raise InputError(f"min_count must be >= 1, got {min_count}")
    counts = volume(data, by, freq=freq)
    matrix = counts.to_numpy(dtype=float).T  # groups x periods
    n_groups, n_periods = matrix.shape
    rows: list[dict[str, object]] = []
    if n_periods > min_history:
        padded = np.concatenate([np.full((n_groups, window), np.nan), matrix], axis=1)
        windows = np.lib.stride_tricks.sliding_window_view(padded, window, axis=1)[:, :n_periods, :]
        history = np.sum(~np.isnan(windows), axis=2)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            med = np.nanmedian(windows, axis=2)
            mean = np.nanmean(windows, axis=2)
            mad = np.nanmedian(np.abs(windows - med[..., None]), axis=2) * 1.4826
        ok = (history >= min_history) & (counts.columns.to_numpy() != MISSING_LABEL)[:, None]
        scale = np.maximum(mad, np.sqrt(np.maximum(np.nan_to_num(mean), 1.0)))
        z = (matrix - np.nan_to_num(med)) / scale
        lam = np.maximum(np.nan_to_num(mean), 0.5)
        p = poisson.sf(matrix - 1, lam)
        flagged = ok & (matrix >= min_count) & (z >= z_threshold) & (p <= alpha)
        if max_per_period is not None:  # keep the strongest few of each period
            rank = np.argsort(np.argsort(-np.where(flagged, z, -np.inf), axis=0, kind="stable"), axis=0)
            flagged &= rank < max_per_period
        frame = data.frame
        positions: dict[tuple[object, pd.Timestamp], np.ndarray] = {}
        if flagged.any():  # one pass: rows of every (group, period), in submission order
            ordered = frame.sort_values("submitted_at", kind="stable")
            keys = period_start(ordered["submitted_at"], freq)
            positions = ordered.groupby([ordered[by], keys], sort=False).indices
        for g, t in zip(*np.nonzero(flagged), strict=True):
            group, period = counts.columns[g], counts.index[t]
            ids: list[str] = []
            texts: list[str] = []
            focus = ""
            if positions:
                members = ordered.iloc[positions.get((group, period), [])]
                focus = _focus(members, _FOCUS_OF.get(by))
                ids = members["id"].astype(str).head(examples).tolist()
                if "text" in members.columns:
                    ids, texts = _examples(
                        members["id"].astype(str).tolist(),
                        members["text"].fillna("").astype(str).tolist(),
                        examples,
                        example_width,
                    )
            rows.append(
                {
                    "dimension": by,
                    "group": group,
                    "period": period,
                    "complaints": int(matrix[g, t]),
                    "baseline_median": float(med[g, t]),
                    "baseline_mean": round(float(mean[g, t]), 3),
                    "ratio": round(float(matrix[g, t] / max(mean[g, t], 0.5)), 2),
                    "robust_z": round(float(z[g, t]), 2),
                    "p_value": float(p[g, t]),
                    "focus": focus,
                    "example_ids": ids,
                    "examples": texts,
                }
            )
    result = pd.DataFrame(rows, columns=list(EMERGING_COLUMNS))
    if not result.empty:
        result = result.sort_values(["period", "robust_z"], ascending=[False, False], kind="stable")
    return result.reset_index(drop=True)
