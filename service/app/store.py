"""What the endpoints do: route and store a complaint, list and fetch suggestions, record decisions.

All SQL goes through the ORM with bound parameters. Text is redacted before it is stored or indexed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, and_, bindparam, case, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lapor_nlp import EmptyComplaintError
from lapor_nlp.text import clean, redact
from service.app import outbox, schemas
from service.app.batcher import PredictBatcher
from service.app.db.models import AgencyResponseRow, DecisionRow, SuggestionRow, utcnow
from service.app.errors import (
    AlreadyDecided,
    ClaimedByOther,
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


_FACTS = (
    "text_similarity",
    "same_kelurahan",
    "same_kecamatan",
    "shared_places",
    "conflicting_places",
    "days_apart",
    "shared_phrases",
)


def _facts(value: Any) -> dict[str, Any] | None:
    """The duplicate evidence as data (the page words it from its catalogue); None if it has none."""
    if value is None or isinstance(value, (str, Mapping)) or not hasattr(value, "text_similarity"):
        return None
    out: dict[str, Any] = {}
    for name in _FACTS:
        v = getattr(value, name, None)
        if isinstance(v, tuple):
            v = [str(x) for x in v]
        elif isinstance(v, float):
            v = round(v, 4)
        out[name] = v
    return out


def _target(pred: Any) -> dict[str, Any]:
    threshold = getattr(pred, "threshold", None)
    return {
        "label": str(pred.label),
        "score": float(pred.score),
        "decision": "auto" if pred.decision == "auto" else "review",
        "top_k": [[str(label), float(score)] for label, score in pred.top_k],
        "explanation": [str(w) for w in pred.explanation],
        "threshold": None if threshold is None else float(threshold),
    }


def dispatch_status(decisions: Mapping[str, str], routing_targets: Sequence[str]) -> str:
    """``"auto"`` iff every routing target's decision (``{"category": ..., "agency": ...}``) is auto."""
    return "auto" if all(decisions[t] == "auto" for t in routing_targets) else "review"


def _location_for(model: LoadedModel, location: Mapping[str, str] | None) -> dict[str, str] | None:
    if not location:
        return None
    wanted = tuple(model.router.location_columns)
    kept = {k: v for k, v in location.items() if k in wanted}
    return kept or None


_SUGGESTIONS = cast(Table, SuggestionRow.__table__)  # declared as FromClause; a mapped class's is a Table
_INDEX_COLUMNS = tuple(
    _SUGGESTIONS.c[name] for name in ("id", "text", "submitted_at", "location", "external_id")
)
# Built once: a plain Core statement skips the ORM's per-call statement building (run on every route).
_NEWER_ROWS = (
    select(*_INDEX_COLUMNS).where(_SUGGESTIONS.c.id > bindparam("last_id")).order_by(_SUGGESTIONS.c.id)
)


# One Core INSERT ... RETURNING id per new complaint: for a single row the ORM unit of work costs about
# twice as much (0.55 vs 0.26 ms of CPU, SQLite), and a flush for the audit key a third more.
_INSERT = insert(_SUGGESTIONS).returning(_SUGGESTIONS.c.id)
_MARK_AUDIT = update(_SUGGESTIONS).where(_SUGGESTIONS.c.id == bindparam("row_id")).values(audit=True)


def _sync_index(session: Session, dups: DuplicateService) -> None:
    """Add complaints stored (by any worker or replica) since the index last looked (dups.lock held)."""
    statement = _NEWER_ROWS
    gaps = dups.open_gaps()
    if gaps:  # ids another process had taken but not committed when we last looked
        statement = (
            select(*_INDEX_COLUMNS)
            .where(or_(_SUGGESTIONS.c.id > bindparam("last_id"), _SUGGESTIONS.c.id.in_(gaps)))
            .order_by(_SUGGESTIONS.c.id)
        )
    rows = session.connection().execute(statement, {"last_id": dups.last_id}).all()
    dups.add_rows((r[0], r[1], r[2], r[3], r[4]) for r in rows)


