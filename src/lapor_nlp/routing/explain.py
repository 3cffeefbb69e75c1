"""Explanations: the surface words of the (redacted) text that pushed a linear model to its answer.

Every surface word owns the features it produces on its own: the word n-grams of its normalised form
and its character n-grams. A word's score for a class is the sum, over the features it owns, of
``tf-idf value in the text x class weight``; the best positive words are the explanation. Texts are
redacted first, so personal data never appears in an explanation. Work is vectorised over a batch.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from lapor_nlp.routing.features import TextFeaturizer, normalise
from lapor_nlp.text import clean
from lapor_nlp.text.placeholders import PLACEHOLDER

_SURFACE = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")


def surface_words(redacted: str) -> list[str]:
    """Words of ``redacted`` as written, without punctuation, digits-only words or placeholders."""
    text = PLACEHOLDER.sub(" ", redacted).replace("\\n", " ")
    return [w for w in _SURFACE.findall(text) if not w.isdigit()]


class Explainer:
    """Which surface word owns which feature, for a batch of redacted texts."""

    def __init__(self, featurizer: TextFeaturizer, redacted: Sequence[str]) -> None:
        self.featurizer = featurizer
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
        self._pair_row = np.repeat(np.arange(len(display)), [len(d) for d in display])
        self._unique = unique
        self._owned = self._ownership(unique)

    def _ownership(self, unique: list[str]) -> sp.csr_matrix:
        """Binary matrix: unique word x features it produces on its own (cached per word)."""
        f = self.featurizer
        n_features = f.n_word_features_ + len(f.char_vocabulary_)
        cache: dict[str, np.ndarray] = f.__dict__.setdefault("_owned_cache", {})
        missing = [w for w in unique if w not in cache]
        if missing:
            word_vec, char_vec = f._get_vectorizers()
            if len(cache) + len(missing) > 200_000:
                cache.clear()
            word_analyze = word_vec.build_analyzer() if word_vec else None
            char_analyze = char_vec.build_analyzer() if char_vec else None
            for w, norm in zip(missing, normalise(missing), strict=True):
                idx: set[int] = set()
                if word_analyze is not None and word_vec is not None:
                    idx.update(
                        word_vec.vocabulary_[g] for g in word_analyze(norm) if g in word_vec.vocabulary_
                    )
                if char_analyze is not None and char_vec is not None:
                    offset = f.n_word_features_
                    idx.update(
                        char_vec.vocabulary_[g] + offset
                        for g in char_analyze(clean(w))
                        if g in char_vec.vocabulary_
                    )
                cache[w] = np.asarray(sorted(idx), dtype=np.int64)
        rows = [cache[w] for w in unique]
        indptr = np.r_[0, np.cumsum([len(r) for r in rows])]
        indices = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        return sp.csr_matrix(
            (np.ones(len(indices), dtype=np.float32), indices, indptr), shape=(len(unique), n_features)
        )

    def explain(
        self, X: sp.csr_matrix, coef: sp.csr_matrix, classes: Sequence[int], n: int = 5
    ) -> list[tuple[str, ...]]:
        """For each row ``r`` of ``X``, up to ``n`` surface words pushing towards class ``classes[r]``."""
        n_rows = X.shape[0]
        out: list[tuple[str, ...]] = [()] * n_rows
        if not len(self._pair_word):
            return out
        X, positions, pair_of = self._positions(X)
        # contribution of each feature of each row to the row's class: tf-idf value x class weight
        row_of_nnz = np.repeat(np.arange(n_rows, dtype=np.int64), np.diff(X.indptr))
        w_keys, w_values = coef_keys(coef)
        classes_arr = np.asarray(classes, dtype=np.int64)
        found, weights = _lookup(w_keys, w_values, classes_arr[row_of_nnz] * X.shape[1] + X.indices)
        contribution = np.zeros(X.nnz)
        contribution[found] = weights
        contribution *= X.data
        scores = np.bincount(pair_of, weights=contribution[positions], minlength=len(self._pair_word))
        starts = np.r_[0, np.cumsum([len(d) for d in self._display])]
        for r in range(n_rows):
            s = scores[starts[r] : starts[r + 1]]
            if not len(s):
                continue
            order = np.argsort(-s, kind="stable")[:n]
            words = [self._unique[self._pair_word[starts[r] + i]] for i in order if s[i] > 0]
            out[r] = tuple(self._display[r][w] for w in words)
        return out

    def _positions(self, X: sp.csr_matrix) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
        """(sorted X, position in ``X.data`` and (row, word) pair of every feature a word of the row
        owns); the same for every target of a batch, so computed once per ``X``."""
        cached = self.__dict__.get("_positions_cache")
        if cached is not None and cached[0] is X:
            return cached[1]
        Xs = sp.csr_matrix(X)
        Xs.sort_indices()
        n_features = Xs.shape[1]
        x_keys = (
            np.repeat(np.arange(Xs.shape[0], dtype=np.int64), np.diff(Xs.indptr)) * n_features + Xs.indices
        )
        owned = self._owned[self._pair_word]
        pair_of = np.repeat(np.arange(len(self._pair_word)), np.diff(owned.indptr))
        query = self._pair_row[pair_of] * n_features + owned.indices
        found, positions = _lookup(x_keys, np.arange(len(x_keys)), query)
        result = (Xs, positions, pair_of[found])
        self.__dict__["_positions_cache"] = (X, result)
        return result


def _lookup(keys: np.ndarray, values: np.ndarray, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised sparse lookup: (found mask, values of found queries) for sorted ``keys``."""
    if not len(keys):
        return np.zeros(len(query), dtype=bool), np.zeros(0)
    pos = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
    found = keys[pos] == query
    return found, values[pos[found]]


_KEY_CACHE: dict[int, tuple[object, np.ndarray, np.ndarray]] = {}


def coef_keys(coef: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Sorted flat keys ``row * n_features + col`` and values of a CSR matrix (cached per matrix)."""
    cached = _KEY_CACHE.get(id(coef))
    if cached is not None and cached[0] is coef:
        return cached[1], cached[2]
    m = sp.csr_matrix(coef, copy=True)
    m.sort_indices()
    rows = np.repeat(np.arange(m.shape[0], dtype=np.int64), np.diff(m.indptr))
    keys, values = rows * m.shape[1] + m.indices, np.asarray(m.data, dtype=np.float64)
    if len(_KEY_CACHE) >= 16:
        _KEY_CACHE.clear()
    _KEY_CACHE[id(coef)] = (coef, keys, values)
    return keys, values


def explain(
    featurizer: TextFeaturizer, redacted: str, coef: sp.csr_matrix, j: int, n: int = 5
) -> tuple[str, ...]:
    """Explanation of class ``j`` for one redacted text."""
    return Explainer(featurizer, [redacted]).explain(featurizer.transform([redacted]), coef, [j], n)[0]
