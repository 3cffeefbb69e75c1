"""Placeholders for personal data: ``[NIK]`` from :func:`redact`, ``[NAME_1]`` from pre-masked data.

Both become one stable token in cleaned text, e.g. ``[NAME_2]`` -> ``__name__``, ``[KK_1]`` -> ``__nik__``,
so that masked and freshly redacted texts look the same to a model and no placeholder is split into the
ordinary word "nik" or stemmed.
"""

from __future__ import annotations

import re

#: Placeholder kinds: lokal-id's PII types plus NUMBER (long digit runs) and ID.
KINDS: tuple[str, ...] = (
    "NIK",
    "KK",
    "NPWP",
    "PASSPORT",
    "SIM",
    "NIP",
    "BPJS",
    "NISN",
    "AKTA",
    "PHONE",
    "EMAIL",
    "BANK_ACCOUNT",
    "CARD",
    "PLATE",
    "IP",
    "GEO",
    "NAME",
    "ADDRESS",
    "BIRTH_DATE",
    "GENDER",
    "RELIGION",
    "MARITAL_STATUS",
    "NATIONALITY",
    "HEALTH",
    "FINANCIAL",
    "CRIMINAL_RECORD",
    "BIOMETRIC",
    "NUMBER",
    "ID",
    "URL",
)
#: Kinds folded into another one's token (a KK number looks and is handled like a NIK).
_ALIASES = {"KK": "NIK"}

PLACEHOLDER = re.compile(
    r"\[\s*(" + "|".join(sorted(KINDS, key=len, reverse=True)) + r")(?:[_ -]?\d{1,3})?\s*\]", re.IGNORECASE
)

#: Every token a placeholder can become.
TOKENS: frozenset[str] = frozenset(f"__{_ALIASES.get(k, k).lower()}__" for k in KINDS)


def token(kind: str) -> str:
    """The cleaned-text token of a placeholder kind: ``token("NAME") == "__name__"``."""
    kind = kind.upper()
    return f"__{_ALIASES.get(kind, kind).lower()}__"


def to_tokens(text: str) -> str:
    """Replace every placeholder in ``text`` by its token, padded with spaces."""
    if "[" not in text:
        return text
    return PLACEHOLDER.sub(lambda m: f" {token(m.group(1))} ", text)
