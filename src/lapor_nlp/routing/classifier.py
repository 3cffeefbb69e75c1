"""A linear text classifier with temperature-calibrated probabilities and out-of-fold predictions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import KFold
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted

_ABSENT = -1e4  # decision value of a class missing from a training fold


def _decisions(model: LinearSVC, X: sp.csr_matrix) -> np.ndarray:
    d = model.decision_function(X)
    return np.column_stack([-d / 2, d / 2]) if d.ndim == 1 else d


def fit_temperature(decisions: np.ndarray, y_index: np.ndarray) -> float:
    """Temperature minimising the negative log-likelihood of ``softmax(decisions / T)``."""
    rows = np.arange(len(y_index))

    def nll(t: float) -> float:
        return float(-log_softmax(decisions / t, axis=1)[rows, y_index].mean())

    return float(minimize_scalar(nll, bounds=(0.01, 20.0), method="bounded").x)


# scikit-learn ships no type stubs, so its base classes are Any to mypy.
class CalibratedLinearClassifier(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """One-vs-rest linear SVM whose scores are calibrated by temperature scaling on held-out folds.

    ``fit`` cuts the training data into ``n_folds`` contiguous folds in the data's own order (time
    order for complaint exports) and predicts each fold from a model trained on the folds *before* it
    (forward chaining, as the model will meet later data; with ``forward=False`` from all other folds).
    It fits one temperature on those held-out scores, keeps the
    calibrated out-of-fold probabilities in ``oof_proba_`` (for choosing review thresholds; drop it
    before saving) and refits on everything. Small weights are pruned to keep the model small.

    Parameters
    ----------
    C : inverse regularisation strength of the SVM.
    class_weight : passed to :class:`~sklearn.svm.LinearSVC`.
    n_folds : contiguous folds for the held-out predictions.
    forward : predict each fold from earlier folds only (the first fold gets no held-out score).
    calibration_folds : only the latest this many folds get held-out scores (None: all that can).
    n_jobs : threads solving the one-vs-rest problems (-1: one per core).
    max_weights : keep at most this many non-zero weights in total, the largest per class (None keeps all).

    Attributes
    ----------
    classes_, coef_ (sparse, n_classes x n_features), intercept_, temperature_, oof_proba_.
    """

    calibration_folds: int | None = None  # default for models saved before this parameter existed

    def __init__(
        self,
        *,
        C: float = 0.3,
        class_weight: str | None = None,
        n_folds: int = 5,
        forward: bool = True,
        calibration_folds: int | None = None,
        max_weights: int | None = 1_500_000,
        n_jobs: int | None = -1,
    ) -> None:
        self.C = C
        self.class_weight = class_weight
        self.n_folds = n_folds
        self.forward = forward
        self.calibration_folds = calibration_folds
        self.max_weights = max_weights
        self.n_jobs = n_jobs

    def _held_out_folds(self, n: int) -> list[int]:
        """Indices of the folds that get held-out scores (forward: the latest ``calibration_folds``)."""
        n_folds = max(2, min(self.n_folds, n // 2))
        first = 1 if self.forward else 0
        if self.calibration_folds is not None:
            first = max(first, n_folds - self.calibration_folds)
        return list(range(first, n_folds))

    def _fit_svm(
        self, X: sp.csr_matrix, y_index: np.ndarray, sample_weight: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(classes present, coef, intercept) of one-vs-rest SVMs, one row per present class.

        With several classes, the binary problems are solved in threads (liblinear releases the GIL).
        ``class_weight="balanced"`` weighs the positives of class c by ``n / (k * n_c)`` (the negatives 1),
        as scikit-learn's multi-class ``LinearSVC(class_weight="balanced")`` does.
        """
        present = np.unique(y_index)
        counts = np.bincount(y_index)
        # liblinear wants float64 CSR: convert once here, not once per binary problem
        X = sp.csr_matrix(X, dtype=np.float64)
        n, k = len(y_index), len(present)

        def weights(c: int) -> dict[int, float] | None:
            return {1: n / (k * counts[c]), 0: 1.0} if self.class_weight == "balanced" else None

        if len(present) == 2:
            balanced = "balanced" if self.class_weight == "balanced" else None
            model = LinearSVC(C=self.C, class_weight=balanced, random_state=0).fit(
                X, y_index, sample_weight=sample_weight
            )
            w, b = model.coef_[0], model.intercept_[0]
            return present, np.vstack([-w / 2, w / 2]), np.array([-b / 2, b / 2])

        def fit_one(c: int) -> tuple[np.ndarray, float]:
            model = LinearSVC(C=self.C, class_weight=weights(c), random_state=0).fit(
                X, (y_index == c).astype(np.int8), sample_weight=sample_weight
            )
            return model.coef_[0], float(model.intercept_[0])

        results = Parallel(n_jobs=self.n_jobs, prefer="threads")(delayed(fit_one)(int(c)) for c in present)
        coef = np.vstack([w for w, _ in results])
        intercept = np.asarray([b for _, b in results])
        return present, coef, intercept

    def fold_scores(
        self,
        X: sp.csr_matrix,
        y_index: np.ndarray,
        train: np.ndarray,
        test: np.ndarray,
        sample_weight: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(classes present in ``train``, decision values of ``test`` rows) of a model fit on ``train``.

        ``sample_weight`` (if any) holds the weights of the ``train`` rows.
        """
        present, coef, intercept = self._fit_svm(X[train], y_index[train], sample_weight)
        return present, np.asarray(X[test] @ coef.T) + intercept

    def fit(
        self,
        X: sp.csr_matrix,
        y: Sequence[str],
        progress: Any = None,
        *,
        sample_weight: Any = None,
        weights_for: Any = None,
        precomputed: dict[int, tuple[np.ndarray, np.ndarray]] | None = None,
        temperature: float | None = None,
    ) -> CalibratedLinearClassifier:
        """Held-out scores on the latest folds, one temperature, then a refit on everything.

        ``sample_weight``: weights of all rows for the final fit. ``weights_for(train_rows)``: weights of
        a fold's training rows (e.g. recency relative to that fold's latest row); defaults to
        ``sample_weight[train_rows]``. ``precomputed``: fold index -> :meth:`fold_scores` already
        computed with the same settings (reused, not refit). ``temperature``: keep this temperature
        and skip the held-out folds (``oof_proba_`` is then all NaN), e.g. to refit a model whose
        calibration was just measured on a little less data.
        """
        y_arr = np.asarray(list(y), dtype=object)
        self.classes_ = np.asarray(sorted(set(y_arr)), dtype=object)
        if len(self.classes_) < 2:
            raise ValueError(f"need at least two classes to train, got {list(self.classes_)}")
        y_index = np.searchsorted(self.classes_, y_arr)
        n = X.shape[0]
        weight = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        if weights_for is None and weight is not None:
            weights_for = weight.__getitem__
        oof = np.full((n, len(self.classes_)), _ABSENT, dtype=np.float64)
        covered = np.zeros(n, dtype=bool)
        folds = contiguous_folds(n, self.n_folds)
        for k in self._held_out_folds(n) if temperature is None else []:
            test = folds[k]
            train = np.concatenate(folds[:k] if self.forward else folds[:k] + folds[k + 1 :])
            if len(np.unique(y_index[train])) >= 2:
                if precomputed is not None and k in precomputed:
                    present, scores = precomputed[k]
                else:
                    w = None if weights_for is None else weights_for(train)
                    present, scores = self.fold_scores(X, y_index, train, test, w)
                oof[np.ix_(test, present)] = scores
                covered[test] = np.isin(y_index[test], present)
            if progress is not None:
                progress.update(1)
        if temperature is not None:
            self.temperature_ = float(temperature)
        else:
            self.temperature_ = fit_temperature(oof[covered], y_index[covered]) if covered.any() else 1.0
        proba = softmax(oof / self.temperature_, axis=1)
        proba[~covered] = np.nan  # true class unseen in the fold, or no held-out fold: no honest score
        self.oof_proba_ = proba
        _, coef, intercept = self._fit_svm(X, y_index, weight)
        self.coef_ = self._prune(coef).astype(np.float32)
        self.intercept_ = np.asarray(intercept, dtype=np.float32)
        if progress is not None:
            progress.update(1)
        return self

    def _prune(self, coef: np.ndarray) -> sp.csr_matrix:
        k = None if self.max_weights is None else max(1, self.max_weights // coef.shape[0])
        if k is None or k >= coef.shape[1]:
            return sp.csr_matrix(coef)
        cut = -np.partition(-np.abs(coef), k - 1, axis=1)[:, k - 1 : k]
        return sp.csr_matrix(np.where(np.abs(coef) >= cut, coef, 0.0))

    def decision_function(self, X: sp.csr_matrix) -> np.ndarray:
        """Uncalibrated one-vs-rest scores, one column per class (for repeated prediction the router's
        :class:`~lapor_nlp.routing.predictor.CompiledPredictor` keeps the weights in a faster layout)."""
        check_is_fitted(self, "coef_")
        scores = sp.csr_matrix(X) @ self.coef_.T
        scores = scores if isinstance(scores, np.ndarray) else scores.toarray()
        return np.asarray(scores + self.intercept_, dtype=np.float64)

    def proba_from_decisions(self, decisions: np.ndarray) -> np.ndarray:
        """Calibrated probabilities from :meth:`decision_function` scores."""
        check_is_fitted(self, "temperature_")
        proba = softmax(np.asarray(decisions, dtype=np.float64) / self.temperature_, axis=1)
        return np.asarray(proba, dtype=np.float64)

    def predict_proba(self, X: sp.csr_matrix) -> np.ndarray:
        return self.proba_from_decisions(self.decision_function(X))

    def predict(self, X: sp.csr_matrix) -> np.ndarray:
        labels: np.ndarray = self.classes_[np.argmax(self.decision_function(X), axis=1)]
        return labels

    def n_fit_steps(self, n_samples: int) -> int:
        """Progress steps ``fit`` reports (held-out folds + final fit)."""
        return len(self._held_out_folds(n_samples)) + 1


def contiguous_folds(n: int, n_folds: int) -> list[np.ndarray]:
    """Row indices of ``n_folds`` contiguous folds (at most ``n // 2``, at least 2), in order."""
    k = max(2, min(n_folds, n // 2))
    return [test for _, test in KFold(n_splits=k).split(np.zeros(n))]
