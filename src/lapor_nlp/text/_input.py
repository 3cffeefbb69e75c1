"""Validation of text arguments, shared by :func:`clean`, :func:`redact`, the Preprocessor and the router.

One meaning everywhere: a collection of texts is a 1-D list/array/Series of ``str``; ``None`` and NaN
items become ``""``; a bare string, a table or a non-``str`` item raises a
:class:`~lapor_nlp.errors.InputError` (a ``ValueError``; :class:`~lapor_nlp.errors.TextTypeError` is also
a ``TypeError``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from lapor_nlp.errors import InputError, TextTypeError

_SURROGATE = re.compile("[\ud800-\udfff]")


def ensure_text(text: object, func: str) -> str:
    """Return ``text`` with lone surrogates replaced by U+FFFD; refuse anything that is not a ``str``."""
    if not isinstance(text, str):
        raise TextTypeError(
            f"{func}() expects a str, got {type(text).__name__}; "
            "decode bytes first and map missing values to '' before calling it"
        )
    if not text.isascii() and _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    return text


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in {"NAType", "NaTType"}


def as_texts(X: Iterable[object], caller: str = "Preprocessor") -> list[str]:
    """The texts of a 1-D collection; ``None``/NaN become ``''``. Refuses a bare str and 2-D tables.

    ``caller`` names the estimator in error messages.
    """
    if isinstance(X, str | bytes):
        raise InputError(f"{caller} expects a list of texts, got a single string; wrap it in a list: [text]")
    if hasattr(X, "columns"):
        raise InputError(
            f"{caller} expects a 1-D list of texts, got a table; pass one column, e.g. df['text']"
        )
    shape = getattr(X, "shape", None)
    if shape is not None and len(shape) == 2:
        if shape[1] != 1:
            raise InputError(f"{caller} expects a 1-D list of texts, got an array of shape {tuple(shape)}")
        X = X.ravel() if hasattr(X, "ravel") else [row[0] for row in X]  # type: ignore[index]
    try:
        items = list(X)
    except TypeError:
        raise TextTypeError(f"{caller} expects an iterable of str, got {type(X).__name__}") from None
    out: list[str] = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            out.append(ensure_text(item, caller))
        elif _is_missing(item):
            out.append("")
        else:
            raise TextTypeError(
                f"{caller} expects str items, got {type(item).__name__} at position {i}; "
                "convert the column to str (missing values may be None or NaN)"
            )
    return out
