"""What the endpoints do: route and store a complaint, list and fetch suggestions, record decisions.

All SQL goes through the ORM with bound parameters. Text is redacted before it is stored or indexed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lapor_nlp import EmptyComplaintError
from lapor_nlp.text import clean, redact
from service.app import schemas
from service.app.batcher import PredictBatcher
from service.app.db.models import DecisionRow, SuggestionRow
from service.app.errors import (
    IdConflictError,
    InvalidReferenceError,
    PayloadTooLargeError,
    SuggestionNotFoundError,
)
from service.app.guard import Guard, audit_key, audit_sampled
from service.app.state import DuplicateService, LoadedModel

logger = logging.getLogger("lapor_nlp.service")


def check_text(text: str, max_chars: int) -> None:
    """Refuse empty/whitespace text (422) and text over the size limit (413)."""
    if not text.strip():
        raise EmptyComplaintError("text is empty or only whitespace; send the complaint text in 'text'")
    if len(text) > max_chars:
        raise PayloadTooLargeError(
            f"text has {len(text)} characters; the limit is {max_chars} (LAPOR_NLP_MAX_TEXT_CHARS)"
        )
    if not clean(text):
        raise EmptyComplaintError(
            "text has no words (only symbols, emoji or links); send the complaint text in 'text'"
        )


def _evidence(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    summary = getattr(value, "summary", None)
    if callable(summary):  # lapor_nlp.duplicates.Evidence
        return [part for part in str(summary()).split("; ") if part]
    if isinstance(value, Mapping):
        return [f"{k}: {v}" for k, v in value.items()]
    try:
        return [str(v) for v in value]
    except TypeError:
        return [str(value)]


def _target(pred: Any) -> dict[str, Any]:
    return {
        "label": str(pred.label),
        "score": float(pred.score),
        "decision": "auto" if pred.decision == "auto" else "review",
        "top_k": [[str(label), float(score)] for label, score in pred.top_k],
        "explanation": [str(w) for w in pred.explanation],
    }


def _location_for(model: LoadedModel, location: Mapping[str, str] | None) -> dict[str, str] | None:
    if not location:
        return None
    wanted = tuple(model.router.location_columns)
    kept = {k: v for k, v in location.items() if k in wanted}
    return kept or None


def _sync_index(session: Session, dups: DuplicateService) -> None:
    """Add complaints stored (by any worker) since the index last looked (dups.lock held)."""
    rows = session.execute(
        select(
            SuggestionRow.id,
            SuggestionRow.text,
            SuggestionRow.submitted_at,
            SuggestionRow.location,
            SuggestionRow.external_id,
        )
        .where(SuggestionRow.id > dups.last_id)
        .order_by(SuggestionRow.id)
    ).all()
    dups.add_rows((r[0], r[1], r[2], r[3], r[4]) for r in rows)


def rebuild_index(session: Session, dups: DuplicateService) -> int:
    """Fill the duplicate index from every stored complaint; returns the number indexed."""
    with dups.lock:
        _sync_index(session, dups)
        return len(dups.index)


def route(
    session: Session,
    model: LoadedModel,
    dups: DuplicateService,
    req: schemas.RouteRequest,
    *,
    top_k: int,
    duplicates_k: int,
    max_chars: int,
    duplicates_min_score: float = 0.0,
    batcher: PredictBatcher | None = None,
    guard: Guard | None = None,
    audit_share: float = 0.0,
) -> tuple[SuggestionRow, bool]:
    """Route one complaint and store it; returns the row and whether it was new (False: idempotent replay)."""
    check_text(req.text, max_chars)
    redacted = redact(req.text)
    if req.id is not None:
        existing = session.scalar(select(SuggestionRow).where(SuggestionRow.external_id == req.id))
        if existing is not None:
            return _replay(existing, redacted, req.id)
    location = _location_for(model, req.location)
    if batcher is not None:
        suggestion = batcher.predict(model, redacted, location, top_k)
    else:
        suggestion = model.router.predict(redacted, location=location, top_k=top_k, already_redacted=True)
    category = _target(suggestion.targets[model.category_target])
    agency = _target(suggestion.targets["agency"])

    matches: list[Any] = []
    if duplicates_k > 0:
        with dups.lock:
            _sync_index(session, dups)
            matches = list(
                dups.index.query(
                    redacted,
                    k=duplicates_k,
                    submitted_at=req.submitted_at,
                    location=dict(req.location or {}) or None,
                )
            )
    duplicates = _duplicates_out(
        dups.external_ids, [m for m in matches if float(m.score) >= duplicates_min_score]
    )

    held = guard_hold(guard, model, category, agency)
    status = "auto" if category["decision"] == agency["decision"] == "auto" else "review"
    row = SuggestionRow(
        external_id=req.id,
        text=redacted,
        location=dict(req.location or {}),
        submitted_at=req.submitted_at,
        model_version=model.version,
        category_target=model.category_target,
        category_label=category["label"],
        category_score=category["score"],
        category_decision=category["decision"],
        category_top_k=category["top_k"],
        category_explanation=category["explanation"],
        agency_label=agency["label"],
        agency_score=agency["score"],
        agency_decision=agency["decision"],
        agency_top_k=agency["top_k"],
        agency_explanation=agency["explanation"],
        duplicates=duplicates,
        status=status,
        guard_held=held,
    )
    session.add(row)
    sample_audit(session, row, audit_share)
    try:
        session.commit()
    except IntegrityError:
        # Two requests with the same intake id raced; the first one won.
        session.rollback()
        existing = session.scalar(select(SuggestionRow).where(SuggestionRow.external_id == req.id))
        if existing is None:
            raise
        return _replay(existing, redacted, req.id or "")
    with dups.lock:
        if row.id == dups.last_id + 1:
            # Nothing was stored since the index last looked: index this row as written (the values
            # the database hands back) without reading it back.
            dups.add_rows([(row.id, redacted, _as_utc(req.submitted_at), row.location, req.id)])
        else:
            _sync_index(session, dups)
    logger.info("routed suggestion=%s status=%s audit=%s chars=%d", row.id, status, row.audit, len(redacted))
    return row, True


# -- audit sampling and the live precision guard (service/app/guard.py) -----------------------------
def guard_hold(
    guard: Guard | None, model: LoadedModel, category: dict[str, Any], agency: dict[str, Any]
) -> str:
    """Apply the guard to the two target suggestions (in place); returns ``SuggestionRow.guard_held``."""
    if guard is None:
        return ""
    return ",".join(guard.hold(model, category, agency))


def sample_audit(session: Session, row: SuggestionRow, share: float) -> None:
    """Mark an ``auto`` row for audit when its key is sampled (flushes first if it has no intake id)."""
    if row.status != "auto" or share <= 0.0:
        return
    if row.external_id is None and row.id is None:
        session.flush()  # the key is then "suggestion-<id>"
    row.audit = audit_sampled(audit_key(row), share)


def _as_utc(value: datetime | None) -> datetime | None:
    """``value`` as the database returns it: UTC-aware (naive values are taken as UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _replay(existing: SuggestionRow, redacted: str, external_id: str) -> tuple[SuggestionRow, bool]:
    if existing.text != redacted:
        raise IdConflictError(
            f"id {external_id!r} was already routed with a different text; send a new id for a new complaint"
        )
    return existing, False


def _duplicates_out(external: Mapping[int, str | None], matches: Sequence[Any]) -> list[dict[str, Any]]:
    out = []
    for m in matches:
        try:
            sid = int(m.id)
        except (TypeError, ValueError):
            continue
        if sid not in external:
            continue
        out.append(
            {
                "suggestion_id": sid,
                "id": external[sid],
                "score": round(float(m.score), 4),
                "is_duplicate": bool(m.is_duplicate),
                "evidence": _evidence(m.evidence),
            }
        )
    return out


def _target_out(
    label: str, score: float, decision: str, top_k: list[list[Any]], words: list[str]
) -> schemas.TargetOut:
    return schemas.TargetOut(
        label=label,
        score=score,
        decision=decision,  # type: ignore[arg-type]
        top_k=[schemas.LabelScore(label=str(lbl), score=float(s)) for lbl, s in top_k],
        explanation=list(words),
    )


def _decision_out(d: DecisionRow) -> schemas.DecisionOut:
    return schemas.DecisionOut(
        agency=d.agency,
        category=d.category,
        reviewer=d.reviewer,
        duplicate_of=d.duplicate_of,
        outcome=d.outcome,  # type: ignore[arg-type]
        unknown_agency=d.unknown_agency,
        unknown_category=d.unknown_category,
        decided_at=d.decided_at,
    )


def to_route_response(row: SuggestionRow) -> schemas.RouteResponse:
    words: list[str] = []
    for w in [*row.category_explanation, *row.agency_explanation]:
        if w not in words:
            words.append(w)
    return schemas.RouteResponse(
        suggestion_id=row.id,
        id=row.external_id,
        status=row.status,  # type: ignore[arg-type]
        category=_target_out(
            row.category_label,
            row.category_score,
            row.category_decision,
            row.category_top_k,
            row.category_explanation,
        ),
        agency=_target_out(
            row.agency_label, row.agency_score, row.agency_decision, row.agency_top_k, row.agency_explanation
        ),
        duplicates=[schemas.DuplicateOut(**d) for d in row.duplicates],
        explanation=words,
        model_version=row.model_version,
        audit=bool(row.audit),
        guard_held=[t for t in (row.guard_held or "").split(",") if t],
    )


def to_suggestion_out(row: SuggestionRow) -> schemas.SuggestionOut:
    history = [_decision_out(d) for d in row.decisions]
    return schemas.SuggestionOut(
        **to_route_response(row).model_dump(),
        text=row.text,
        location=dict(row.location or {}),
        submitted_at=row.submitted_at,
        created_at=row.created_at,
        decision=history[-1] if history else None,
        history=history,
    )


def get(session: Session, suggestion_id: int) -> SuggestionRow:
    row = session.get(SuggestionRow, suggestion_id)
    if row is None:
        raise SuggestionNotFoundError(
            f"no suggestion with id {suggestion_id}; list them with GET /v1/suggestions"
        )
    return row


def list_page(
    session: Session,
    *,
    status: str | None,
    agency: str | None,
    category: str | None,
    limit: int,
    offset: int,
    newest_first: bool,
) -> tuple[list[SuggestionRow], int]:
    """A page of suggestions, oldest first unless ``newest_first``; filters combine with AND."""
    query = select(SuggestionRow)
    if status == "audit":  # audited auto decisions not yet reviewed
        query = query.where(SuggestionRow.status == "auto", SuggestionRow.audit.is_(True))
    elif status is not None:
        query = query.where(SuggestionRow.status == status)
    if agency is not None:
        query = query.where(SuggestionRow.agency_label == agency)
    if category is not None:
        query = query.where(SuggestionRow.category_label == category)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    order = (SuggestionRow.id.desc(),) if newest_first else (SuggestionRow.id.asc(),)
    rows = session.scalars(query.order_by(*order).limit(limit).offset(offset)).all()
    return list(rows), int(total)


def backlog(session: Session) -> int:
    return int(session.scalar(select(func.count()).where(SuggestionRow.status == "review")) or 0)


def decide(
    session: Session,
    model: LoadedModel,
    suggestion_id: int,
    req: schemas.DecisionRequest,
) -> DecisionRow:
    """Record a reviewer's decision; labels the model does not know are accepted and flagged."""
    row = get(session, suggestion_id)
    if req.duplicate_of is not None:
        if req.duplicate_of == suggestion_id:
            raise InvalidReferenceError("duplicate_of must name another suggestion, not this one")
        if session.get(SuggestionRow, req.duplicate_of) is None:
            raise InvalidReferenceError(
                f"duplicate_of={req.duplicate_of} is not a known suggestion id; "
                "use an id from GET /v1/suggestions"
            )
    unknown_agency = req.agency not in set(model.router.labels("agency"))
    unknown_category = req.category not in set(model.router.labels(model.category_target))
    if req.duplicate_of is not None:
        outcome = "duplicate"
    elif req.agency == row.agency_label and req.category == row.category_label:
        outcome = "accepted"
    else:
        outcome = "overridden"
    decision = DecisionRow(
        suggestion_id=row.id,
        agency=req.agency,
        category=req.category,
        reviewer=req.reviewer,
        duplicate_of=req.duplicate_of,
        outcome=outcome,
        unknown_agency=unknown_agency,
        unknown_category=unknown_category,
        decided_at=datetime.now().astimezone(),
    )
    session.add(decision)
    row.status = "decided"
    session.commit()
    session.refresh(row)
    logger.info(
        "decision suggestion=%s outcome=%s flagged=%s", row.id, outcome, unknown_agency or unknown_category
    )
    return decision
