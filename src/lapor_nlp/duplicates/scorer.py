"""Pair features and the calibrated logistic scorer turning them into a duplicate probability.

The features are few and readable on purpose (a hidden evaluation uses later data): template-aware
text similarity, containment, shared specific content, location agreement, place-mention
agreement/conflict and time gap. The default weights and threshold live in ``default_scorer.json`` and
come from :mod:`lapor_nlp.duplicates.calibration` (cross-validated on hand-labelled pairs).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
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


def _check_names(names: Sequence[str], what: str) -> None:
    """Refuse a feature list that is not :data:`FEATURE_NAMES` in some order."""
    missing = [n for n in FEATURE_NAMES if n not in names]
    unknown = [n for n in names if n not in FEATURE_NAMES]
    if missing or unknown or len(set(names)) != len(names):
        raise ModelIntegrityError(
            f"{what} has features {list(names)}; expected each of {list(FEATURE_NAMES)} once "
            f"(missing {missing}, unknown {unknown}); re-run `python -m lapor_nlp.duplicates.calibration`"
        )


def feature_matrix(columns: Mapping[str, np.ndarray]) -> np.ndarray:
    """Stack feature columns given by name into a matrix whose columns follow :data:`FEATURE_NAMES`."""
    _check_names(list(columns), "the pair feature table")
    return np.column_stack([np.asarray(columns[name], dtype=float) for name in FEATURE_NAMES])


def gap_feature(days: np.ndarray) -> np.ndarray:
    """``log1p(min(days, GAP_CAP_DAYS))``; NaN (unknown) becomes the value for ``UNKNOWN_GAP_DAYS``."""
    d = np.where(np.isnan(days), UNKNOWN_GAP_DAYS, np.clip(days, 0.0, GAP_CAP_DAYS))
    return np.log1p(d)


@dataclass(frozen=True)
class FeatureWeight:
    """Standardisation and logistic weight of one pair feature."""

    mean: float
    scale: float
    coef: float


@dataclass(frozen=True)
class Scorer:
    """Standardised logistic model over :data:`FEATURE_NAMES` plus its calibrated threshold.

    ``mean``, ``scale`` and ``coef`` follow :data:`FEATURE_NAMES`; :attr:`weights` gives them by name,
    and :meth:`from_dict` matches stored features by name.
    """

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

    @property
    def weights(self) -> dict[str, FeatureWeight]:
        """Standardisation and weight of each feature, by name."""
        return {
            name: FeatureWeight(m, s, c)
            for name, m, s, c in zip(FEATURE_NAMES, self.mean, self.scale, self.coef, strict=True)
        }

    def predict_proba(self, X: np.ndarray | Mapping[str, np.ndarray]) -> np.ndarray:
        """Duplicate probability for each pair: ``X`` is a matrix whose columns follow
        :data:`FEATURE_NAMES`, or feature columns by name (see :func:`feature_matrix`)."""
        if isinstance(X, Mapping):
            X = feature_matrix(X)
        z = (np.asarray(X, dtype=float) - np.asarray(self.mean)) / np.asarray(self.scale)
        logit = z @ np.asarray(self.coef) + self.intercept
        probability: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(logit, -35, 35)))
        return probability

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
        """Scorer from :meth:`to_dict` output; features are matched by name, in any stored order."""
        try:
            names = [str(n) for n in data["features"]]
            _check_names(names, "the duplicate scorer")
            per_name = {
                name: (float(m), float(s), float(c))
                for name, m, s, c in zip(names, data["mean"], data["scale"], data["coef"], strict=True)
            }
            return cls(
                mean=tuple(per_name[n][0] for n in FEATURE_NAMES),
                scale=tuple(per_name[n][1] for n in FEATURE_NAMES),
                coef=tuple(per_name[n][2] for n in FEATURE_NAMES),
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