def rebuild_index(session: Session, dups: DuplicateService) -> int:
    """Fill the duplicate index from every stored complaint; returns the number indexed."""
    with dups.lock:
        _sync_index(session, dups)
        return len(dups.index)


@dataclass
class _Fresh:
    """A complaint of this request that is not stored yet: its position, redacted text and suggestion."""

    position: int
    req: schemas.RouteRequest
    redacted: str
    suggestion: Any


def route_many(
    session: Session,
    model: LoadedModel,
    dups: DuplicateService,
    reqs: Sequence[schemas.RouteRequest],
    *,
    top_k: int,
    duplicates_k: int,
    max_chars: int,
    duplicates_min_score: float = 0.0,
    batcher: PredictBatcher | None = None,
    guard: Guard | None = None,
    audit_share: float = 0.0,
    routing_targets: Sequence[str] = ("agency",),
) -> list[tuple[SuggestionRow, bool]]:
    """Route complaints and store them in one transaction: every new one is stored, or none is.

    A complaint's ``status`` is ``auto`` iff every one of ``routing_targets`` is ``auto``.

    Returns ``(row, new)`` per complaint, in order; ``new`` is False for an ``id`` routed before (by
    any replica, or earlier in the same batch) with the same text, whose stored result is returned.
    An ``id`` reused with another text raises :class:`IdConflictError` naming the item, and nothing
    is stored. Later complaints of a batch see earlier ones as duplicate candidates.
    """
    for i, req in enumerate(reqs):
        try:
            check_text(req.text, max_chars)
        except (EmptyComplaintError, PayloadTooLargeError) as exc:
            if len(reqs) == 1:
                raise
            raise type(exc)(f"complaints[{i}]: {exc}; nothing in this batch was stored") from None
    redacted = [redact(req.text) for req in reqs]
    replays = _stored_results(session, reqs, redacted)
    fresh = _predict(model, reqs, redacted, [i for i in range(len(reqs)) if i not in replays], top_k, batcher)

    def store_fresh(items: list[_Fresh]) -> dict[int, SuggestionRow]:
        return _store(
            session,
            model,
            dups,
            items,
            duplicates_k,
            duplicates_min_score,
            guard,
            audit_share,
            routing_targets,
        )

    try:
        rows = store_fresh(fresh)
    except IntegrityError:
        # Another request (any replica) stored one of these ids meanwhile: replay what it stored.
        replays = _stored_results(session, reqs, redacted)
        rows = store_fresh([f for f in fresh if f.position not in replays])
    return _results(len(reqs), rows, replays)


def _stored_results(
    session: Session, reqs: Sequence[schemas.RouteRequest], redacted: Sequence[str]
) -> dict[int, SuggestionRow | int]:
    """Position -> stored row (or earlier position in this request) for ids routed before."""
    ids = {req.id for req in reqs if req.id is not None}
    stored: dict[str, SuggestionRow] = {}
    if ids:
        found = session.scalars(select(SuggestionRow).where(SuggestionRow.external_id.in_(ids)))
        stored = {row.external_id: row for row in found if row.external_id is not None}
    first: dict[str, int] = {}
    replays: dict[int, SuggestionRow | int] = {}
    for i, (req, text) in enumerate(zip(reqs, redacted, strict=True)):
        if req.id is None:
            continue
        if req.id in stored:
            _check_same_text(stored[req.id].text, text, req.id, i, len(reqs))
            replays[i] = stored[req.id]
        elif req.id in first:
            _check_same_text(redacted[first[req.id]], text, req.id, i, len(reqs))
            replays[i] = first[req.id]
        else:
            first[req.id] = i
    return replays


def _check_same_text(stored: str, text: str, external_id: str, position: int, count: int) -> None:
    if stored == text:
        return
    where = f"complaints[{position}]: " if count > 1 else ""
    nothing = "; nothing in this batch was stored" if count > 1 else ""
    raise IdConflictError(
        f"{where}id {external_id!r} was already routed with a different text{nothing}; "
        "send a new id for a new complaint"
    )


