"""Reading complaint tables: delimiter/encoding sniffing and column checks with helpful errors."""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from lapor_nlp.errors import DataFormatError

_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
_DELIMITERS = ",;\t|"


def _decode(raw: bytes, path: Path) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    for encoding in _ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DataFormatError(f"{path}: cannot decode the file as UTF-8, UTF-16 or cp1252; re-save it as UTF-8")


def _sniff_delimiter(text: str) -> str:
    sample = text[:64_000]
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        header = sample.splitlines()[0] if sample else ""
        counts = {d: header.count(d) for d in _DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV/TSV of complaints, detecting encoding (UTF-8, UTF-16, cp1252) and delimiter.

    Every column is read as text (``str``; empty cells become ``""``), so ids and codes keep their form.
    """
    path = Path(path)
    if not path.is_file():
        raise DataFormatError(f"{path}: no such file; check the path")
    text = _decode(path.read_bytes(), path)
    if not text.strip():
        raise DataFormatError(f"{path}: the file is empty; expected a CSV with a header row")
    delimiter = _sniff_delimiter(text)
    try:
        df = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataFormatError(f"{path}: not a readable CSV (delimiter {delimiter!r}): {exc}") from exc
    df.columns = [str(c).strip() for c in df.columns]
    return df


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
