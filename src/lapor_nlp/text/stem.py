"""Sastrawi stemming, built once per process and memoised per word (never pickled).

:func:`stem_word` adds what plain Sastrawi lacks: a curated exception table for known over-stemming
(``kerusakan`` -> ``rusak`` rather than ``rusa``), protection of place names (``pemalang``, ``kediri``),
and a pass-through for tokens that are not plain words (digits, placeholders, non-Latin script).
"""

from __future__ import annotations

import functools
from typing import Any

from lapor_nlp.text.lexicon import root_words, stem_exceptions
from lapor_nlp.text.places import is_place_word


@functools.cache
def _stemmer() -> Any:
    """The raw Sastrawi stemmer (its own unbounded result cache is bypassed; we memoise with a bound)."""
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory  # noqa: PLC0415

    return StemmerFactory().create_stemmer().delegatedStemmer


def sastrawi_stem(word: str) -> str:
    """Plain Sastrawi result for one lower-case word (no exceptions, no protection)."""
    return _stemmer().stem_word(word) or word


@functools.lru_cache(maxsize=1 << 18)
def stem_word(word: str) -> str:
    """Stem one lower-case word: exception table, then place-name protection, then Sastrawi.

    >>> [stem_word(w) for w in ["kerusakan", "pemadaman", "pemalang", "diperbaiki", "2022", "__nik__"]]
    ['rusak', 'padam', 'pemalang', 'perbaiki', '2022', '__nik__']
    """
    exceptions = stem_exceptions()
    if word in exceptions:
        return exceptions[word]
    if len(word) < 4 or not word.isascii() or not word.isalpha() or word in root_words():
        return word
    stem = sastrawi_stem(word)
    if stem == word or is_place_word(word, stem):
        return word
    return stem
