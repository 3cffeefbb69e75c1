"""Sastrawi stemming, built once per process and memoised per word (never pickled)."""

from __future__ import annotations

import functools

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory


@functools.cache
def _stemmer():  # type: ignore[no-untyped-def]
    return StemmerFactory().create_stemmer()


@functools.lru_cache(maxsize=200_000)
def stem_word(word: str) -> str:
    """Stem one lower-case word."""
    return _stemmer().stem(word) or word
