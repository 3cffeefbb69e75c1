"""Read and write Dask DataFrames: partitioned Parquet directories, single files and globs.

* A directory of ``*.parquet`` parts, a ``.parquet`` file, or a glob matching only Parquet files is
  read with :func:`dask.dataframe.read_parquet` (column dtypes as pandas reads them).
* Any other file, directory of parts or glob (CSV, TSV, XLSX, JSONL) becomes one partition per file,
  each read by :func:`lapor_nlp.tables.read_table`, the reader of the in-process path.
* Writing to a path without suffix (or an existing directory) gives a Parquet directory of parts
  ``part-00000.parquet``, ...; it is written beside the target and renamed into place.
"""

from __future__ import annotations

import glob as globlib
from pathlib import Path
from typing import TYPE_CHECKING

from lapor_nlp._files import atomic_directory
from lapor_nlp.errors import DataFormatError
from lapor_nlp.tables import read_table, write_table

if TYPE_CHECKING:
    import dask.dataframe as dd
    import pandas as pd


def _read_part(path: str, sheet: str | None = None) -> pd.DataFrame:
    """One part, as :func:`~lapor_nlp.tables.read_table` reads it inside a directory or glob."""
    return read_table(path, sheet=sheet if path.lower().endswith(".xlsx") else None)


def _files(path: str) -> list[str]:
    """The files :func:`lapor_nlp.tables.read_table` would concatenate for ``path``, in its order."""
    if any(c in path for c in "*?[") and not Path(path).exists():  # a glob pattern
        files = sorted(p for p in globlib.glob(path, recursive=True) if Path(p).is_file())
        if not files:
            raise DataFormatError(f"{path}: the pattern matches no file; check the path and the pattern")
        return files
    p = Path(path)
    if p.is_dir():
        parts = sorted(f for f in p.iterdir() if f.is_file() and not f.name.startswith((".", "_")))
        parquet = [str(f) for f in parts if f.suffix.lower() == ".parquet"]
        tables = [str(f) for f in parts if f.suffix.lower() in (".csv", ".tsv", ".xlsx")]
        if not (parquet or tables):
            raise DataFormatError(
                f"{p}: the directory holds no .parquet, .csv, .tsv or .xlsx file; pass a file or a "
                "directory of table parts"
            )
        return parquet or tables
    if not p.is_file():
        raise DataFormatError(f"{p}: no such file or directory; check the path")
    return [str(p)]


def read_dask(path: str | Path, *, sheet: str | None = None, min_partitions: int = 1) -> dd.DataFrame:
    """A Dask DataFrame over ``path`` (see the module docstring), with at least ``min_partitions``.

    ``sheet`` names the worksheet of .xlsx files (default: the first), as in ``read_table``.
    """
    import dask
    import dask.dataframe as dd

    files = _files(str(path))
    ddf: dd.DataFrame
    with dask.config.set({"dataframe.convert-string": False}):  # keep pandas' own string dtype
        if all(f.lower().endswith(".parquet") for f in files):
            ddf = dd.read_parquet(files, index=False)
        else:
            ddf = dd.from_map(_read_part, files, sheet=sheet)  # type: ignore[no-untyped-call]  # dask/distributed leave it unannotated
    if ddf.npartitions < min_partitions:
        ddf = ddf.repartition(npartitions=min_partitions)
    return ddf


def write_dask(ddf: dd.DataFrame, path: str | Path) -> int:
    """Compute ``ddf`` and write it (a Parquet directory for a path without suffix, else one file).

    Returns the number of rows written.
    """
    path = Path(path)
    if path.suffix and not path.is_dir():
        frame: pd.DataFrame = ddf.compute()  # type: ignore[no-untyped-call]  # dask/distributed leave it unannotated
        write_table(frame, path)
        return len(frame)
    if path.is_dir() and any(not (f.is_file() and f.suffix == ".parquet") for f in path.iterdir()):
        raise DataFormatError(
            f"{path} holds more than Parquet parts, and writing replaces the directory; write to a new "
            "or empty directory instead"
        )
    with atomic_directory(path) as tmp:
        ddf.to_parquet(  # type: ignore[no-untyped-call]  # dask/distributed leave it unannotated
            str(tmp),
            write_index=False,
            write_metadata_file=False,
            name_function=lambda i: f"part-{i:05d}.parquet",
        )
    import pyarrow.parquet as pq

    return sum(pq.read_metadata(part).num_rows for part in sorted(path.glob("*.parquet")))
