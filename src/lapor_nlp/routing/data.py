"""Column checks with helpful errors; tables are read by :func:`lapor_nlp.tables.read_table` (re-exported)."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Sequence

import pandas as pd

from lapor_nlp.errors import DataFormatError
from lapor_nlp.tables import read_table

__all__ = ["label_changes", "normalise_label", "read_table", "require_columns", "text_series"]


def require_columns(df: pd.DataFrame, columns: Iterable[str], *, what: str = "column") -> None:
    """Raise :class:`DataFormatError` naming close matches when any of ``columns`` is missing."""
    available = [str(c) for c in df.columns]
    for column in columns:
        if column in available:
            continue
        close = difflib.get_close_matches(column, available, n=3, cutoff=0.5)
        lowered = [c for c in available if c.lower() == column.lower()]
        hint = f"; did you mean {', '.join(map(repr, lowered or close))}?" if lowered or close else ""
        raise DataFormatError(
            f"{what} {column!r} not found{hint} Available columns: {', '.join(map(repr, available))}"
        )


def text_series(df: pd.DataFrame, column: str) -> list[str]:
    """Column ``column`` as a list of ``str`` (missing values become ``""``)."""
    return [
        "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v) for v in df[column].tolist()
    ]


def normalise_label(value: str) -> str:
    """A label without surrounding spaces and with single inner spaces.

    >>> normalise_label(" bencana  alam ")
    'bencana alam'
    """
    return " ".join(value.split())


def label_changes(values: Sequence[str]) -> dict[str, dict[str, str | int]]:
    """Every label that :func:`normalise_label` changes: ``{raw: {"to": normalised, "rows": count}}``."""
    counts = Counter(v for v in values if v != normalise_label(v) and normalise_label(v))
    return {raw: {"to": normalise_label(raw), "rows": n} for raw, n in sorted(counts.items())}
