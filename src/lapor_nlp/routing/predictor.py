"""Prediction-time state of a fitted router, in one owner built once per loaded (or trained) model.

The fitted estimators (:class:`~lapor_nlp.routing.features.TextFeaturizer`, one
:class:`~lapor_nlp.routing.classifier.CalibratedLinearClassifier` per target) stay as saved: plain
learned arrays, picklable and skops-saveable. :class:`CompiledPredictor` derives from them what fast
prediction needs (the featurizer's lookup tables and per-word caches, each target's weights in a
dense C-ordered layout and, once explanations are asked for, as a sorted lookup) and is the only
holder of that state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from lapor_nlp.errors import InputError, ModelIntegrityError
from lapor_nlp.routing.classifier import CalibratedLinearClassifier
from lapor_nlp.routing.explain import Explainer, WeightLookup
from lapor_nlp.routing.features import FeatureTables, TextFeaturizer, normalise
from lapor_nlp.text import clean

#: Up to this many weights per target (128 MB of float32) are kept dense: ``X @ W`` then only touches
#: the rows of ``W`` for the features present in ``X``, without building a sparse product, and
#: explanations read them directly. For one complaint a sparse ``W`` costs ~10x more per product
#: (the shipped topic model, 84k features x 239 classes, is 80 MB dense).
DENSE_WEIGHTS_MAX = 32_000_000


class _TargetWeights:
    """One target's classifier with its weights laid out for prediction and explanation."""

    def __init__(self, model: CalibratedLinearClassifier, dense_weights_max: int) -> None:
        coef = sp.csr_matrix(model.coef_)
        self.model = model
        self.classes: np.ndarray = model.classes_
        self.intercept = np.asarray(model.intercept_, dtype=np.float32)
        # features x classes, so that X @ weights only reads X's features
        self.weights: np.ndarray | sp.csr_matrix = (
            np.ascontiguousarray(coef.T.toarray())  # C order: no copy per call
            if coef.shape[0] * coef.shape[1] <= dense_weights_max
            else sp.csr_matrix(coef.T)
        )
        self._coef = coef

    @cached_property
    def lookup(self) -> WeightLookup:
        """Sorted weight lookup for explanations, built on the first explained batch."""
        return WeightLookup.from_coef(self._coef)


class CompiledPredictor:
    """Fast features, scores and explanations of a fitted featurizer and per-target classifiers.

    Parameters
    ----------
    featurizer : fitted featurizer shared by every target.
    classifiers : fitted classifier per target name.
    dense_weights_max : a target whose weight matrix has at most this many cells is kept dense.

    The estimators are read, never modified; build a new predictor if they change.
    """

    def __init__(
        self,
        featurizer: TextFeaturizer,
        classifiers: Mapping[str, CalibratedLinearClassifier],
        *,
        dense_weights_max: int = DENSE_WEIGHTS_MAX,
    ) -> None:
        self.features = FeatureTables(featurizer)
        self._targets = {t: _TargetWeights(m, dense_weights_max) for t, m in classifiers.items()}
        for target, weights in self._targets.items():
            if weights.weights.shape[0] != self.features.n_features:
                raise ModelIntegrityError(
                    f"classifier of target {target!r} expects {weights.weights.shape[0]} features, the "
                    f"featurizer makes {self.features.n_features}; they were not trained together, "
                    "retrain the model"
                )

    @property
    def targets(self) -> tuple[str, ...]:
        return tuple(self._targets)

    def classes(self, target: str) -> np.ndarray:
        """Classes of ``target``'s classifier, in column order of its scores."""
        return self._get(target).classes

    def weights(self, target: str) -> np.ndarray | sp.csr_matrix:
        """``target``'s weights as used for scoring: features x classes, dense C-ordered when small."""
        return self._get(target).weights

    def weight_lookup(self, target: str) -> WeightLookup:
        """``target``'s weights as a sorted lookup (for explanations; built on first use)."""
        return self._get(target).lookup

    def transform(self, redacted: Sequence[str], cleaned: Sequence[str] | None = None) -> sp.csr_matrix:
        """Features of already-redacted texts; ``cleaned`` (:func:`lapor_nlp.text.clean` of each
        text) may be passed when the caller has it already."""
        texts = list(redacted)
        cleaned = [clean(t) for t in texts] if cleaned is None else list(cleaned)
        return self.features.transform_prepared(normalise(texts), cleaned)

    def decision_function(self, X: sp.csr_matrix, target: str) -> np.ndarray:
        """Uncalibrated scores of ``target``'s classes (equal to its classifier's ``decision_function``)."""
        tw = self._get(target)
        scores = sp.csr_matrix(X) @ tw.weights
        scores = scores if isinstance(scores, np.ndarray) else scores.toarray()
        return np.asarray(scores + tw.intercept, dtype=np.float64)

    def predict_proba(self, X: sp.csr_matrix, target: str) -> np.ndarray:
        """Calibrated probabilities of ``target``'s classes (as its classifier's ``predict_proba``)."""
        return self._get(target).model.proba_from_decisions(self.decision_function(X, target))

    def explainer(self, redacted: Sequence[str], X: sp.csr_matrix) -> BatchExplainer:
        """Explanations for one batch: ``redacted`` texts and their features ``X`` (:meth:`transform`).
        Which word owns which feature is worked out once here and shared by every target."""
        return BatchExplainer(self, Explainer(self.features, redacted, X))

    def explain(
        self,
        redacted: Sequence[str],
        X: sp.csr_matrix,
        classes: Mapping[str, Sequence[int]],
        n: int = 5,
    ) -> dict[str, list[tuple[str, ...]]]:
        """Up to ``n`` surface words of each text pushing towards a class, per target:
        ``classes[target][r]`` is the column index of the class to explain for row ``r``."""
        explainer = self.explainer(redacted, X)
        return {t: explainer.explain(t, cls, n) for t, cls in classes.items()}

    def _get(self, target: str) -> _TargetWeights:
        try:
            return self._targets[target]
        except KeyError:
            raise InputError(f"unknown target {target!r}; this model predicts {list(self.targets)}") from None


class BatchExplainer:
    """Explanations of one batch for any target of a :class:`CompiledPredictor`."""

    def __init__(self, predictor: CompiledPredictor, explainer: Explainer) -> None:
        self._predictor = predictor
        self._explainer = explainer

    def explain(self, target: str, classes: Sequence[int], n: int = 5) -> list[tuple[str, ...]]:
        """For each row ``r``, up to ``n`` surface words pushing ``target`` towards class ``classes[r]``."""
        weights = self._predictor.weights(target)
        lookup = weights if isinstance(weights, np.ndarray) else self._predictor.weight_lookup(target)
        return self._explainer.explain(lookup, classes, n)
