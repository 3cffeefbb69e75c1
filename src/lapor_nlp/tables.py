"""The one place that reads and writes complaint tables, and reads their dates.

Formats are chosen by extension (:data:`TABLE_FORMATS`): ``.csv``/``.tsv``/``.txt`` (delimiter and
encoding detected, every cell kept as text), ``.xlsx`` (first sheet or ``sheet=``), ``.parquet`` and
``.jsonl``/``.ndjson`` (their own dtypes). A directory (Parquet parts, or CSV/XLSX files) or a glob
pattern is read as the concatenation of its files in name order. Writing is atomic (temporary file and
rename); a path without a suffix, ending in ``/`` or naming a directory becomes a Parquet directory.

:func:`parse_timestamps` reads the dates exports really hold: ISO 8601 (with or without seconds or an
offset), ``dd/mm/yyyy hh:mm[:ss]`` (day first, never month first), Excel serial numbers and datetime
dtypes. Naive values are wall-clock times in ``tz`` (WIB by default); what cannot be read is NaT and
counted, never guessed.
"""

from __future__ import annotations

import csv
import glob
import io
import os
import re
import zipfile
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from lapor_nlp._files import atomic_path
from lapor_nlp.errors import DataFormatError

#: Suffixes :func:`read_table` and :func:`write_table` understand.
TABLE_FORMATS: tuple[str, ...] = (".csv", ".tsv", ".txt", ".xlsx", ".parquet", ".jsonl", ".ndjson")
_TEXT_FORMATS = frozenset((".csv", ".tsv", ".txt"))
_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
_DELIMITERS = ",;\t|"

# Excel serial day numbers of plausible complaint dates (1927-10-15 .. 2173-10-14); day 0 = 1899-12-30.
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_EXCEL_RANGE = (10_000.0, 100_000.0)
_ISO = re.compile(
    r"^\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?$"
)
_YEAR_FIRST_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})")
_DAY_FIRST = re.compile(
    r"^(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4})"
    r"(?:[ T,]+(?P<H>\d{1,2})[:.](?P<M>\d{2})(?:[:.](?P<S>\d{2}))?)?$"
)
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")


# -- reading -----------------------------------------------------------------------------------------
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


def _read_text(path: Path) -> pd.DataFrame:
    text = _decode(path.read_bytes(), path)
    if not text.strip():
        raise DataFormatError(f"{path}: the file is empty; expected a table with a header row")
    delimiter = "\t" if path.suffix.lower() == ".tsv" else _sniff_delimiter(text)
    try:
        return pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataFormatError(f"{path}: not a readable CSV/TSV (delimiter {delimiter!r}): {exc}") from exc


def _read_xlsx(path: Path, sheet: str | None) -> pd.DataFrame:
    try:
        with pd.ExcelFile(path, engine="openpyxl") as book:
            names = [str(n) for n in book.sheet_names]
            if sheet is not None and sheet not in names:
                raise DataFormatError(
                    f"{path}: no sheet named {sheet!r}; the workbook has {names}; "
                    "pass one of them with --sheet"
                )
            # dtype=object then infer: text cells stay text ("007"), number and date cells get their dtypes
            frame = pd.read_excel(book, sheet_name=sheet if sheet is not None else 0, dtype=object)
            return frame.infer_objects()
    except DataFormatError:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise DataFormatError(
            f"{path}: not a readable .xlsx workbook ({exc}); re-save it from Excel"
        ) from exc


def _read_parquet(path: Path) -> pd.DataFrame:
    import pyarrow as pa

    try:
        return pd.read_parquet(path, engine="pyarrow")
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise DataFormatError(f"{path}: not a readable Parquet file ({exc})") from exc


def _read_jsonl(path: Path) -> pd.DataFrame:
    try:
        with path.open(encoding="utf-8-sig") as fh:
            text = fh.read()
    except UnicodeDecodeError as exc:
        raise DataFormatError(f"{path}: JSON Lines must be UTF-8 ({exc}); re-save it as UTF-8") from exc
    if not text.strip():
        raise DataFormatError(f"{path}: the file is empty; expected one JSON object per line")
    try:
        df = pd.read_json(io.StringIO(text), lines=True, dtype=False)
    except ValueError as exc:
        raise DataFormatError(f"{path}: not valid JSON Lines (one JSON object per line): {exc}") from exc
    return df


