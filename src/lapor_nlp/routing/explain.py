"""Explanations: the surface words of the (redacted) text that pushed a linear model to its answer.

Each feature of a text is credited to the surface words that produced it: a word n-gram to the words
whose normalised form gives its tokens (a bigram half to each), a character n-gram to the words that
contain it. A word's score for a class is the sum of ``tf-idf value x class weight`` over its
features; the best positive words are the explanation. Texts are redacted first, so personal data
never appears in an explanation.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from lapor_nlp.routing.features import TextFeaturizer, normalise
from lapor_nlp.text import clean

_SURFACE = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
_PLACEHOLDER = re.compile(r"\[[A-Za-z_]+(?:_\d+)?\]")

# (feature index, owner word, share of the feature's contribution)
Credits = list[tuple[int, str, float]]


def surface_words(redacted: str) -> list[str]:
    """Words of ``redacted`` as written, without punctuation, digits-only words or placeholders."""
    text = _PLACEHOLDER.sub(" ", redacted).replace("\\n", " ")
    return [w for w in _SURFACE.findall(text) if not w.isdigit()]


class Explainer:
    """Precompute, for a batch of redacted texts, which surface word owns which feature."""

    def __init__(self, featurizer: TextFeaturizer, redacted: Sequence[str]) -> None:
        self.featurizer = featurizer
        self.words = [surface_words(t) for t in redacted]
        unique = sorted({w.lower() for ws in self.words for w in ws})
        self._norm = dict(zip(unique, normalise(unique), strict=True))
        self._credits: list[Credits | None] = [None] * len(redacted)

    def _credits_of(self, r: int) -> Credits:
        cached = self._credits[r]
        if cached is not None:
            return cached
        word_vec, char_vec = self.featurizer._get_vectorizers()
        lowered = list(dict.fromkeys(w.lower() for w in self.words[r]))
        credits: Credits = []
        if word_vec is not None:
            vocab = word_vec.vocabulary_
            owner: dict[str, str] = {}
            seq: list[str] = []
            for w in (w.lower() for w in self.words[r]):
                for tok in self._norm[w].split():
                    owner.setdefault(tok, w)
                    seq.append(tok)
            grams = set(seq) | {f"{a} {b}" for a, b in zip(seq, seq[1:], strict=False)}
            for gram in grams:
                idx = vocab.get(gram)
                if idx is not None:
                    parts = gram.split()
                    credits.extend((idx, owner[p], 1.0 / len(parts)) for p in parts)
        if char_vec is not None:
            owners: dict[int, list[str]] = defaultdict(list)
            for w in lowered:
                for idx in self._char_features(w):
                    owners[idx].append(w)
            for idx, ws in owners.items():
                credits.extend((idx, w, 1.0 / len(ws)) for w in ws)
        self._credits[r] = credits
        return credits

    def _char_features(self, word: str) -> list[int]:
        """Column indices of the char n-grams of one lower-cased word (cached on the featurizer)."""
        cache = self.featurizer.__dict__.setdefault("_char_cache", {})
        found = cache.get(word)
        if found is None:
            _, char_vec = self.featurizer._get_vectorizers()
            vocab = char_vec.vocabulary_ if char_vec is not None else {}
            offset = self.featurizer.n_word_features_
            lo, hi = self.featurizer.char_ngram_range
            grams: set[str] = set()
            for cw in clean(word).split():
                padded = f" {cw} "
                grams.update(padded[i : i + k] for k in range(lo, hi + 1) for i in range(len(padded) - k + 1))
            found = [vocab[g] + offset for g in grams if g in vocab]
            if len(cache) > 200_000:
                cache.clear()
            cache[word] = found
        return found

    def explain(self, r: int, x: sp.csr_matrix, coef: sp.csr_matrix, j: int, n: int = 5) -> tuple[str, ...]:
        """Up to ``n`` surface words of text ``r`` (feature row ``x``) pushing towards class ``j``."""
        if not self.words[r] or x.nnz == 0:
            return ()
        if sp.issparse(coef):
            lo, hi = coef.indptr[j], coef.indptr[j + 1]
            common, xi, wi = np.intersect1d(x.indices, coef.indices[lo:hi], assume_unique=True, return_indices=True)
            products = x.data[xi] * coef.data[lo:hi][wi]
        else:
            common, products = x.indices, x.data * np.asarray(coef)[j, x.indices]
        values = dict(zip(common.tolist(), products.tolist(), strict=True))
        score: dict[str, float] = defaultdict(float)
        for idx, w, share in self._credits_of(r):
            v = values.get(idx)
            if v:
                score[w] += v * share
        best = sorted(((s, w) for w, s in score.items() if s > 0), reverse=True)[:n]
        display: dict[str, str] = {}
        for w in self.words[r]:
            display.setdefault(w.lower(), w)
        return tuple(display[w] for _, w in best)


def explain(featurizer: TextFeaturizer, redacted: str, coef: sp.csr_matrix, j: int, n: int = 5) -> tuple[str, ...]:
    """Explanation of class ``j`` for one redacted text (convenience wrapper around :class:`Explainer`)."""
    x = featurizer.transform([redacted])
    return Explainer(featurizer, [redacted]).explain(0, x[0], coef, j, n)
