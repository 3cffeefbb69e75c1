"""sklearn-compatible transformer turning raw complaints into normalised token strings."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from lapor_nlp.text.clean import clean
from lapor_nlp.text.redact import redact as _redact
from lapor_nlp.text.stem import stem_word


def _as_texts(X: Iterable[str]) -> list[str]:
    if isinstance(X, str | bytes):
        raise ValueError("Preprocessor expects a list of texts, got a single string; wrap it: [text]")
    return ["" if x is None else str(x) for x in X]


class Preprocessor(TransformerMixin, BaseEstimator):
    """Clean, redact, normalise slang, drop stopwords and stem Indonesian complaint texts."""

    def __init__(self, *, redact: bool = True, slang: bool = True, stopwords: bool = True, stem: bool = True):
        self.redact = redact
        self.slang = slang
        self.stopwords = stopwords
        self.stem = stem

    def fit(self, X: Iterable[str], y: object = None) -> Preprocessor:
        _as_texts(X)
        return self

    def transform(self, X: Iterable[str]) -> list[str]:
        out = []
        for text in _as_texts(X):
            if self.redact:
                text = _redact(text)
            tokens = clean(text).split()
            if self.stem:
                tokens = [stem_word(t) for t in tokens]
            out.append(" ".join(tokens))
        return out

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.asarray(["text"] if input_features is None else input_features, dtype=object)

    def __sklearn_tags__(self):  # type: ignore[no-untyped-def]
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = False
        return tags
