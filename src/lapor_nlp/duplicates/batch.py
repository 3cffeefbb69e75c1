"""Batch de-duplication of a whole export: replay in submission order, link each complaint to its best
earlier duplicate, and report the resulting groups (what ``lapor-nlp duplicates`` writes)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from lapor_nlp._progress import progress_bar
from lapor_nlp.duplicates.index import DuplicateIndex
from lapor_nlp.errors import DataFormatError
from lapor_nlp.tables import parse_timestamps, read_table

GROUP_COLUMNS = ("group", "id", "duplicate_of", "score", "evidence")


def read_export(
    path: str | Path, *, id_column: str = "id", text_column: str = "text", sheet: str | None = None
) -> pd.DataFrame:
    """Read a complaint table (any :data:`~lapor_nlp.tables.TABLE_FORMATS`, a directory or a glob),
    checking that the id and text columns exist and ids are unique; ids are returned as text."""
    df = read_table(path, sheet=sheet)
    missing = [c for c in (id_column, text_column) if c not in df.columns]
    if missing:
        raise DataFormatError(
            f"{path} misses columns {missing}; it has {list(df.columns)} (use --id-column/--text-column)"
        )
    df[id_column] = [_id_text(v) for v in df[id_column].tolist()]
    dupes = df[id_column][df[id_column].duplicated()].unique()
    if len(dupes):
        raise DataFormatError(f"{path} repeats complaint ids, e.g. {list(dupes[:3])}; ids must be unique")
    return df


def _id_text(value: object) -> str:
    """An id cell as text: ``155340.0`` (a number column with gaps) -> ``"155340"``, missing -> ``""``."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def find_groups(
    df: pd.DataFrame,
    *,
    id_column: str = "id",
    text_column: str = "text",
    time_column: str | None = "submitted_at",
    location_columns: Sequence[str] = ("kecamatan", "kelurahan"),
    threshold: float | None = None,
    progress: bool = False,
) -> tuple[pd.DataFrame, DuplicateIndex]:
    """Return the duplicate groups (columns :data:`GROUP_COLUMNS`) and the index built on the way.

    Each complaint is queried against the earlier ones, then added. A complaint whose best match is a
    duplicate joins that match's group; groups are numbered from 1 in order of their first complaint,
    which has an empty ``duplicate_of``. Complaints without words are skipped. Times are read with
    :func:`~lapor_nlp.tables.parse_timestamps` (WIB unless they carry an offset); complaints whose time
    cannot be read come last and are compared without a time.
    """
    if time_column and time_column not in df.columns:
        time_column = None
    loc_cols = [c for c in location_columns if c in df.columns]
    times: list[pd.Timestamp | None] = [None] * len(df)
    if time_column:
        parsed, _ = parse_timestamps(df[time_column])
        order = np.argsort(parsed.to_numpy(dtype="datetime64[ns]"), kind="stable")  # NaT last
        df = df.iloc[order]
        times = [None if pd.isna(t) else t for t in parsed.iloc[order]]
    index = DuplicateIndex(threshold=threshold)
    parent: dict[str, str] = {}
    link: dict[str, tuple[str, float, str]] = {}
    rows = progress_bar(
        zip(df.to_dict("records"), times, strict=True),
        desc="de-duplicating",
        enabled=progress,
        unit="complaint",
        total=len(df),
    )
    for row, when in rows:
        text = row[text_column]
        if not isinstance(text, str) or not text.strip():
            continue
        cid = str(row[id_column])
        loc = {c: row[c] for c in loc_cols if isinstance(row[c], str)} or None
        try:
            matches = index.query(text, k=1, submitted_at=when, location=loc)
            index.add(cid, text, submitted_at=when, location=loc)
        except ValueError:  # no words after cleaning: nothing to compare
            continue
        if matches and matches[0].is_duplicate:
            best = matches[0]
            parent[cid] = parent.get(best.id, best.id)
            link[cid] = (best.id, best.score, best.evidence.summary())
    roots: dict[str, list[str]] = {}
    for child, root in parent.items():
        roots.setdefault(root, []).append(child)
    records = []
    for number, (root, children) in enumerate(roots.items(), start=1):
        records.append(
            {"group": number, "id": root, "duplicate_of": "", "score": float("nan"), "evidence": ""}
        )
        for child in children:
            of, score, evidence = link[child]
            records.append(
                {
                    "group": number,
                    "id": child,
                    "duplicate_of": of,
                    "score": round(score, 4),
                    "evidence": evidence,
                }
            )
    return pd.DataFrame.from_records(records, columns=list(GROUP_COLUMNS)), index
