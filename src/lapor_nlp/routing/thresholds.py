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
) -> dict[str, float | None]:
    """Lowest score per predicted class above which held-out suggestions reach ``target_precision``.

    Precision is estimated with a Laplace correction ``(right + 1) / (n + 2)``, so a class needs a
    run of confident, correct held-out predictions (about 20 at 0.95) before anything is routed
    automatically. Classes with fewer than ``min_class_count`` training examples, and classes that never
    reach the target, get ``None``: always review.
    """
    if not 0.0 < target_precision < 1.0:
        raise ValueError(f"target_precision must be between 0 and 1, got {target_precision}")
    pred = np.asarray(list(predicted), dtype=object)
    score = np.asarray(scores, dtype=np.float64)
    ok = np.asarray(correct, dtype=bool)
    valid = ~np.isnan(score)
    out: dict[str, float | None] = {}
    for cls in sorted(set(pred[valid])):
        if class_counts is not None and class_counts.get(cls, 0) < min_class_count:
            out[cls] = None
            continue
        mask = valid & (pred == cls)
        order = np.argsort(-score[mask], kind="stable")
        s, c = score[mask][order], ok[mask][order]
        k = np.arange(1, len(s) + 1)
        precision = (np.cumsum(c) + 1) / (k + 2)
        # only cut between distinct scores: ties go together
        last_of_tie = np.r_[s[1:] != s[:-1], True]
        good = np.where((precision >= target_precision) & last_of_tie)[0]
        out[cls] = float(s[good.max()]) if len(good) else None
    return out


def decide(cls: str, score: float, thresholds: dict[str, float | None], resolved: bool = True) -> str:
    """``"auto"`` if ``score`` reaches the class threshold and the place (if any) was resolved."""
    t = thresholds.get(cls)
    return "auto" if resolved and t is not None and score >= t else "review"
