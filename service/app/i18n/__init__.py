"""Message catalogues of the review page: one JSON file per language, Indonesian first and default."""

from __future__ import annotations

import functools
import json
from pathlib import Path

#: Languages with a catalogue, the default first.
LANGUAGES: tuple[str, ...] = ("id", "en")
DEFAULT_LANGUAGE = "id"
_DIR = Path(__file__).resolve().parent


@functools.cache
def catalogue(language: str) -> dict[str, str]:
    """The messages of ``language`` (key -> text); ``KeyError`` for a language without a catalogue."""
    if language not in LANGUAGES:
        raise KeyError(f"no catalogue for language {language!r}; expected one of {list(LANGUAGES)}")
    with (_DIR / f"{language}.json").open(encoding="utf-8") as fh:
        messages: dict[str, str] = json.load(fh)
    return messages


def pick_language(*candidates: str | None) -> str:
    """The first of ``candidates`` (e.g. the ``lang`` query parameter, then the cookie) that has a
    catalogue, else :data:`DEFAULT_LANGUAGE`."""
    for candidate in candidates:
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT_LANGUAGE