def _read_file(path: Path, sheet: str | None) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if suffix not in TABLE_FORMATS:
        raise DataFormatError(
            f"{path}: unknown table format {suffix or '(no suffix)'!r}; expected one of "
            f"{', '.join(TABLE_FORMATS)} (or a directory of Parquet/CSV/XLSX files)"
        )
    if sheet is not None and suffix != ".xlsx":
        raise DataFormatError(f"{path}: --sheet/sheet= applies to .xlsx workbooks only, got a {suffix} file")
    if suffix in _TEXT_FORMATS:
        return _read_text(path)
    if suffix == ".xlsx":
        return _read_xlsx(path, sheet)
    if suffix == ".parquet":
        return _read_parquet(path)
    return _read_jsonl(path)


def _directory_files(path: Path) -> list[Path]:
    files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith((".", "_")))
    parquet = [p for p in files if p.suffix.lower() == ".parquet"]
    if parquet:
        return parquet
    tables = [p for p in files if p.suffix.lower() in (".csv", ".tsv", ".xlsx")]
    if not tables:
        raise DataFormatError(
            f"{path}: the directory holds no .parquet, .csv, .tsv or .xlsx file; pass a file or a directory "
            "of table parts"
        )
    return tables


def _concat(files: Iterable[Path], sheet: str | None) -> pd.DataFrame:
    frames = []
    text_only = True
    for f in files:
        suffix = f.suffix.lower()
        frames.append(_read_file(f, sheet if suffix == ".xlsx" else None))
        text_only &= suffix in _TEXT_FORMATS
    df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if text_only and len(frames) > 1:
        df = df.fillna("")
    return df


def read_table(path: str | Path, *, sheet: str | None = None) -> pd.DataFrame:
    """Read a complaint table: a file (by extension), a directory of parts or a glob pattern.

    CSV/TSV/TXT keep every cell as text (``str``; empty cells are ``""``) so ids and codes keep their
    form; XLSX (first sheet, or ``sheet``), Parquet and JSON Lines keep their own dtypes. Column names
    are stripped of surrounding spaces. Raises :class:`DataFormatError` for a missing, empty, malformed
    or unknown file.
    """
    text = str(path)
    if any(c in text for c in "*?[") and not Path(text).exists():  # a glob pattern
        files = sorted(Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file())
        if not files:
            raise DataFormatError(f"{text}: the pattern matches no file; check the path and the pattern")
        df = _concat(files, sheet)
    else:
        path = Path(path)
        if path.is_dir():
            df = _concat(_directory_files(path), sheet)
        elif not path.is_file():
            raise DataFormatError(f"{path}: not found (no such file or directory); check the path")
        else:
            df = _read_file(path, sheet)
    df.columns = [str(c).strip() for c in df.columns]
    return df


# -- writing -----------------------------------------------------------------------------------------
def _is_directory_target(path: str | Path) -> bool:
    text = str(path)
    return text.endswith(("/", os.sep)) or Path(text).is_dir() or not Path(text).suffix


