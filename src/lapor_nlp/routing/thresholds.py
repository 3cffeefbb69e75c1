"""Per-class review thresholds chosen on held-out predictions to reach a target precision."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def choose_thresholds(
    predicted: Sequence[str],
    scores: Sequence[float],
    correct: Sequence[bool],
    *,
    target_precision: float = 0.95,
    class_counts: dict[str, int] | None = None,
    min_class_count: int = 10,
    drift_margin: float = 0.3,
    periods: int = 2,
) -> dict[str, float | None]:
    """Lowest score per predicted class above which held-out suggestions reach ``target_precision``.

    Precision is estimated with a Laplace correction ``(right + 1) / (n + 2)``, so a class needs a
    run of confident, correct held-out predictions (about 20 at 0.95) before anything is routed
    automatically. Later data drifts (new topics, changed dispositions), so a share ``drift_margin``
    of the allowed error is held in reserve (0.95 -> 0.965 on held-out folds), and no class threshold
    is lower than the one all classes pooled would need. Classes with fewer than ``min_class_count``
    training examples, and classes that never reach the target, get ``None``: always review.

    A threshold must also hold over time: the held-out predictions, given in time order, are cut into
    ``periods`` consecutive parts; a class must reach the target in the latest part, and its threshold
    is the highest that the pooled predictions or any part needs. The parts check consistency, not
    evidence (the pooled predictions already need the run of confident, correct ones), so their
    precision is the plain share right: with the Laplace correction in every part as well, a class
    needed that run twice over, and small training sets got no ``auto`` class at all (topic trained on
    Sep-Nov 2022: none, 3 classes with 7.3% of December at 0.982 without it). On the Surabaya export,
    thresholds from pooled folds alone let a class whose dispositions changed in a later month
    auto-route at 0.78 precision; see ``benchmarks/bench_routing.py``.
    """
    if not 0.0 < target_precision < 1.0:
        raise ValueError(f"target_precision must be between 0 and 1, got {target_precision}")
    if not 0.0 <= drift_margin < 1.0:
        raise ValueError(f"drift_margin must be in [0, 1), got {drift_margin}")
    if not isinstance(periods, int) or periods < 1:
        raise ValueError(f"periods must be a positive integer, got {periods!r}")
    target_precision = target_precision + (1.0 - target_precision) * drift_margin
    pred = np.asarray(list(predicted), dtype=object)
    score = np.asarray(scores, dtype=np.float64)
    ok = np.asarray(correct, dtype=bool)
    valid = np.flatnonzero(~np.isnan(score))
    periods_rows = [valid, *(p for p in np.array_split(valid, periods) if len(p) and periods > 1)]
    laplace = [True] + [False] * (len(periods_rows) - 1)  # pooled: evidence; parts: consistency
    floors = [
        _lowest_score(score[rows], ok[rows], target_precision, lp)
        for rows, lp in zip(periods_rows, laplace, strict=True)
    ]
    out: dict[str, float | None] = {}
    for cls in sorted(set(pred[valid])):
        if class_counts is not None and class_counts.get(cls, 0) < min_class_count:
            out[cls] = None
            continue
        needed = []  # per period: the class threshold, never below what all classes pooled need
        for rows, floor, lp in zip(periods_rows, floors, laplace, strict=True):
            mine = rows[pred[rows] == cls]
            t = _lowest_score(score[mine], ok[mine], target_precision, lp)
            needed.append(None if t is None or floor is None else max(t, floor))
        # pooled and latest period must reach the target; an earlier period may lack the class
        reached = [t for t in needed if t is not None]
        out[cls] = max(reached) if needed[0] is not None and needed[-1] is not None else None
    return out


def _lowest_score(
    score: np.ndarray, ok: np.ndarray, target_precision: float, laplace: bool = True
) -> float | None:
    order = np.argsort(-score, kind="stable")
    s, c = score[order], ok[order]
    k = np.arange(1, len(s) + 1)
    precision = (np.cumsum(c) + 1) / (k + 2) if laplace else np.cumsum(c) / k
    # only cut between distinct scores: ties go together
    last_of_tie = np.r_[s[1:] != s[:-1], True]
    good = np.flatnonzero((precision >= target_precision) & last_of_tie)
    return float(s[good.max()]) if len(good) else None


def decide(cls: str, score: float, thresholds: dict[str, float | None], resolved: bool = True) -> str:
    """``"auto"`` if ``score`` reaches the class threshold and the place (if any) was resolved."""
    t = thresholds.get(cls)
    return "auto" if resolved and t is not None and score >= t else "review"