def _predict(
    model: LoadedModel,
    reqs: Sequence[schemas.RouteRequest],
    redacted: Sequence[str],
    positions: list[int],
    top_k: int,
    batcher: PredictBatcher | None,
) -> list[_Fresh]:
    """The model's suggestions for the complaints at ``positions`` (texts already redacted)."""
    items = [(redacted[i], _location_for(model, reqs[i].location)) for i in positions]
    if batcher is not None:
        suggestions = batcher.predict_many(model, items, top_k)
    else:
        suggestions = [
            model.router.predict(text, location=location, top_k=top_k, already_redacted=True)
            for text, location in items
        ]
    return [_Fresh(i, reqs[i], redacted[i], s) for i, s in zip(positions, suggestions, strict=True)]


def _store(
    session: Session,
    model: LoadedModel,
    dups: DuplicateService,
    fresh: list[_Fresh],
    duplicates_k: int,
    duplicates_min_score: float,
    guard: Guard | None = None,
    audit_share: float = 0.0,
    routing_targets: Sequence[str] = ("agency",),
) -> dict[int, SuggestionRow]:
    """Find duplicates, insert and commit the new rows, and index them; on failure undo it all.

    The index lock is held from the sync to the end, so the complaints of this request and those of
    other threads of this process are indexed in commit order.
    """
    rows: dict[int, SuggestionRow] = {}
    if not fresh:
        return rows
    with dups.lock:
        _sync_index(session, dups)
        synced = dups.last_id
        indexed: list[int] = []
        try:
            for n, item in enumerate(fresh):
                matches = _find_duplicates(dups, item.req, item.redacted, duplicates_k, duplicates_min_score)
                values = _row_values(model, item, matches, guard, routing_targets)
                row = _insert_row(session, values, audit_share)
                rows[item.position] = row
                if n < len(fresh) - 1:  # the next complaints of the batch see this one as earlier
                    dups.add_rows([_index_entry(row, item)])
                    indexed.append(row.id)
            outbox.emit(session, [routed_event(row) for row in rows.values()])  # same transaction
            session.commit()
        except BaseException:
            session.rollback()
            dups.forget(indexed, last_id=synced)
            raise
        dups.add_rows([_index_entry(rows[fresh[-1].position], fresh[-1])])
    for row in rows.values():
        logger.debug(
            "routed suggestion=%s status=%s audit=%s chars=%d", row.id, row.status, row.audit, len(row.text)
        )
    return rows


def routed_event(row: SuggestionRow) -> dict[str, Any]:
    """The ``complaint.routed`` event of a new suggestion: what ``POST /v1/route`` answered."""
    data = to_route_response(row).model_dump(mode="json")
    return outbox.new_event(outbox.ROUTED, row.id, row.external_id, data)


def _find_duplicates(
    dups: DuplicateService, req: schemas.RouteRequest, redacted: str, k: int, min_score: float
) -> list[dict[str, Any]]:
    """Earlier complaints about the same problem, as stored with the suggestion (dups.lock held)."""
    if k <= 0:
        return []
    matches = dups.index.query(
        redacted, k=k, submitted_at=req.submitted_at, location=dict(req.location or {}) or None
    )
    return _duplicates_out(dups.external_ids, [m for m in matches if float(m.score) >= min_score])