def _excel_ready(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_datetime64_any_dtype(values.dtype) and values.dt.tz is not None:
            out[column] = values.dt.tz_localize(None)  # Excel has no time zones: keep the wall time
    return out


def _arrow_ready(df: pd.DataFrame) -> pd.DataFrame:
    """Object columns that mix kinds (``1`` and ``"a"``) as text, since Parquet needs one type a column."""
    out = df.copy()
    for column in out.columns:
        if out[column].dtype == object:
            kinds = {
                type(v) for v in out[column] if v is not None and not (isinstance(v, float) and np.isnan(v))
            }
            if len(kinds) > 1:
                out[column] = out[column].map(lambda v: v if v is None or v != v else str(v))
    return out


def _write_file(df: pd.DataFrame, target: Path, suffix: str) -> None:
    if suffix in (".csv", ".txt"):
        df.to_csv(target, index=False)
    elif suffix == ".tsv":
        df.to_csv(target, index=False, sep="\t")
    elif suffix == ".xlsx":
        _excel_ready(df).to_excel(target, index=False, engine="openpyxl")
    elif suffix == ".parquet":
        _arrow_ready(df).to_parquet(target, index=False, engine="pyarrow")
    else:
        df.to_json(target, orient="records", lines=True, force_ascii=False, date_format="iso")


def _atomic(df: pd.DataFrame, path: Path, suffix: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path, suffix=suffix) as tmp:
        _write_file(df, tmp, suffix)


def output_format(path: str | Path) -> str:
    """The suffix :func:`write_table` will write for ``path`` (``""`` for a Parquet directory).

    Commands call it before any work so that a bad ``--output`` fails at once; raises
    :class:`DataFormatError` for a suffix it cannot write.
    """
    if _is_directory_target(path):
        return ""
    suffix = Path(path).suffix.lower()
    if suffix not in TABLE_FORMATS:
        raise DataFormatError(
            f"{path}: cannot write a {suffix!r} file; use one of {', '.join(TABLE_FORMATS)} "
            "or a directory (Parquet parts)"
        )
    return suffix


def write_table(df: pd.DataFrame, path: str | Path) -> None:
    """Write ``df`` by the extension of ``path`` (see :data:`TABLE_FORMATS`), atomically.

    A path without a suffix, ending in ``/`` or naming an existing directory is written as a Parquet
    directory holding ``part-00000.parquet`` (earlier ``part-*.parquet`` files there are replaced).
    XLSX has no time zones: aware timestamps are written as their wall-clock time.
    """
    if not isinstance(df, pd.DataFrame):
        raise DataFormatError(f"write_table expects a pandas DataFrame, got {type(df).__name__}")
    try:
        if not output_format(path):
            directory = Path(path)
            directory.mkdir(parents=True, exist_ok=True)
            target = directory / "part-00000.parquet"
            _atomic(df, target, ".parquet")
            for stale in directory.glob("part-*.parquet"):
                if stale != target:
                    stale.unlink()
            return
        _atomic(df, Path(path), output_format(path))
    except OSError as exc:
        raise DataFormatError(f"cannot write {path}: {exc}; pass a writable path") from exc


# -- dates -------------------------------------------------------------------------------------------
def _localise(values: pd.Series, tz: str) -> pd.Series:
    """``values`` in ``tz`` (naive ones read as wall time there), to the microsecond like the result."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_convert(tz)
    else:
        values = values.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    return values.dt.floor("us").dt.as_unit("us")  # nanoseconds (an export's 9 digits) are dropped


def _from_excel(numbers: pd.Series) -> pd.Series:
    x = pd.to_numeric(numbers, errors="coerce").astype(float)
    x = x.where((x >= _EXCEL_RANGE[0]) & (x < _EXCEL_RANGE[1]))
    # to the second: serials carry float noise (0.99999999 of a second)
    seconds = (x * 86_400).round()
    return _EXCEL_EPOCH + pd.to_timedelta(seconds, unit="s")


def _parse_strings(text: pd.Series, tz: str) -> pd.Series:
    out = pd.Series(pd.NaT, index=text.index, dtype=f"datetime64[us, {tz}]")
    iso = text.str.match(_ISO.pattern)
    if iso.any():
        part = text[iso]
        aware = part.str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$", regex=True)
        if aware.any():
            parsed = pd.to_datetime(part[aware], format="ISO8601", utc=True, errors="coerce")
            out[parsed.index] = _localise(parsed, tz)
        if (~aware).any():
            naive = part[~aware].str.replace("T", " ", regex=False)
            parsed = pd.to_datetime(naive, format="ISO8601", errors="coerce")
            out[parsed.index] = _localise(parsed, tz)
    slash = text.str.match(_YEAR_FIRST_SLASH.pattern) & ~iso
    if slash.any():
        parsed = pd.to_datetime(
            text[slash].str.replace("/", "-", regex=False), format="ISO8601", errors="coerce"
        )
        out[parsed.index] = _localise(parsed, tz)
    rest = ~iso & ~slash
    day_first = text[rest].str.extract(_DAY_FIRST.pattern)
    ok = day_first["d"].notna()
    if ok.any():
        parts = day_first[ok].fillna({"H": "0", "M": "0", "S": "0"})
        frame = pd.DataFrame(
            {
                "year": parts["y"].astype(int),
                "month": parts["m"].astype(int),
                "day": parts["d"].astype(int),
                "hour": parts["H"].astype(int),
                "minute": parts["M"].astype(int),
                "second": parts["S"].astype(int),
            }
        )
        valid = frame["month"].between(1, 12) & frame["day"].between(1, 31) & frame["hour"].between(0, 23)
        valid &= frame["minute"].between(0, 59) & frame["second"].between(0, 59)
        parsed = pd.to_datetime(frame[valid], errors="coerce")
        out[parsed.index] = _localise(parsed, tz)
    numeric = rest & text.str.match(_NUMBER.pattern)
    if numeric.any():
        parsed = _from_excel(text[numeric])
        out[parsed.index] = _localise(parsed, tz)
    return out


def parse_timestamps(values: Iterable[object], *, tz: str = "Asia/Jakarta") -> tuple[pd.Series, int]:
    """Read ``values`` as time-zone-aware timestamps in ``tz``; return them and how many could not be read.

    Understood: datetime and Arrow timestamp dtypes, ``datetime``/``Timestamp`` objects, ISO 8601 text
    (``2022-01-31 08:15``, ``2022-01-31T08:15:00+07:00``, ``...Z``), day-first text
    (``31/01/2022 08:15[:00]``, also with ``-`` or ``.``; never read month first) and Excel serial
    numbers (``44592.34375``). Values without an offset are wall-clock times in ``tz``; values with one
    are converted to ``tz``. Empty values are NaT and not counted; every other value that cannot be read
    is NaT and counted.

    >>> parsed, bad = parse_timestamps(["31/01/2022 08:15", "2022-01-31T01:15:00Z", "13/31/2022", ""])
    >>> [str(v) for v in parsed], bad
    (['2022-01-31 08:15:00+07:00', '2022-01-31 08:15:00+07:00', 'NaT', 'NaT'], 1)
    """
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    original_index = series.index
    series = series.reset_index(drop=True)
    parsed, bad = _parse_series(series, tz)
    parsed.index = original_index
    return parsed, bad


def _parse_series(series: pd.Series, tz: str) -> tuple[pd.Series, int]:
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        if not isinstance(series.dtype, (pd.DatetimeTZDtype, np.dtype)):  # Arrow timestamps
            series = pd.to_datetime(series)
        return _localise(series, tz), 0
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        parsed = _localise(_from_excel(series), tz)
        filled = series.notna()
        return parsed, int((parsed.isna() & filled).sum())
    objects = series.astype(object)
    out = pd.Series(pd.NaT, index=series.index, dtype=f"datetime64[us, {tz}]")
    stamps = objects.map(lambda v: isinstance(v, date | np.datetime64) and v is not pd.NaT)
    if stamps.any():
        as_ts = pd.Series([pd.Timestamp(v) for v in objects[stamps]], index=objects[stamps].index)
        for i, ts in as_ts.items():
            if pd.isna(ts):
                continue
            ts = ts.tz_convert(tz) if ts.tzinfo is not None else ts.tz_localize(tz)
            out[i] = ts.floor("us")
    numbers = objects.map(lambda v: isinstance(v, int | float | np.number) and not isinstance(v, bool))
    if numbers.any():
        parsed = _localise(_from_excel(objects[numbers].astype(float)), tz)
        out[parsed.index] = parsed
    strings = objects.map(lambda v: isinstance(v, str))
    empty = objects.map(
        lambda v: v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT or v is pd.NA
    )
    if strings.any():
        text = objects[strings].astype(str).str.strip()
        empty[text.index] = text == ""
        filled = text[text != ""]
        if len(filled):
            parsed = _parse_strings(filled.astype(object), tz)
            out[parsed.index] = parsed
    bad = int((out.isna() & ~empty.astype(bool)).sum())
    return out, bad
