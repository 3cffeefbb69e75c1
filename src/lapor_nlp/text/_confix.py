"""Sastrawi's confix-stripping ``Context`` for one word, re-driven without its per-word regex compiles.

Sastrawi's visitors record each removal with ``re.sub(result, "", word, count=1)``: the *result word* is
used as a pattern, so every distinct word compiles a new regex and, once Python's 512-entry ``re`` cache
is full, pushes Sastrawi's own rule patterns out of it (about 0.4 s of CPU per 3,400 prefixed words).
This module follows ``Sastrawi.Stemmer.Context.Context`` step by step (same visitor order, the same
prefix rule objects with their public ``disambiguate``, the same removal bookkeeping), and takes the
removed part with ``str.replace``, which is what that ``re.sub`` does for a word made of letters. A
prefix rule is tried only on words that start as its pattern requires (``meng-`` rules on ``meng...``).
Tested equal to ``Stemmer.stem_word`` on the real and generated vocabulary (tests/text/test_text_stem.py).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from typing import Any

# Sastrawi's suffix visitors, in its order, with the affix type each records.
_SUFFIX_VISITORS = (
    (re.compile(r"-*(lah|kah|tah|pun)$"), "P"),
    (re.compile(r"-*(ku|mu|nya)$"), "PP"),
    (re.compile(r"(is|isme|isasi|i|kan|an)$"), "DS"),
)
_PLAIN_PREFIX = re.compile(r"^(di|ke|se)")
# PrecedenceAdjustmentSpecification: confixes whose prefix is stripped before the suffix.
_PREFIX_FIRST = re.compile(r"^(?:be(.*)lah|be(.*)an|me(.*)i|di(.*)i|pe(.*)i|ter(.*)i)$")

# Every prefix disambiguator's pattern starts with one of these (ber-, ter-, meng-, peny-, ku-, kau- ...)
# or is an infix rule: a consonant, then el/em/er/in. Words with neither are left as they are by all of them.
_RULE_STARTS = frozenset(("be", "te", "me", "pe", "ku", "ka"))
_INFIXES = frozenset(("el", "em", "er", "in"))

# A removal as Sastrawi records it: (subject, result, removed part, affix type).
Removal = tuple[str, str, str, str]


# What a word must show for each of Sastrawi's prefix rules to match it, read from each rule's pattern
# (keyed by the class of its first disambiguator): (offset, text) means ``word.startswith(text, offset)``.
# A rule missing here (another Sastrawi version) is always tried.
_RULE_GUARDS: dict[str, tuple[int, str]] = {
    **dict.fromkeys(("1a", "2", "3"), (0, "ber")),
    **dict.fromkeys(("4", "5"), (0, "be")),
    **dict.fromkeys(("6a", "7", "8", "35"), (0, "ter")),
    "9": (0, "te"),
    "10": (0, "me"),
    **dict.fromkeys(("11", "12", "13a", "19"), (0, "mem")),
    **dict.fromkeys(("14", "15a"), (0, "men")),
    **dict.fromkeys(("16", "17a"), (0, "meng")),
    "18a": (0, "meny"),
    **dict.fromkeys(("20", "21a", "32", "34", "36"), (0, "pe")),
    **dict.fromkeys(("23", "24"), (0, "per")),
    **dict.fromkeys(("25", "26a"), (0, "pem")),
    **dict.fromkeys(("27", "28a"), (0, "pen")),
    **dict.fromkeys(("29", "30a"), (0, "peng")),
    "31a": (0, "peny"),
    "37a": (1, "er"),
    "38a": (1, "el"),
    "39a": (1, "em"),
    "40a": (1, "in"),
    "41": (0, "ku"),
    "42": (0, "kau"),
}
_NO_GUARD = (0, "")


@functools.cache
def _prefix_rules() -> tuple[tuple[int, str, tuple[Any, ...] | None], ...]:
    """Sastrawi's prefix visitors in order, as (guard offset, guard text, disambiguators).

    The plain-prefix visitor (``di``/``ke``/``se``) has ``None`` for disambiguators.
    """
    from Sastrawi.Stemmer.Context.Visitor.RemovePlainPrefix import RemovePlainPrefix  # noqa: PLC0415
    from Sastrawi.Stemmer.Context.Visitor.VisitorProvider import VisitorProvider  # noqa: PLC0415

    rules: list[tuple[int, str, tuple[Any, ...] | None]] = []
    for visitor in VisitorProvider().get_prefix_visitors():
        if isinstance(visitor, RemovePlainPrefix):
            rules.append((0, "", None))
            continue
        name = type(visitor.disambiguators[0]).__name__.removeprefix("DisambiguatorPrefixRule")
        rules.append((*_RULE_GUARDS.get(name, _NO_GUARD), tuple(visitor.disambiguators)))
    return tuple(rules)


class _Context:
    """The mutable state of one word's stemming, as in Sastrawi's ``Context``."""

    __slots__ = ("contains", "current", "original", "removals", "rules", "stopped")

    def __init__(self, word: str, contains: Callable[[object], bool], rules: Sequence[Any]) -> None:
        self.original = self.current = word
        self.contains = contains
        self.rules = rules
        self.removals: list[Removal] = []
        self.stopped = False

    def remove_suffixes(self) -> None:
        for pattern, kind in _SUFFIX_VISITORS:
            word = self.current
            result = pattern.sub("", word, count=1)
            if result != word:
                self.removals.append((word, result, word.replace(result, "", 1), kind))
                self.current = result
            if self.contains(self.current) or self.stopped:
                return

    def accept_prefix_visitors(self) -> None:
        count = len(self.removals)
        contains = self.contains
        for offset, start, rule in self.rules:
            word = self.current
            if rule is not None:
                if word[:2] not in _RULE_STARTS and word[1:3] not in _INFIXES:
                    return  # no disambiguator can match (and the word stays the same to the last rule)
                if not word.startswith(start, offset):
                    continue  # this rule cannot match: nothing changes, as in Sastrawi
            if rule is None:
                result = _PLAIN_PREFIX.sub("", word, count=1)
                if result != word:
                    self.removals.append((word, result, "", "DP"))
                    self.current = result
            else:
                found = None
                for disambiguator in rule:
                    found = disambiguator.disambiguate(word)
                    if contains(found):
                        break
                if found is not None:
                    self.removals.append((word, found, "", "DP"))
                    self.current = found
            if contains(self.current) or self.stopped or len(self.removals) > count:
                return

    def remove_prefixes(self) -> None:
        for _ in range(3):
            self.accept_prefix_visitors()
            if self.contains(self.current):
                return

    def loop_restore_suffix(self) -> None:
        """ECS "loop pengembalian akhiran": put each removed suffix back and retry the prefixes."""
        if self.removals:
            self.current = self.removals[0][0]
        self.removals = [r for r in self.removals if r[3] != "DP"]
        removals = list(self.removals)
        current = self.current
        for subject, result, removed, kind in reversed(removals):
            if kind not in ("DS", "PP", "P"):
                continue
            if removed == "kan":
                self.current = result + "k"
                self.remove_prefixes()
                if self.contains(self.current):
                    return
                self.current = result + "kan"
            else:
                self.current = subject
            self.remove_prefixes()
            if self.contains(self.current):
                return
            self.removals = removals
            self.current = current

    def run(self) -> None:
        contains = self.contains
        if contains(self.current):
            return
        self.stopped = len(self.current) <= 3  # DontStemShortWord
        if _PREFIX_FIRST.match(self.original):
            self.remove_prefixes()
            if contains(self.current):
                return
            self.remove_suffixes()
            if contains(self.current):
                return
            self.current = self.original
            self.removals = []
        self.remove_suffixes()
        if contains(self.current):
            return
        self.remove_prefixes()
        if contains(self.current):
            return
        self.loop_restore_suffix()


def confix_stem(word: str, roots: frozenset[str]) -> str:
    """Sastrawi's ``Stemmer.stem_word`` for a lower-case ASCII word of letters (the root, or ``word``).

    >>> from lapor_nlp.text.lexicon import root_words
    >>> [confix_stem(w, root_words()) for w in ["menulis", "perbaikan", "pemalang", "xyzabc"]]
    ['tulis', 'baik', 'malang', 'xyzabc']
    """
    if not (word.isascii() and word.isalpha()):
        raise ValueError(f"confix_stem takes a word of ASCII letters, got {word!r}; use Sastrawi for others")
    context = _Context(word, roots.__contains__, _prefix_rules())
    context.run()
    return context.current if context.current in roots else word