def _row_values(
    model: LoadedModel,
    item: _Fresh,
    duplicates: list[dict[str, Any]],
    guard: Guard | None = None,
    routing_targets: Sequence[str] = ("agency",),
) -> dict[str, Any]:
    """The column values of the new suggestion row of ``item``."""
    category = _target(item.suggestion.targets[model.category_target])
    agency = _target(item.suggestion.targets["agency"])
    held = guard_hold(guard, model, category, agency)
    req = item.req
    status = dispatch_status(
        {"category": category["decision"], "agency": agency["decision"]}, routing_targets
    )
    return dict(
        created_at=utcnow(),
        external_id=req.id,
        text=item.redacted,
        location=dict(req.location or {}),
        submitted_at=req.submitted_at,
        model_version=model.version,
        category_target=model.category_target,
        category_label=category["label"],
        category_score=category["score"],
        category_decision=category["decision"],
        category_top_k=category["top_k"],
        category_explanation=category["explanation"],
        category_threshold=category["threshold"],
        agency_label=agency["label"],
        agency_score=agency["score"],
        agency_decision=agency["decision"],
        agency_top_k=agency["top_k"],
        agency_explanation=agency["explanation"],
        agency_threshold=agency["threshold"],
        duplicates=duplicates,
        guard_held=held,
        status=status,
        routed=status,
    )


# -- audit sampling and the live precision guard (service/app/guard.py) -----------------------------
def guard_hold(
    guard: Guard | None, model: LoadedModel, category: dict[str, Any], agency: dict[str, Any]
) -> str:
    """Apply the guard to the two target suggestions (in place); returns ``SuggestionRow.guard_held``."""
    if guard is None:
        return ""
    return ",".join(guard.hold(model, category, agency))


def _insert_row(session: Session, values: dict[str, Any], audit_share: float) -> SuggestionRow:
    """Insert a new suggestion in the session's transaction; returns it with its id and audit flag.

    The returned row stays outside the session: it records what was stored, for the response and the
    index (columns the database fills, such as ``created_at``, are not read back). An ``auto``
    decision is marked for audit when its key is sampled (:func:`service.app.guard.audit_key`).
    """
    row = SuggestionRow(**values)
    audit = row.status == "auto" and audit_share > 0.0
    if audit and row.external_id is not None:
        values = {**values, "audit": (audit := audit_sampled(audit_key(row), audit_share))}
    row.id = session.execute(_INSERT, values).scalar_one()
    if audit and row.external_id is None:  # the key is "suggestion-<id>": known only now
        audit = audit_sampled(audit_key(row), audit_share)
        if audit:
            session.execute(_MARK_AUDIT, {"row_id": row.id})
    row.audit = audit
    return row


def _index_entry(
    row: SuggestionRow, item: _Fresh
) -> tuple[int, str, datetime | None, dict[str, str], str | None]:
    """The index entry of a new row, as the database hands it back, without reading it back."""
    return (row.id, item.redacted, _as_utc(item.req.submitted_at), row.location, item.req.id)


def _results(
    count: int, rows: Mapping[int, SuggestionRow], replays: Mapping[int, SuggestionRow | int]
) -> list[tuple[SuggestionRow, bool]]:
    out: list[tuple[SuggestionRow, bool]] = []
    for i in range(count):
        if i in rows:
            out.append((rows[i], True))
            continue
        earlier = replays[i]
        out.append((rows[earlier] if isinstance(earlier, int) else earlier, False))
    return out


