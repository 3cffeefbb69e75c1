"""Explanations: the surface words of the (redacted) text that pushed a linear model to its answer.

Every surface word owns the features it produces on its own: the word n-grams of its normalised form
and its character n-grams. A word's score for a class is the sum, over the features it owns, of
``tf-idf value in the text x class weight``; the best positive words are the explanation. Texts are
redacted first, so personal data never appears in an explanation. Work is vectorised over a batch.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from lapor_nlp.routing.features import FeatureTables, TextFeaturizer
from lapor_nlp.text.clean import _EXCEL_ESCAPE
from lapor_nlp.text.lexicon import slang, stopwords
from lapor_nlp.text.placeholders import PLACEHOLDER

_SURFACE = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")


@functools.cache
def _fillers() -> frozenset[str]:
    """Lower-case words never shown as explanation: the stopword list, and slang spellings of them."""
    stop = stopwords()
    return stop | frozenset(word for word, standard in slang().items() if standard in stop)


def surface_words(redacted: str) -> list[str]:
    """Content words of ``redacted`` as written: no punctuation, digits-only words, placeholders, Excel
    escapes (``_x000D_``) or stopwords/fillers (``saya``, ``kenapa``, ``di``; the project's stopword list)."""
    text = _EXCEL_ESCAPE.sub(" ", PLACEHOLDER.sub(" ", redacted)).replace("\\n", " ")
    fillers = _fillers()
    return [w for w in _SURFACE.findall(text) if not w.isdigit() and w.lower() not in fillers]


@dataclass(frozen=True)
class WeightLookup:
    """A sparse weight matrix as sorted flat keys ``row * n_features + col`` and their values."""

    keys: np.ndarray
    values: np.ndarray

    @classmethod
    def from_coef(cls, coef: sp.csr_matrix) -> WeightLookup:
        m = sp.csr_matrix(coef, copy=True)
        m.sort_indices()
        rows = np.repeat(np.arange(m.shape[0], dtype=np.int64), np.diff(m.indptr))
        return cls(rows * m.shape[1] + m.indices, np.asarray(m.data, dtype=np.float64))


class Explainer:
    """Which surface word owns which feature, for one batch of redacted texts and their features ``X``."""

    def __init__(self, tables: FeatureTables, redacted: Sequence[str], X: sp.csr_matrix) -> None:
        display: list[dict[str, str]] = []
        for text in redacted:
            d: dict[str, str] = {}
            for w in surface_words(text):
                d.setdefault(w.lower(), w)
            display.append(d)
        self._display = display
        unique = sorted({w for d in display for w in d})
        index = {w: i for i, w in enumerate(unique)}
        # (row, word) pairs, grouped by row
        self._pair_word = np.asarray([index[w] for d in display for w in d], dtype=np.int64)
        sizes = np.fromiter((len(d) for d in display), dtype=np.int64, count=len(display))
        self._starts = np.r_[0, np.cumsum(sizes)]
        self._pair_row = np.repeat(np.arange(len(display), dtype=np.int64), sizes)
        self._unique = unique
        # sorted X, and the position in ``X.data`` and (row, word) pair of every feature a word of the
        # row owns: the same for every target of the batch (plain arrays: building sparse matrices
        # costs more than the arithmetic for one complaint)
        Xs = sp.csr_matrix(X)
        if not Xs.has_sorted_indices:
            Xs = Xs.sorted_indices()
        n_features = Xs.shape[1]
        self._row_of_nnz = np.repeat(np.arange(Xs.shape[0], dtype=np.int64), np.diff(Xs.indptr))
        x_keys = self._row_of_nnz * n_features + Xs.indices
        owned_by_word = tables.owned_feature_lists(unique)
        owned = [owned_by_word[w] for w in self._pair_word.tolist()]
        lengths = np.fromiter((len(o) for o in owned), dtype=np.int64, count=len(owned))
        owned_idx = np.concatenate(owned) if owned else np.zeros(0, dtype=np.int64)
        pair_of = np.repeat(np.arange(len(owned), dtype=np.int64), lengths)
        query = self._pair_row[pair_of] * n_features + owned_idx
        found, positions = _lookup(x_keys, np.arange(len(x_keys)), query)
        self._X, self._positions, self._pair_of = Xs, positions, pair_of[found]

    def explain(
        self, weights: WeightLookup | np.ndarray, classes: Sequence[int], n: int = 5
    ) -> list[tuple[str, ...]]:
        """For each row ``r`` of ``X``, up to ``n`` surface words pushing towards class ``classes[r]``.

        ``weights`` is a :class:`WeightLookup` of the classes x features weights, or the same weights
        as a dense features x classes array (read directly, no lookup)."""
        X = self._X
        n_rows = X.shape[0]
        out: list[tuple[str, ...]] = [()] * n_rows
        if not len(self._pair_word):
            return out
        # contribution of each feature of each row to the row's class: tf-idf value x class weight
        classes_arr = np.asarray(classes, dtype=np.int64)
        if isinstance(weights, np.ndarray):
            contribution = weights[X.indices, classes_arr[self._row_of_nnz]].astype(np.float64)
        else:
            found, values = _lookup(
                weights.keys, weights.values, classes_arr[self._row_of_nnz] * X.shape[1] + X.indices
            )
            contribution = np.zeros(X.nnz)
            contribution[found] = values
        contribution *= X.data
        scores = np.bincount(
            self._pair_of, weights=contribution[self._positions], minlength=len(self._pair_word)
        )
        starts = self._starts
        for r in range(n_rows):
            s = scores[starts[r] : starts[r + 1]]
            if not len(s):
                continue
            order = np.argsort(-s, kind="stable")[:n]
            words = [self._unique[self._pair_word[starts[r] + i]] for i in order if s[i] > 0]
            out[r] = tuple(self._display[r][w] for w in words)
        return out


def _lookup(keys: np.ndarray, values: np.ndarray, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised sparse lookup: (found mask, values of found queries) for sorted ``keys``."""
    if not len(keys):
        return np.zeros(len(query), dtype=bool), values[:0]  # keeps the dtype: positions stay integers
    pos = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
    found = keys[pos] == query
    return found, values[pos[found]]


def explain(
    featurizer: TextFeaturizer, redacted: str, coef: sp.csr_matrix, j: int, n: int = 5
) -> tuple[str, ...]:
    """Explanation of class ``j`` for one redacted text (builds its tables; the router keeps them)."""
    tables = FeatureTables(featurizer)
    explainer = Explainer(tables, [redacted], tables.transform([redacted]))
    return explainer.explain(WeightLookup.from_coef(coef), [j], n)[0]
