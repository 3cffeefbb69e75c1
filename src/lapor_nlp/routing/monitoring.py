"""Live precision of automatic decisions: Wilson score bounds on ``correct`` out of ``n`` reviewed.

The service's guard (``service/app/guard.py``) counts reviewed automatic decisions per class and uses
these bounds to decide whether the class may still be routed without review.
"""

from __future__ import annotations

import math

#: two-sided 95% normal quantile (one-sided 97.5%)
Z95 = 1.959963984540054


def _check(correct: int, n: int, z: float) -> None:
    if n < 0 or correct < 0 or correct > n:
        raise ValueError(f"need 0 <= correct <= n, got correct={correct}, n={n}")
    if not z > 0:
        raise ValueError(f"z must be positive, got {z}")


def wilson_interval(correct: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval ``(lower, upper)`` for a proportion ``correct / n``; ``(0, 1)`` when n is 0."""
    _check(correct, n, z)
    if n == 0:
        return 0.0, 1.0
    p = correct / n
    z2 = z * z
    centre = p + z2 / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    denom = 1 + z2 / n
    return max(0.0, (centre - margin) / denom), min(1.0, (centre + margin) / denom)


def wilson_lower_bound(correct: int, n: int, z: float = Z95) -> float:
    """Lower Wilson bound of ``correct / n`` (0.0 without evidence); e.g. 38 of 40 at z=1.96 -> 0.835."""
    return wilson_interval(correct, n, z)[0]


def wilson_upper_bound(correct: int, n: int, z: float = Z95) -> float:
    """Upper Wilson bound of ``correct / n`` (1.0 without evidence)."""
    return wilson_interval(correct, n, z)[1]


def errors_to_pause(
    correct: int, target: float, *, z: float = Z95, min_evidence: int = 1, use_lower: bool = False
) -> int:
    """How many wrong decisions after ``correct`` right ones bring the bound below ``target``.

    With ``use_lower=False`` the upper bound is compared (precision is below ``target`` with confidence);
    with ``use_lower=True`` the lower bound (precision is not shown to reach ``target``). At least
    ``min_evidence`` decisions in total are needed. This is the worst case of a complete policy change:
    every decision after the change is wrong.
    """
    if not 0.0 < target < 1.0:
        raise ValueError(f"target must be between 0 and 1, got {target}")
    wrong = 0
    while True:
        n = correct + wrong
        lo, hi = wilson_interval(correct, n, z)
        if n >= min_evidence and (lo if use_lower else hi) < target:
            return wrong
        wrong += 1