def _as_utc(value: datetime | None) -> datetime | None:
    """``value`` as the database returns it: UTC-aware (naive values are taken as UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


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
                "facts": _facts(m.evidence),
            }
        )
    return out


def _target_out(
    label: str,
    score: float,
    decision: str,
    top_k: list[list[Any]],
    words: list[str],
    threshold: float | None = None,
    final: str | None = None,
) -> schemas.TargetOut:
    """One target as the API shows it; ``final`` (a reviewer's label) replaces the model's label."""
    return schemas.TargetOut(
        label=label if final is None else final,
        score=score,
        decision="decided" if final is not None else decision,  # type: ignore[arg-type]
        top_k=[schemas.LabelScore(label=str(lbl), score=float(s)) for lbl, s in top_k],
        explanation=list(words),
        threshold=threshold,
        suggested_label=label if final is not None and final != label else None,
    )


def disposition(row: SuggestionRow) -> schemas.DispositionOut | None:
    """Where the complaint is dispatched now: the latest reviewer decision, else the model's ``auto``."""
    if row.status == "decided" and row.decisions:
        d = row.decisions[-1]
        return schemas.DispositionOut(
            agency=d.agency,
            category=d.category,
            by="reviewer",
            decided_at=d.decided_at,
            category_confirmed=True,
        )
    if row.status == "auto":
        return schemas.DispositionOut(
            agency=row.agency_label,
            category=row.category_label,
            by="model",
            decided_at=row.created_at,
            category_confirmed=row.category_decision == "auto",
        )
    return None


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


def _agency_out(row: SuggestionRow) -> schemas.TargetOut:
    """The agency suggestion as shown: an office that returned the complaint is never offered first.

    The stored suggestion is kept as the model made it (the guard measures that); here the returning
    offices move to the end of the top-k and the first other office becomes the suggestion, for review.
    With no other office in the top-k the label is empty: the reviewer has to name one.
    """
    returned = set(row.returned_agencies or [])
    if not returned:
        return _target_out(
            row.agency_label,
            row.agency_score,
            row.agency_decision,
            row.agency_top_k,
            row.agency_explanation,
            row.agency_threshold,
        )
    top_k = [p for p in row.agency_top_k if p[0] not in returned] + [
        p for p in row.agency_top_k if p[0] in returned
    ]
    first = next((p for p in top_k if p[0] not in returned), None)
    if row.agency_label not in returned:
        label, score = row.agency_label, row.agency_score
    elif first is not None:
        label, score = str(first[0]), float(first[1])
    else:
        label, score = "", 0.0
    return _target_out(label, score, "review", top_k, row.agency_explanation)


def _returned_out(row: SuggestionRow) -> schemas.ReturnedOut | None:
    if row.returned_at is None:
        return None
    return schemas.ReturnedOut(
        agency=row.returned_agency or "",
        reason=row.return_reason or "",
        by=row.returned_by or "",
        returned_at=row.returned_at,
        agencies=list(row.returned_agencies or []),
    )


def to_route_response(row: SuggestionRow) -> schemas.RouteResponse:
    """The API view of a stored complaint. Once decided, ``category``/``agency`` carry the reviewer's
    labels (decision ``decided``, the model's own label in ``suggested_label`` when it differs)."""
    words: list[str] = []
    for w in [*row.category_explanation, *row.agency_explanation]:
        if w not in words:
            words.append(w)
    final = disposition(row)
    decided = final is not None and final.by == "reviewer"
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
            row.category_threshold,
            final.category if final is not None and decided else None,
        ),
        agency=(
            _target_out(
                row.agency_label,
                row.agency_score,
                row.agency_decision,
                row.agency_top_k,
                row.agency_explanation,
                row.agency_threshold,
                final.agency,
            )
            if final is not None and decided
            else _agency_out(row)
        ),
        duplicates=[schemas.DuplicateOut(**d) for d in row.duplicates],
        explanation=words,
        model_version=row.model_version,
        audit=bool(row.audit),
        guard_held=[t for t in (row.guard_held or "").split(",") if t],
        disposition=final,
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
        **_live_claim(row),
        returned=_returned_out(row),
    )


def _live_claim(row: SuggestionRow) -> dict[str, Any]:
    """``claimed_by``/``claimed_until`` of a claim that still holds (an expired one is no claim)."""
    until = _as_utc(row.claimed_until)
    if row.claimed_by is None or until is None or until <= datetime.now(UTC):
        return {"claimed_by": None, "claimed_until": None}
    return {"claimed_by": row.claimed_by, "claimed_until": until}


