"""Reviewed complaints as a training table or DataFrame (``lapor-nlp export-feedback``, retraining).

Only suggestions a reviewer decided are written, with the reviewer's final labels; automatic
decisions nobody looked at are left out so the model does not learn from itself. A complaint a
receiving office sent back ("Bukan Wewenang") and a reviewer then decided again is written with that
final label, ``returned_by`` naming the offices that returned it and ``strong_example`` = ``"1"``: the
model's dispatch was shown wrong by the office itself and corrected by a person.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from lapor_nlp import write_table
from lapor_nlp.routing.retrain import FEEDBACK_ONLY_COLUMNS
from service.app.db.engine import build_engine
from service.app.db.models import DecisionRow, SuggestionRow

BASE_COLUMNS = ("id", "text", "submitted_at")
#: Columns that describe the review, not the complaint (the library's retrain keeps them apart).
EXTRA_COLUMNS = FEEDBACK_ONLY_COLUMNS


def iter_feedback(session: Session) -> Iterator[dict[str, Any]]:
    """One dict per decided suggestion, its latest decision applied, oldest first."""
    rows = session.scalars(
        select(SuggestionRow).where(SuggestionRow.decisions.any()).order_by(SuggestionRow.id)
    )
    for row in rows:
        decision: DecisionRow = row.decisions[-1]
        record: dict[str, Any] = {
            "id": row.external_id or f"suggestion-{row.id}",
            "text": row.text,
            "submitted_at": (row.submitted_at or row.created_at).isoformat(),
            row.category_target: decision.category,
            "agency": decision.agency,
        }
        for key, value in (row.location or {}).items():
            record.setdefault(key, value)
        record.update(
            {
                "outcome": decision.outcome,
                "duplicate_of": decision.duplicate_of or "",
                "flagged": "unknown_agency"
                if decision.unknown_agency
                else ("unknown_category" if decision.unknown_category else ""),
                "reviewer": decision.reviewer,
                "decided_at": decision.decided_at.isoformat(),
                "model_version": row.model_version,
                "suggested_category": row.category_label,
                "suggested_agency": row.agency_label,
                "returned_by": ";".join(row.returned_agencies or []),
                "strong_example": "1" if _corrected_after_return(row, decision) else "",
            }
        )
        yield record


def _corrected_after_return(row: SuggestionRow, decision: DecisionRow) -> bool:
    """Whether a reviewer decided ``row`` after a receiving office returned it."""
    return row.returned_at is not None and decision.decided_at >= row.returned_at


def _columns(records: list[dict[str, Any]]) -> list[str]:
    columns: list[str] = list(BASE_COLUMNS)
    for record in records:
        for key in record:
            if key not in columns and key not in EXTRA_COLUMNS:
                columns.append(key)
    return columns + list(EXTRA_COLUMNS)


def _read_records(database_url: str) -> list[dict[str, Any]]:
    engine = build_engine(database_url)
    try:
        if not inspect(engine).has_table("suggestions"):
            raise FileNotFoundError(
                f"no lapor-nlp tables in {engine.url.render_as_string(hide_password=True)}; "
                "point --database-url at the service's database"
            )
        with Session(engine) as session:
            return list(iter_feedback(session))
    finally:
        engine.dispose()


def feedback_frame(session: Session) -> pd.DataFrame:
    """The reviewed complaints as a DataFrame, columns as in the CSV export (text cells, ``""`` if empty)."""
    return _frame(list(iter_feedback(session)))


def export_feedback_frame(database_url: str) -> pd.DataFrame:
    """The reviewed complaints in ``database_url`` as a DataFrame (what ``lapor-nlp retrain`` appends)."""
    return _frame(_read_records(database_url))


def _frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame.from_records(records, columns=_columns(records)).fillna("").astype(str)


def export_feedback(database_url: str, output: Path) -> int:
    """Write the reviewed complaints in ``database_url`` to ``output`` (format by extension: CSV, TSV,
    XLSX, Parquet, JSON Lines; no suffix = Parquet directory); returns the row count."""
    frame = export_feedback_frame(database_url)
    write_table(frame, output)
    return len(frame)
