"""Sastrawi's confix-stripping ``Context`` for one word, re-driven without its per-word regex compiles.

Sastrawi's visitors record each removal with ``re.sub(result, "", word, count=1)``: the *result word* is
used as a pattern, so every distinct word compiles a new regex and, once Python's 512-entry ``re`` cache
is full, pushes Sastrawi's own rule patterns out of it (about 0.4 s of CPU per 3,400 prefixed words).
This module follows ``Sastrawi.Stemmer.Context.Context`` step by step (same visitor order, the same
prefix rule objects with their public ``disambiguate``, the same removal bookkeeping), and takes the
removed part with ``str.replace``, which is what that ``re.sub`` does for a word made of letters.
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


@functools.cache
def _prefix_rules() -> tuple[tuple[Any, ...] | None, ...]:
    """Sastrawi's prefix visitors in order: ``None`` for the plain-prefix one, else its disambiguators."""
    from Sastrawi.Stemmer.Context.Visitor.RemovePlainPrefix import RemovePlainPrefix  # noqa: PLC0415
    from Sastrawi.Stemmer.Context.Visitor.VisitorProvider import VisitorProvider  # noqa: PLC0415

    return tuple(
        None if isinstance(v, RemovePlainPrefix) else tuple(v.disambiguators)
        for v in VisitorProvider().get_prefix_visitors()
    )


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
        for rule in self.rules:
            word = self.current
            if rule is not None and word[:2] not in _RULE_STARTS and word[1:3] not in _INFIXES:
                return  # no disambiguator can match (and the word stays the same to the last rule)
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
