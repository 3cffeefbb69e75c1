"""Training settings of a router: documented keys, read from a mapping or a JSON/TOML file.

A key holding a list is a grid: the value is chosen by validation on the training data
(see :mod:`lapor_nlp.routing.selection`); a single value fixes it. Example ``train.toml``::

    C = [0.1, 0.3, 1.0]           # grid, chosen by validation
    class_weight = "balanced"     # fixed
    half_life_days = ["none", 90] # grid; ignored without a time column
    target_precision = 0.95
"""

from __future__ import annotations

import json
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from lapor_nlp.errors import DataFormatError, InputError

SELECTION_METRICS = ("accuracy", "macro_f1", "mean")
_NONE = ("none", "null", "")


@dataclass(frozen=True)
class TrainingConfig:
    """Settings of :meth:`Router.train`; tuples are grids chosen by validation.

    Keys (the same in ``--config FILE`` and ``Router.train(config=...)``):

    C : inverse regularisation strength(s) of the linear SVM.
    class_weight : ``"none"`` and/or ``"balanced"`` (each class weighted ``n / (k * n_class)``).
    half_life_days : recency weighting, a row ``d`` days older than the newest weighs ``0.5 ** (d / h)``;
        ``"none"`` = no weighting. Used only with a time column.
    folds : contiguous (time-ordered) folds of the training data.
    selection_folds : latest folds (forward-chained; stratified folds without a time column) on which
        each grid point is scored.
    calibration_folds : latest forward-chained folds whose held-out scores fit the temperature and the
        ``auto`` thresholds.
    selection_metric : ``"accuracy"`` (top-1), ``"macro_f1"`` or ``"mean"`` (their average, default).
    coverage_floor : a grid point with a better score is still not chosen if its coverage at the target
        precision on the selection folds is below this share of the current choice's (0 disables).
    target_precision, drift_margin, threshold_periods : ``auto`` thresholds, see
        :func:`lapor_nlp.routing.thresholds.choose_thresholds`.
    min_label_count, min_auto_count : rarer labels are left out / always reviewed.
    n_jobs : threads fitting the one-vs-rest problems (liblinear releases the GIL); ``"none"`` (default)
        = the machine's cores, at most 4. Results equal those of ``n_jobs = 1`` up to the solver's tolerance.
    """

    C: tuple[float, ...] = (0.1, 0.3, 1.0)
    class_weight: tuple[str | None, ...] = (None, "balanced")
    half_life_days: tuple[float | None, ...] = (None, 60.0, 180.0)
    folds: int = 5
    selection_folds: int = 2
    calibration_folds: int = 4
    selection_metric: str = "mean"
    coverage_floor: float = 0.5
    target_precision: float = 0.95
    drift_margin: float = 0.3
    threshold_periods: int = 2
    min_label_count: int = 2
    min_auto_count: int = 10
    n_jobs: int | None = None

    def __post_init__(self) -> None:
        _check(all(c > 0 and math.isfinite(c) for c in self.C) and self.C, "C", "positive numbers", self.C)
        _check(
            all(w in (None, "balanced") for w in self.class_weight) and self.class_weight,
            "class_weight",
            '"none" or "balanced"',
            self.class_weight,
        )
        _check(
            all(h is None or h > 0 for h in self.half_life_days) and self.half_life_days,
            "half_life_days",
            'positive numbers of days or "none"',
            self.half_life_days,
        )
        _check(self.folds >= 2, "folds", "an integer >= 2", self.folds)
        _check(
            1 <= self.selection_folds < self.folds,
            "selection_folds",
            f"1 .. {self.folds - 1}",
            self.selection_folds,
        )
        _check(
            1 <= self.calibration_folds < self.folds,
            "calibration_folds",
            f"1 .. {self.folds - 1}",
            self.calibration_folds,
        )
        _check(
            self.selection_metric in SELECTION_METRICS,
            "selection_metric",
            SELECTION_METRICS,
            self.selection_metric,
        )
        _check(0.0 <= self.coverage_floor <= 1.0, "coverage_floor", "a number in [0, 1]", self.coverage_floor)
        _check(
            0.0 < self.target_precision < 1.0, "target_precision", "a number in (0, 1)", self.target_precision
        )
        _check(0.0 <= self.drift_margin < 1.0, "drift_margin", "a number in [0, 1)", self.drift_margin)
        _check(self.threshold_periods >= 1, "threshold_periods", "an integer >= 1", self.threshold_periods)
        _check(self.min_label_count >= 1, "min_label_count", "an integer >= 1", self.min_label_count)
        _check(self.min_auto_count >= 0, "min_auto_count", "an integer >= 0", self.min_auto_count)
        _check(self.n_jobs is None or self.n_jobs >= 1, "n_jobs", 'an integer >= 1 or "none"', self.n_jobs)

    @property
    def threads(self) -> int:
        """``n_jobs``, or the machine's cores (at most 4) when it is None."""
        return self.n_jobs if self.n_jobs is not None else max(1, min(os.cpu_count() or 1, 4))

    @classmethod
    def keys(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], base: TrainingConfig | None = None) -> TrainingConfig:
        """``base`` (defaults) with the keys of ``values``; unknown keys and bad values raise InputError."""
        unknown = sorted(set(values) - set(cls.keys()))
        if unknown:
            raise InputError(f"unknown training setting(s) {unknown}; valid keys are {cls.keys()}")
        parsed: dict[str, Any] = {}
        for key, value in values.items():
            try:
                parsed[key] = _PARSERS[key](value)
            except (TypeError, ValueError) as exc:
                raise InputError(f"training setting {key!r}: cannot use {value!r} ({exc})") from None
        return replace(base or cls(), **parsed)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (grids as lists, None as ``"none"``); :meth:`from_mapping` reads it back."""
        out = asdict(self)
        for key in ("C", "class_weight", "half_life_days"):
            out[key] = ["none" if v is None else v for v in out[key]]
        return out


def _check(ok: object, key: str, expected: object, got: object) -> None:
    if not ok:
        raise InputError(f"training setting {key!r} must be {expected}, got {got!r}")


def _grid(item: Any) -> Any:
    def parse(value: Any) -> tuple[Any, ...]:
        values = value if isinstance(value, list | tuple) else [value]
        return tuple(item(v) for v in values)

    return parse


def _none_or(convert: Any) -> Any:
    def parse(value: Any) -> Any:
        if value is None or (isinstance(value, str) and value.strip().lower() in _NONE):
            return None
        return convert(value)

    return parse


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise TypeError("expected a number, got a boolean")
    return float(value)


def _integer(value: Any) -> int:
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise TypeError(f"expected an integer, got {value!r}")
    return int(value)


def _weighting(value: Any) -> str:
    text = str(value).strip().lower()
    if text != "balanced":
        raise ValueError('expected "none" or "balanced"')
    return text


_PARSERS: dict[str, Any] = {
    "C": _grid(_number),
    "class_weight": _grid(_none_or(_weighting)),
    "half_life_days": _grid(_none_or(_number)),
    "folds": _integer,
    "selection_folds": _integer,
    "calibration_folds": _integer,
    "selection_metric": str,
    "coverage_floor": _number,
    "target_precision": _number,
    "drift_margin": _number,
    "threshold_periods": _integer,
    "min_label_count": _integer,
    "min_auto_count": _integer,
    "n_jobs": _none_or(_integer),
}


def load_config(path: str | Path) -> TrainingConfig:
    """Read a ``.json`` or ``.toml`` file of training settings (keys of :class:`TrainingConfig`)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(
            f"config file {str(path)!r} not found; give a .json or .toml file of training settings"
        )
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() == ".toml":
            values = tomllib.loads(text)
        elif path.suffix.lower() == ".json":
            values = json.loads(text)
        else:
            raise InputError(
                f"config file {path.name!r}: expected a .json or .toml file, got {path.suffix!r}"
            )
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DataFormatError(
            f"config file {path.name!r} is not valid {path.suffix[1:].upper()}: {exc}"
        ) from None
    if not isinstance(values, dict):
        raise DataFormatError(
            f"config file {path.name!r} must hold a table of settings, got {type(values).__name__}"
        )
    return TrainingConfig.from_mapping(values)


def as_config(config: TrainingConfig | Mapping[str, Any] | str | Path | None) -> TrainingConfig:
    """A :class:`TrainingConfig` from an instance, a mapping of keys, a file path, or None (defaults)."""
    if config is None:
        return TrainingConfig()
    if isinstance(config, TrainingConfig):
        return config
    if isinstance(config, str | Path):
        return load_config(config)
    if isinstance(config, Mapping):
        return TrainingConfig.from_mapping(config)
    raise InputError(
        f"config must be a TrainingConfig, a mapping or a file path, got {type(config).__name__}"
    )