def get_by_intake_id(session: Session, external_id: str) -> SuggestionRow:
    """The complaint the intake system sent with ``id`` = ``external_id``."""
    row = session.scalar(select(SuggestionRow).where(SuggestionRow.external_id == external_id))
    if row is None:
        raise SuggestionNotFoundError(
            f"no complaint was routed with id {external_id!r}; send it to POST /v1/route first"
        )
    return row


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
    elif status == "categorise":  # dispatched, the category still to confirm
        query = query.where(SuggestionRow.status == "auto", SuggestionRow.category_decision == "review")
    elif status is not None:
        query = query.where(SuggestionRow.status == status)
    if agency is not None:
        query = query.where(SuggestionRow.agency_label == agency)
    if category is not None:
        query = query.where(SuggestionRow.category_label == category)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    order: tuple[Any, ...] = (SuggestionRow.id.desc(),) if newest_first else (SuggestionRow.id.asc(),)
    order = (*_returned_first(status or ""), *order)
    rows = session.scalars(query.order_by(*order).limit(limit).offset(offset)).all()
    return list(rows), int(total)


def stored_count(session: Session) -> int:
    """How many complaints are stored (the same figure from every worker and replica)."""
    return int(session.scalar(select(func.count()).select_from(_SUGGESTIONS)) or 0)


def backlog(session: Session) -> int:
    return int(session.scalar(select(func.count()).where(SuggestionRow.status == "review")) or 0)


