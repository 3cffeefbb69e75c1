"""Sastrawi stemming, built once per process and memoised per word (never pickled).

:func:`stem_word` adds what plain Sastrawi lacks: a curated exception table for known over-stemming
(``kerusakan`` -> ``rusak`` rather than ``rusa``), protection of place names (``pemalang``, ``kediri``),
and a pass-through for tokens that are not plain words (digits, placeholders, non-Latin script).
"""

from __future__ import annotations

import functools
import itertools
import re
import string
from typing import Any

from lapor_nlp.text._confix import confix_stem
from lapor_nlp.text.lexicon import root_words, stem_exceptions
from lapor_nlp.text.places import is_place_word


@functools.cache
def _stemmer() -> Any:
    """The raw Sastrawi stemmer, built once per process (never pickled; we memoise with a bound)."""
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory  # noqa: PLC0415

    return StemmerFactory().create_stemmer().delegatedStemmer


# Sastrawi strips prefixes (recoding the root's first letter: "menulis" -> "tulis"), an infix and a
# suffix chain, and only ever returns a dictionary root; otherwise it returns the word unchanged. When no
# such split of a word leaves a root, the slow stemmer need not run at all. The sets below over-approximate
# Sastrawi's affixes (checked against it on the 17k-word vocabulary of the Surabaya complaints: 1
# nonsense word differs).
_PREFIXES = (
    "di",
    "ke",
    "se",
    "be",
    "ber",
    "bel",
    "te",
    "ter",
    "tel",
    "me",
    "mem",
    "men",
    "meng",
    "menge",
    "meny",
    "pe",
    "pem",
    "pen",
    "peng",
    "penge",
    "peny",
    "per",
    "pel",
    "ku",
    "kau",
)
_HEADS = frozenset("".join(p) for n in range(4) for p in itertools.product(_PREFIXES, repeat=n))
_HEAD_STARTS = frozenset(p[:2] for p in _PREFIXES)
_MAX_HEAD = max(map(len, _HEADS))
_TAILS = tuple(
    sorted(
        {
            a + b + c
            for a in ("", "i", "kan", "an", "is", "isme", "isasi")
            for b in ("", "ku", "mu", "nya")
            for c in ("", "lah", "kah", "tah", "pun")
        },
        key=len,
    )
)
_TAIL_SET = frozenset(_TAILS)
_MAX_TAIL = max(map(len, _TAILS))
_INFIXES = frozenset(("el", "em", "er", "in"))
# Letters that, put before a word starting with the key, make a prefix start ("k" + "e..." = "ke...").
_RECODE_HEADS = {
    second: tuple(c for c in string.ascii_lowercase if c + second in _HEAD_STARTS)
    for second in string.ascii_lowercase
}


@functools.cache
def _root_tails() -> frozenset[str]:
    """Each root without its first letter: ``rest in _root_tails()`` iff some letter + ``rest`` is a root."""
    return frozenset(r[1:] for r in root_words())


def _reaches_root(core: str, roots: frozenset[str], tails: frozenset[str], depth: int) -> bool:
    """Whether stripping a prefix chain from ``core`` (recoding the root's first letter) leaves a root."""
    for k in range(min(len(core) - 1, _MAX_HEAD + 1)):
        if core[:k] not in _HEADS:
            continue
        rest = core[k:]
        # The root itself, or with an infix ("gemetar" -> "getar").
        if rest in roots or (len(rest) > 3 and rest[1:3] in _INFIXES and rest[0] + rest[3:] in roots):
            return True
        if not k:
            continue
        # A recoded first letter ("menulis" -> "tulis"): any letter + rest is a root, also with an infix.
        if rest in tails or (len(rest) > 2 and rest[0:2] in _INFIXES and rest[2:] in tails):
            return True
        if depth:
            if rest[:2] in _HEAD_STARTS and _reaches_root(rest, roots, tails, depth - 1):
                return True
            for c in _RECODE_HEADS.get(rest[:1], ()):
                if _reaches_root(c + rest, roots, tails, depth - 1):
                    return True
    return False


def _may_change(word: str) -> bool:
    """False when no affix split of ``word`` leaves a Sastrawi root (then Sastrawi keeps the word)."""
    roots, tails = root_words(), _root_tails()
    return any(
        _reaches_root(word[: len(word) - n], roots, tails, 1)
        for n in range(min(len(word), _MAX_TAIL) + 1)
        if word[len(word) - n :] in _TAIL_SET
    )


def is_plain_word(word: str) -> bool:
    """A lower-case ASCII word of 4+ letters that is not itself a root (what Sastrawi may change)."""
    return len(word) >= 4 and word.isascii() and word.isalpha() and word not in root_words()


# Sastrawi's first phase for a word outside its dictionary, as its Context runs it: unless the word has
# one of the confixes it strips prefix-first ("be-lah", "be-an", "me-i", "di-i", "pe-i", "ter-i"), remove
# the particle, then the possessive, then the derivational suffix, and stop at the first dictionary word;
# failing that, a plain "di"/"ke"/"se" prefix that leaves a dictionary word. Same patterns as Sastrawi's
# visitors; answers about half the words it changes without building its per-word context objects.
_PREFIX_FIRST = re.compile(r"(?:be.*lah|be.*an|me.*i|di.*i|pe.*i|ter.*i)$")
_SUFFIX_STEPS = (
    re.compile(r"-*(lah|kah|tah|pun)$"),
    re.compile(r"-*(ku|mu|nya)$"),
    re.compile(r"(is|isme|isasi|i|kan|an)$"),
)


def _suffix_phase(word: str, roots: frozenset[str]) -> str | None:
    """Sastrawi's result when its suffix phase (or a plain prefix after it) settles ``word``, else None.

    Only for words of 4+ letters outside the dictionary (hyphens and short words take other paths).
    """
    if len(word) <= 3 or not word.isalpha() or word in roots or _PREFIX_FIRST.match(word):
        return None
    for step in _SUFFIX_STEPS:
        word = step.sub("", word, count=1)
        if word in roots:
            return word
    if word[:2] in ("di", "ke", "se") and word[2:] in roots:
        return word[2:]
    return None


def sastrawi_stem(word: str) -> str:
    """Plain Sastrawi result for one lower-case word (no exceptions, no protection)."""
    roots = root_words()
    settled = _suffix_phase(word, roots)
    if settled is not None:
        return settled
    if word.isascii() and word.isalpha():
        return confix_stem(word, roots)  # Sastrawi's steps without its per-word regex compiles
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
    if not is_plain_word(word) or not _may_change(word):
        return word
    stem = sastrawi_stem(word)
    if stem == word or is_place_word(word, stem):
        return word
    return stem
