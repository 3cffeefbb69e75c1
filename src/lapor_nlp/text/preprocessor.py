"""sklearn-compatible transformer turning raw complaints into normalised token strings."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from lapor_nlp.text import placeholders
from lapor_nlp.text._input import as_texts
from lapor_nlp.text.clean import normalise_word, raw_tokens
from lapor_nlp.text.lexicon import slang as _slang_map
from lapor_nlp.text.lexicon import stopwords as _stopword_set
from lapor_nlp.text.redact import redact as _redact
from lapor_nlp.text.stem import stem_word

# Memo of token -> output words, one per combination of switches; cleared when it grows too large.
_TOKEN_CACHES: dict[tuple[bool, bool, bool, bool], dict[str, str]] = {}
_TOKEN_CACHE_MAX = 500_000


def _token_mapper(
    slang: bool, stopwords: bool, stem: bool, numbers: bool
) -> tuple[dict[str, str], Callable[[str], str]]:
    """The memo of token -> output words for these switches, and the function that fills it."""
    cache = _TOKEN_CACHES.setdefault((slang, stopwords, stem, numbers), {})
    slang_map = _slang_map()
    stop = _stopword_set()

    def compute(token: str) -> str:
        if token in placeholders.TOKENS:
            return token
        if token.isdigit():
            return token if numbers else ""
        token = normalise_word(token)
        words = slang_map.get(token, token).split() if slang else [token]
        if stopwords:
            words = [w for w in words if w not in stop]
        if stem:
            words = [stem_word(w) for w in words]
        return " ".join(words)

    def lookup(token: str) -> str:
        out = cache.get(token)
        if out is None:
            if len(cache) >= _TOKEN_CACHE_MAX:
                cache.clear()
            out = cache[token] = compute(token)
        return out

    return cache, lookup


class Preprocessor(TransformerMixin, BaseEstimator):
    """Redact, clean, normalise slang, drop stopwords and stem Indonesian complaint texts.

    Stateless: ``fit`` only validates. Each output is the normalised tokens of one text joined by single
    spaces; personal data and pre-masked placeholders (``[NAME_1]``, ``[NIK]`` ...) become stable tokens
    such as ``__name__`` and ``__nik__`` that are never stemmed.

    Parameters
    ----------
    redact : bool, default=True
        Replace personal data with placeholders first (:func:`lapor_nlp.text.redact`).
    slang : bool, default=True
        Map slang and abbreviations to standard words (``yg`` -> ``yang``, ``jl`` -> ``jalan``).
    stopwords : bool, default=True
        Drop curated function words; negations and complaint words (``tidak``, ``belum``) are kept.
    stem : bool, default=True
        Sastrawi stemming with the exception table and place-name protection.
    numbers : bool, default=True
        Keep digit tokens (house numbers, RT/RW, dates); ``False`` drops them.

    Notes
    -----
    Input: a list/array/Series of str. A bare ``str`` or a 2-D table raises
    :class:`~lapor_nlp.errors.InputError` (a ``ValueError``); ``None`` and NaN items give ``""``; other
    item types raise :class:`~lapor_nlp.errors.TextTypeError`. Empty or noise-only texts give ``""``.

    Examples
    --------
    >>> Preprocessor().fit_transform(["Lampu PJU di jln. Sukomanunggal matiii, tolonggg diperbaiki"])
    ['lampu pju jalan sukomanunggal mati tolong perbaiki']
    """

    def __init__(
        self,
        *,
        redact: bool = True,
        slang: bool = True,
        stopwords: bool = True,
        stem: bool = True,
        numbers: bool = True,
    ) -> None:
        self.redact = redact
        self.slang = slang
        self.stopwords = stopwords
        self.stem = stem
        self.numbers = numbers

    def fit(self, X: Iterable[str], y: object = None) -> Preprocessor:
        """Validate ``X`` and return self (nothing is learned)."""
        as_texts(X)
        return self

    def transform(self, X: Iterable[str]) -> list[str]:
        """Normalised token string of each text in ``X``."""
        texts = as_texts(X)
        cache, lookup = _token_mapper(
            bool(self.slang), bool(self.stopwords), bool(self.stem), bool(self.numbers)
        )
        known = cache.get
        out: list[str] = []
        for text in texts:
            if self.redact:
                text = _redact(text)
            words = list(map(known, tokens := raw_tokens(text)))  # one C-level pass for known tokens
            if None in words:
                words = [lookup(t) if w is None else w for t, w in zip(tokens, words, strict=True)]
            out.append(" ".join(filter(None, words)))
        return out

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """One text column in, one out (for ``Pipeline.get_feature_names_out``)."""
        return np.asarray(["text"] if input_features is None else input_features, dtype=object)

    def __sklearn_tags__(self):  # type: ignore[no-untyped-def]
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = False
        return tags