def decide(
    session: Session,
    model: LoadedModel,
    suggestion_id: int,
    req: schemas.DecisionRequest,
) -> DecisionRow:
    """Record a reviewer's decision; labels the model does not know are accepted and flagged.

    A suggestion another reviewer has claimed (and whose claim has not run out) raises
    :class:`ClaimedByOther` unless ``req.force``; the check and the status change are one conditional
    UPDATE, so two reviewers deciding at once cannot both pass it. A decision ends the claim.
    """
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
    now = datetime.now(UTC)
    condition = _SUGGESTIONS.c.id == suggestion_id
    if not req.force:
        condition = and_(condition, _free_for(req.reviewer, now))
    taken = session.execute(
        update(_SUGGESTIONS).where(condition).values(status="decided", claimed_by=None, claimed_until=None)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise _claimed_by_other(session, suggestion_id)
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
    data = {
        "agency": decision.agency,
        "category": decision.category,
        "outcome": outcome,
        "reviewer": decision.reviewer,
        "duplicate_of": decision.duplicate_of,
        "decided_at": decision.decided_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "returned_by": list(row.returned_agencies or []),
    }
    outbox.emit(session, [outbox.new_event(outbox.DECIDED, row.id, row.external_id, data)])
    session.commit()
    session.refresh(row)
    logger.info(
        "decision suggestion=%s outcome=%s flagged=%s forced=%s",
        row.id,
        outcome,
        unknown_agency or unknown_category,
        req.force,
    )
    return decision


# -- reviewer claims: a row state with an owner and an expiry, never a lock held across requests ----
def _free_for(reviewer: str, now: datetime) -> ColumnElement[bool]:
    """Not claimed, claimed by ``reviewer`` already, or claimed by someone whose claim ran out."""
    c = _SUGGESTIONS.c
    return or_(
        c.claimed_by.is_(None), c.claimed_by == reviewer, c.claimed_until.is_(None), c.claimed_until <= now
    )


def _queue(status: str, agency: str | None, category: str | None) -> list[ColumnElement[bool]]:
    c = _SUGGESTIONS.c
    where: list[ColumnElement[bool]] = (
        [c.status == "auto", c.audit.is_(True)] if status == "audit" else [c.status == status]
    )
    if agency is not None:
        where.append(c.agency_label == agency)
    if category is not None:
        where.append(c.category_label == category)
    return where


def _returned_first(status: str) -> tuple[ColumnElement[int], ...]:
    """In the review queue, complaints a receiving office sent back come first."""
    if status != "review":
        return ()
    return (case((_SUGGESTIONS.c.returned_at.is_(None), 1), else_=0),)


def claim(
    session: Session,
    reviewer: str,
    *,
    limit: int,
    seconds: float,
    status: str = "review",
    agency: str | None = None,
    category: str | None = None,
) -> tuple[list[SuggestionRow], datetime]:
    """Claim the oldest suggestions of a queue nobody else holds for ``reviewer``; returns them, oldest first
    (in the review queue, complaints a receiving office returned before the rest).

    Suggestions ``reviewer`` holds already come first (the claim is renewed), then the oldest free
    ones. One short transaction: on PostgreSQL ``SELECT ... FOR UPDATE SKIP LOCKED`` takes the rows
    (concurrent claimers skip each other's rows instead of waiting), then one UPDATE sets the claim;
    on SQLite, which has one writer at a time, a single conditional ``UPDATE ... RETURNING`` does both.
    """
    c = _SUGGESTIONS.c
    now = datetime.now(UTC)
    until = now + timedelta(seconds=seconds)
    mine_first = (c.claimed_by == reviewer).desc()
    pick = (
        select(c.id)
        .where(*_queue(status, agency, category), _free_for(reviewer, now))
        .order_by(mine_first, *_returned_first(status), c.id)
        .limit(limit)
    )
    values = {"claimed_by": reviewer, "claimed_until": until}
    try:
        if session.get_bind().dialect.name == "postgresql":
            ids = list(session.scalars(pick.with_for_update(skip_locked=True, of=_SUGGESTIONS)))
            if ids:
                session.execute(update(_SUGGESTIONS).where(c.id.in_(ids)).values(**values))
        else:
            returned = session.execute(
                update(_SUGGESTIONS)
                .where(c.id.in_(pick), _free_for(reviewer, now))
                .values(**values)
                .returning(c.id)
            )
            ids = [r[0] for r in returned]
        session.commit()
    except BaseException:
        session.rollback()
        raise
    if not ids:
        return [], until
    rows = session.scalars(
        select(SuggestionRow)
        .where(SuggestionRow.id.in_(ids))
        .order_by(*_returned_first(status), SuggestionRow.id)
    )
    logger.info("claim reviewer_chars=%d claimed=%d status=%s", len(reviewer), len(ids), status)
    return list(rows.unique()), until


def renew(
    session: Session, suggestion_id: int, reviewer: str, *, seconds: float
) -> tuple[SuggestionRow, datetime]:
    """Claim (or renew the claim on) one suggestion for ``reviewer``.

    Raises :class:`SuggestionNotFoundError`, :class:`AlreadyDecided`, or :class:`ClaimedByOther`
    when another reviewer's claim holds it.
    """
    now = datetime.now(UTC)
    until = now + timedelta(seconds=seconds)
    c = _SUGGESTIONS.c
    taken = session.execute(
        update(_SUGGESTIONS)
        .where(c.id == suggestion_id, c.status != "decided", _free_for(reviewer, now))
        .values(claimed_by=reviewer, claimed_until=until)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        row = get(session, suggestion_id)
        if row.status == "decided":
            raise AlreadyDecided(
                f"suggestion {suggestion_id} has been decided; "
                "claim the next one with POST /v1/suggestions/claim"
            )
        raise _claimed_by_other(session, suggestion_id)
    session.commit()
    row = get(session, suggestion_id)
    session.refresh(row)
    return row, until


def release(session: Session, reviewer: str, ids: Sequence[int] | None = None) -> int:
    """Give up ``reviewer``'s claims (all, or those on ``ids``); returns how many were released."""
    c = _SUGGESTIONS.c
    condition: ColumnElement[bool] = c.claimed_by == reviewer
    if ids is not None:
        condition = and_(condition, c.id.in_(list(ids)))
    done = session.execute(update(_SUGGESTIONS).where(condition).values(claimed_by=None, claimed_until=None))
    session.commit()
    return int(done.rowcount)  # type: ignore[attr-defined]


def _claimed_by_other(session: Session, suggestion_id: int) -> ClaimedByOther:
    """The error for a suggestion another reviewer's claim holds (404 if there is no such suggestion)."""
    row = get(session, suggestion_id)
    session.refresh(row)
    claim = _live_claim(row)
    return ClaimedByOther(
        f"suggestion {suggestion_id} is claimed by another reviewer until {claim['claimed_until']}; "
        'take the next one with POST /v1/suggestions/claim, or send "force": true to decide anyway '
        "(supervisors)",
        claimed_by=claim["claimed_by"],
        claimed_until=claim["claimed_until"],
    )


# -- answers of the receiving office (returns "Bukan Wewenang", acceptances) -------------------------
def return_complaint(session: Session, suggestion_id: int, req: schemas.ReturnRequest) -> AgencyResponseRow:
    """Record that ``req.agency`` sent the complaint back: it returns to the review queue (shown first,
    with who and why), that office is no longer offered first, and ``complaint.returned`` goes out in
    the same transaction."""
    row = get(session, suggestion_id)
    now = utcnow()
    response = _response(row, "return", req.agency, req.reason, req.by, now)
    session.add(response)
    previous = row.status
    row.status = "review"
    row.returned_at = now
    row.returned_by = req.by
    row.returned_agency = req.agency
    row.return_reason = req.reason
    row.returned_agencies = [*[a for a in (row.returned_agencies or []) if a != req.agency], req.agency]
    data = {
        "agency": req.agency,
        "reason": req.reason,
        "by": req.by,
        "returned_at": now.isoformat().replace("+00:00", "Z"),
        "previous_status": previous,
        "status": "review",
    }
    outbox.emit(session, [outbox.new_event(outbox.RETURNED, row.id, row.external_id, data)])
    session.commit()
    logger.info("returned suggestion=%s previous=%s", row.id, previous)
    return response


def accept_complaint(session: Session, suggestion_id: int, req: schemas.AcceptRequest) -> AgencyResponseRow:
    """Record that ``req.agency`` accepted the complaint (evidence for the guard; nothing else changes)."""
    row = get(session, suggestion_id)
    response = _response(row, "accept", req.agency, "", req.by, utcnow())
    session.add(response)
    session.commit()
    return response


def _response(
    row: SuggestionRow, kind: str, agency: str, reason: str, by: str, now: datetime
) -> AgencyResponseRow:
    return AgencyResponseRow(
        suggestion_id=row.id,
        kind=kind,
        agency=agency,
        reason=reason,
        by=by,
        created_at=now,
        suggested_agency=row.agency_label,
        agency_decision=row.agency_decision,
    )


def response_counts(session: Session) -> dict[str, dict[str, int]]:
    """Returns and acceptances per receiving office, all time: ``{agency: {"returned", "accepted"}}``."""
    out: dict[str, dict[str, int]] = {}
    rows = session.execute(
        select(AgencyResponseRow.agency, AgencyResponseRow.kind, func.count()).group_by(
            AgencyResponseRow.agency, AgencyResponseRow.kind
        )
    )
    for agency, kind, n in rows:
        counts = out.setdefault(str(agency), {"returned": 0, "accepted": 0})
        counts["returned" if kind == "return" else "accepted"] += int(n)
    return out


def undo_decision(session: Session, suggestion_id: int, reviewer: str) -> SuggestionRow:
    """Take back ``reviewer``'s latest decision on a suggestion (the review page's undo).

    The suggestion returns to what routing made of it (``review``, or ``auto`` for an audit or a
    complaint still to categorise) unless earlier decisions remain. Only the latest decision can be
    undone, and only by the reviewer who made it (:class:`IdConflictError` otherwise).
    """
    row = get(session, suggestion_id)
    if not row.decisions:
        raise IdConflictError(f"suggestion {suggestion_id} has no decision to undo")
    latest = row.decisions[-1]
    if latest.reviewer != reviewer:
        raise IdConflictError(
            f"the latest decision on suggestion {suggestion_id} was made by another reviewer; "
            "only its own reviewer can undo it"
        )
    session.delete(latest)
    session.flush()
    session.expire(row, ["decisions"])
    if row.decisions:
        row.status = "decided"
    elif row.returned_at is not None:  # an office sent it back: it waits for review again
        row.status = "review"
    else:
        row.status = row.routed or "review"
    session.commit()
    session.refresh(row)
    logger.info("decision undone suggestion=%s", row.id)
    return row
