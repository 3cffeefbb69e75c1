"""Batch de-duplication of a whole export: replay in submission order, link each complaint to its best
earlier duplicate, and report the resulting groups (what ``lapor-nlp duplicates`` writes)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from lapor_nlp._progress import progress_bar
from lapor_nlp.duplicates.index import DuplicateIndex
from lapor_nlp.errors import DataFormatError

GROUP_COLUMNS = ("group", "id", "duplicate_of", "score", "evidence")


def read_export(path: str | Path, *, id_column: str = "id", text_column: str = "text") -> pd.DataFrame:
    """Read a complaint CSV, checking that the id and text columns exist and ids are unique."""
    try:
        df = pd.read_csv(path, dtype={id_column: str})
    except FileNotFoundError as exc:
        raise DataFormatError(f"no CSV file at {path}") from exc
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise DataFormatError(f"cannot read {path} as CSV: {exc}") from exc
    missing = [c for c in (id_column, text_column) if c not in df.columns]
    if missing:
        raise DataFormatError(
            f"{path} misses columns {missing}; it has {list(df.columns)} (use --id-column/--text-column)"
        )
    dupes = df[id_column][df[id_column].duplicated()].unique()
    if len(dupes):
        raise DataFormatError(f"{path} repeats complaint ids, e.g. {list(dupes[:3])}; ids must be unique")
    return df


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
    which has an empty ``duplicate_of``. Complaints without words are skipped.
    """
    if time_column and time_column not in df.columns:
        time_column = None
    loc_cols = [c for c in location_columns if c in df.columns]
    if time_column:
        try:
            order = pd.to_datetime(df[time_column], errors="raise", format="mixed").argsort(kind="stable")
        except (ValueError, TypeError) as exc:
            raise DataFormatError(f"column {time_column!r} holds values that are not dates: {exc}") from exc
        df = df.iloc[order.to_numpy()]
    index = DuplicateIndex(threshold=threshold)
    parent: dict[str, str] = {}
    link: dict[str, tuple[str, float, str]] = {}
    rows = df.to_dict("records")
    rows = progress_bar(rows, desc="de-duplicating", enabled=progress, unit="complaint")
    for row in rows:
        text = row[text_column]
        if not isinstance(text, str) or not text.strip():
            continue
        cid = str(row[id_column])
        when = row[time_column] if time_column and pd.notna(row[time_column]) else None
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
