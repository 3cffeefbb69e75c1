"""Column checks with helpful errors; tables are read by :func:`lapor_nlp.tables.read_table` (re-exported)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import pandas as pd

from lapor_nlp.errors import DataFormatError
from lapor_nlp.tables import read_table

__all__ = ["read_table", "require_columns", "text_series"]


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
