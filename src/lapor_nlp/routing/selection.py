"""Choose class weighting, regularisation and recency half-life by validation on the training data.

Each grid point is scored on the latest ``selection_folds`` forward-chained folds when the data has a
time column (trained on the folds before, as the model meets later data), else on stratified folds.
The search is coordinate-wise, from the library defaults: class weighting, then C, then half-life,
each step keeping the best so far (1 + sum of (grid size - 1) points instead of the product).
Ties (within 0.001) keep the earlier point, i.e. the simpler/default setting.

A better score does not win on its own if it gives away what makes the router useful: each point's
*coverage* (share of the selection folds' most confident suggestions that reach ``target_precision``,
scores calibrated per fold) is kept too, and a point whose coverage is below ``coverage_floor`` times
the best-so-far's is not chosen. (On the 2022 Surabaya export, ``balanced`` won the score for ``topic``
by 0.01 but cut the coverage at 0.95 precision from 0.23 to 0.06: no topic class could be ``auto``.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import softmax
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from lapor_nlp.routing.classifier import CalibratedLinearClassifier, contiguous_folds, fit_temperature
from lapor_nlp.routing.config import TrainingConfig
from lapor_nlp.routing.metrics import coverage_at_precision
from lapor_nlp.routing.recency import recency_weights

_TIE = 0.001


@dataclass(frozen=True)
class Setting:
    """One grid point."""

    C: float
    class_weight: str | None
    half_life_days: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "C": self.C,
            "class_weight": self.class_weight or "none",
            "half_life_days": self.half_life_days or "none",
        }


@dataclass
class Selection:
    """The chosen setting, the score of every point tried, and the fold scores worth reusing."""

    setting: Setting
    metric: str
    scores: list[dict[str, Any]]
    fold_scores: dict[int, tuple[np.ndarray, np.ndarray]]  # forward folds of the chosen setting

    def to_dict(self) -> dict[str, Any]:
        return {"chosen": self.setting.to_dict(), "metric": self.metric, "tried": self.scores}


def _score(metric: str, y_true: np.ndarray, y_pred: np.ndarray) -> float:
    acc = float((y_true == y_pred).mean())
    if metric == "accuracy":
        return acc
    f1 = float(f1_score(y_true, y_pred, labels=np.unique(y_true), average="macro", zero_division=0))
    return f1 if metric == "macro_f1" else (acc + f1) / 2


def fold_confidence(
    present: np.ndarray, scores: np.ndarray, y_true: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(calibrated top probability, top suggestion right) of one fold's decision values.

    The temperature is fitted on the fold's rows whose class the fold's model knows (the others count
    as wrong); with none, the raw softmax is used."""
    column = {int(c): j for j, c in enumerate(present)}
    known = np.asarray([int(t) in column for t in y_true])
    temperature = 1.0
    if known.any():
        temperature = fit_temperature(scores[known], np.asarray([column[int(t)] for t in y_true[known]]))
    top = softmax(scores / temperature, axis=1).max(axis=1)
    return top, present[np.argmax(scores, axis=1)] == y_true


def fold_weights(
    times: np.ndarray | None, half_life: float | None
) -> Callable[[np.ndarray], np.ndarray | None]:
    """``rows -> recency weights of those rows`` relative to their newest row (None: unweighted)."""

    def weights(rows: np.ndarray) -> np.ndarray | None:
        return None if times is None else recency_weights(times[rows], half_life)

    return weights


def select_setting(
    X: sp.csr_matrix,
    y_index: np.ndarray,
    config: TrainingConfig,
    *,
    times: np.ndarray | None,
    progress: Any = None,
) -> Selection:
    """Best :class:`Setting` of ``config``'s grids for rows ``X``/``y_index`` (in time order if ``times``)."""
    n = len(y_index)
    half_lives = config.half_life_days if times is not None else (None,)
    if times is not None:
        folds = contiguous_folds(n, config.folds)
        chosen = list(range(len(folds)))[-config.selection_folds :]
        splits = [(k, np.concatenate(folds[:k]), folds[k]) for k in chosen if k > 0]
    else:
        counts = np.bincount(y_index)
        n_splits = max(2, min(config.folds, n // 2))
        skf = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=0)
        stratify = np.where(counts[y_index] >= n_splits, y_index, -1)  # rare classes pooled for splitting
        splits = [(-1 - k, tr, te) for k, (tr, te) in enumerate(skf.split(np.zeros(n), stratify))]
        splits = splits[: config.selection_folds]
    cache: dict[Setting, tuple[float, float, dict[int, tuple[np.ndarray, np.ndarray]]]] = {}
    tried: list[dict[str, Any]] = []

    def evaluate(s: Setting) -> tuple[float, float]:
        """(score, coverage at the target precision) of ``s`` on the selection folds."""
        if s in cache:
            return cache[s][:2]
        model = CalibratedLinearClassifier(C=s.C, class_weight=s.class_weight, n_jobs=config.threads)
        weights = fold_weights(times, s.half_life_days)
        truth, pred, kept, confidence, right = [], [], {}, [], []
        for k, train, test in splits:
            if len(np.unique(y_index[train])) < 2:
                continue
            present, scores = model.fold_scores(X, y_index, train, test, weights(train))
            kept[k] = (present, scores)
            truth.append(y_index[test])
            pred.append(present[np.argmax(scores, axis=1)])
            top, ok = fold_confidence(present, scores, y_index[test])
            confidence.append(top)
            right.append(ok)
            if progress is not None:
                progress.update(1)
        value = _score(config.selection_metric, np.concatenate(truth), np.concatenate(pred)) if truth else 0.0
        coverage = (
            coverage_at_precision(
                np.concatenate(confidence).tolist(), np.concatenate(right).tolist(), config.target_precision
            )
            if confidence
            else 0.0
        )
        cache[s] = (value, coverage, kept)
        tried.append(
            {**s.to_dict(), config.selection_metric: round(value, 4), "coverage": round(coverage, 4)}
        )
        return value, coverage

    start = Setting(
        C=0.3 if 0.3 in config.C else config.C[0],
        class_weight=None if None in config.class_weight else config.class_weight[0],
        half_life_days=None if None in half_lives else half_lives[0],
    )
    best, (best_value, best_coverage) = start, evaluate(start)
    grids: tuple[tuple[str, tuple[Any, ...]], ...] = (
        ("class_weight", config.class_weight),
        ("C", config.C),
        ("half_life_days", half_lives),
    )
    for key, grid in grids:
        for value in grid:
            candidate = replace(best, **{key: value})
            score, coverage = evaluate(candidate)
            if score > best_value + _TIE and coverage >= config.coverage_floor * best_coverage:
                best, best_value, best_coverage = candidate, score, coverage
    return Selection(best, config.selection_metric, tried, cache[best][2] if times is not None else {})


def n_selection_points(config: TrainingConfig, timed: bool) -> int:
    """Upper bound of grid points :func:`select_setting` scores (for progress bars)."""
    halves = len(config.half_life_days) if timed else 1
    return 1 + (len(config.class_weight) - 1) + (len(config.C) - 1) + (halves - 1)
