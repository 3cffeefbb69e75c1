"""Stand-in for :mod:`lapor_nlp.tables` until that module lands (read/write one table by extension)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from lapor_nlp.errors import DataFormatError


def read_table(path: str | Path) -> pd.DataFrame:
    """Read one CSV/TSV/XLSX/Parquet/JSONL file, or a directory of Parquet parts."""
    path = Path(path)
    suffix = path.suffix.lower()
    if path.is_dir() or suffix == ".parquet":
        return pd.read_parquet(path)
    if suffix in (".xlsx", ".xls"):
        return pd.read_excel(path, dtype=str).fillna("")
    if suffix == ".jsonl":
        return pd.read_json(path, lines=True, dtype=False)
    if suffix in (".csv", ".tsv", ".txt"):
        from lapor_nlp.routing.data import read_table as read_csv

        return read_csv(path)
    raise DataFormatError(
        f"{path}: unknown table format {suffix!r}; expected csv, tsv, xlsx, parquet or jsonl"
    )


def write_table(df: pd.DataFrame, path: str | Path) -> None:
    """Write ``df`` by extension; a path without suffix becomes a Parquet directory of one part."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not suffix or path.is_dir():
        path.mkdir(parents=True, exist_ok=True)
        df.to_parquet(path / "part-00000.parquet", index=False)
    elif suffix == ".parquet":
        df.to_parquet(path, index=False)
    elif suffix == ".xlsx":
        df.to_excel(path, index=False)
    elif suffix == ".jsonl":
        df.to_json(path, orient="records", lines=True, force_ascii=False)
    else:
        df.to_csv(path, index=False, sep="\t" if suffix == ".tsv" else ",")
