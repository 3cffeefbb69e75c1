"""Pair features and the calibrated logistic scorer turning them into a duplicate probability.

The features are few and readable on purpose (a hidden evaluation uses later data): template-aware
text similarity, containment, shared specific content, location agreement, place-mention
agreement/conflict and time gap. The default weights and threshold live in ``default_scorer.json`` and
come from :mod:`lapor_nlp.duplicates.calibration` (cross-validated on hand-labelled pairs).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from lapor_nlp.errors import ModelIntegrityError

FEATURE_NAMES: tuple[str, ...] = (
    "similarity",  # template-aware (corpus IDF) cosine of the word sets
    "containment",  # shared IDF mass / IDF mass of the shorter text
    "same_kelurahan",  # 1 same, 0 unknown, -1 different
    "same_kecamatan",  # 1 same, 0 unknown, -1 different
    "shared_places",  # number of place mentions in both texts (capped at 3)
    "place_conflicts",  # number of place kinds among gang, RT, RW, titik (named point) that disagree
    "log_gap_days",  # log1p(days between submissions), capped at one year; neutral when unknown
    "shared_content",  # log1p(summed idf of the shared words): specific shared text vs a generic phrase
)
GAP_CAP_DAYS = 365.0
UNKNOWN_GAP_DAYS = 14.0


def gap_feature(days: np.ndarray) -> np.ndarray:
    """``log1p(min(days, GAP_CAP_DAYS))``; NaN (unknown) becomes the value for ``UNKNOWN_GAP_DAYS``."""
    d = np.where(np.isnan(days), UNKNOWN_GAP_DAYS, np.clip(days, 0.0, GAP_CAP_DAYS))
    return np.log1p(d)


@dataclass(frozen=True)
class Scorer:
    """Standardised logistic model over :data:`FEATURE_NAMES` plus its calibrated threshold."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float
    report: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        n = len(FEATURE_NAMES)
        if not (len(self.mean) == len(self.scale) == len(self.coef) == n):
            raise ModelIntegrityError(
                f"duplicate scorer has {len(self.coef)} weights, expected {n} for features {FEATURE_NAMES}"
            )
        values = (*self.mean, *self.scale, *self.coef, self.intercept, self.threshold)
        if not all(math.isfinite(v) for v in values) or any(s <= 0 for s in self.scale):
            raise ModelIntegrityError("duplicate scorer holds non-finite weights or non-positive scales")
        if not 0.0 < self.threshold < 1.0:
            raise ModelIntegrityError(f"duplicate threshold must be in (0, 1), got {self.threshold}")

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Duplicate probability for each row of the feature matrix ``X``."""
        z = (np.asarray(X, dtype=float) - np.asarray(self.mean)) / np.asarray(self.scale)
        logit = z @ np.asarray(self.coef) + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(logit, -35, 35)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": list(FEATURE_NAMES),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "coef": list(self.coef),
            "intercept": self.intercept,
            "threshold": self.threshold,
            "report": self.report,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scorer:
        try:
            if tuple(data["features"]) != FEATURE_NAMES:
                raise ModelIntegrityError(
                    f"duplicate scorer was made for features {data['features']}, this version uses "
                    f"{list(FEATURE_NAMES)}; re-run `python -m lapor_nlp.duplicates.calibration`"
                )
            return cls(
                mean=tuple(float(v) for v in data["mean"]),
                scale=tuple(float(v) for v in data["scale"]),
                coef=tuple(float(v) for v in data["coef"]),
                intercept=float(data["intercept"]),
                threshold=float(data["threshold"]),
                report=dict(data.get("report", {})),
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, ModelIntegrityError):
                raise
            raise ModelIntegrityError(f"duplicate scorer data is malformed: {exc!r}") from exc

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")


_DEFAULT: Scorer | None = None


def default_scorer() -> Scorer:
    """The scorer calibrated on the Surabaya dev pairs and shipped with the package."""
    global _DEFAULT
    if _DEFAULT is None:
        text = resources.files("lapor_nlp.duplicates").joinpath("default_scorer.json").read_text("utf-8")
        _DEFAULT = Scorer.from_dict(json.loads(text))
    return _DEFAULT
