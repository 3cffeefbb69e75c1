"""Wilson bounds against values worked out by hand from the formula."""

from __future__ import annotations

import pytest

from lapor_nlp.routing.monitoring import (
    errors_to_pause,
    wilson_interval,
    wilson_lower_bound,
    wilson_upper_bound,
)

# (correct, n, z, lower, upper), computed by hand:
#   centre = p + z^2/2n, margin = z*sqrt(p(1-p)/n + z^2/4n^2), bounds = (centre -/+ margin)/(1 + z^2/n)
CASES = [
    (5, 10, 1.0, 0.349245, 0.650755),  # (0.55 -/+ 0.165831) / 1.1
    (10, 10, 1.96, 0.722460, 1.0),  # p = 1: lower = n / (n + z^2) = 10 / 13.8416
    (0, 10, 1.96, 0.0, 0.277540),  # p = 0: upper = z^2 / (n + z^2)
    (38, 40, 1.96, 0.834958, 0.986180),  # the example in issue 10: (0.99802 -/+ 0.082872) / 1.09604
]


@pytest.mark.parametrize(("correct", "n", "z", "lower", "upper"), CASES)
def test_wilson_interval_matches_hand_values(
    correct: int, n: int, z: float, lower: float, upper: float
) -> None:
    lo, hi = wilson_interval(correct, n, z)
    assert lo == pytest.approx(lower, abs=2e-6)
    assert hi == pytest.approx(upper, abs=2e-6)
    assert wilson_lower_bound(correct, n, z) == lo
    assert wilson_upper_bound(correct, n, z) == hi


def test_wilson_interval_without_evidence_is_uninformative() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)


@pytest.mark.parametrize(("correct", "n", "z"), [(3, 2, 1.96), (-1, 2, 1.96), (1, 2, 0.0)])
def test_wilson_interval_rejects_impossible_counts(correct: int, n: int, z: float) -> None:
    with pytest.raises(ValueError, match="correct|z must"):
        wilson_interval(correct, n, z)


def test_errors_to_pause_counts_wrong_decisions() -> None:
    # no earlier evidence: a single wrong decision has upper bound z^2/(1+z^2) = 0.793 < 0.95
    assert errors_to_pause(0, 0.95, z=1.96) == 1
    assert errors_to_pause(0, 0.95, z=1.96, min_evidence=5) == 5
    # 20 right, then k wrong: upper bound of 20/(20+k) drops below 0.95 at k = 4 (0.9546 at k = 3)
    assert wilson_upper_bound(20, 23, 1.96) > 0.95 > wilson_upper_bound(20, 24, 1.96)
    assert errors_to_pause(20, 0.95, z=1.96) == 4
    # the lower bound is below 0.95 even for 40 right out of 40 (40 / 43.84)
    assert errors_to_pause(40, 0.95, z=1.96, use_lower=True) == 0
