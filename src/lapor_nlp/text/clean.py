"""Pure str -> str cleaning of raw complaint text (no tokenisation, no language knowledge)."""

from __future__ import annotations

import re

_LITERAL_NEWLINE = re.compile(r"\\[nrt]")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_ELONGATED = re.compile(r"([a-z])\1{2,}")
_NON_WORD = re.compile(r"[^0-9a-z\[\]_]+")


def _fix_mojibake(text: str) -> str:
    """Undo UTF-8 read as cp1252/latin-1 (``ðŸ™`` -> emoji) when that round-trip is lossless."""
    if not any("\u00c0" <= ch <= "\u00ff" for ch in text):
        return text
    for codec in ("cp1252", "latin-1"):
        try:
            return text.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return text


def clean(text: str) -> str:
    """Lower-case ``text`` and keep only word characters, single-spaced.

    Literal ``\\n`` sequences, URLs, emoji, mojibake and punctuation become spaces; letters repeated
    three or more times are squeezed to one (``tolonggg`` -> ``tolong``).
    """
    text = _fix_mojibake(text)
    text = _LITERAL_NEWLINE.sub(" ", text)
    text = _URL.sub(" ", text)
    text = text.lower()
    text = _ELONGATED.sub(r"\1", text)
    return " ".join(_NON_WORD.sub(" ", text).split())
