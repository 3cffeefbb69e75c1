"""The review queue: list, fetch and decide suggestions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from service.app import schemas, store
from service.app.deps import (
    AdminKey,
    AgencyKey,
    DelivererDep,
    GuardDep,
    IntakeKey,
    MetricsDep,
    ModelDep,
    SessionDep,
)
from service.app.routes.route import _ERRORS

router = APIRouter(prefix="/v1/suggestions", tags=["review"])

SuggestionId = Annotated[
    int, Path(ge=1, le=schemas.MAX_ID, description="the suggestion_id returned by /v1/route")
]


@router.get("", response_model=schemas.SuggestionPage, dependencies=[AdminKey], responses=_ERRORS)
def list_suggestions(
    session: SessionDep,
    status: Annotated[
        schemas.QueueStatus | None,
        Query(description="review, auto, decided, or audit (audited auto decisions not yet reviewed)"),
    ] = None,
    agency: Annotated[str | None, Query(max_length=300)] = None,
    category: Annotated[str | None, Query(max_length=300)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
    order: Annotated[str, Query(pattern="^(oldest|newest)$")] = "oldest",
) -> schemas.SuggestionPage:
    """A page of suggestions, oldest first by default (the review queue is `status=review`)."""
    rows, total = store.list_page(
        session,
        status=status,
        agency=None if agency is None else schemas.storable(agency),
        category=None if category is None else schemas.storable(category),
        limit=limit,
        offset=offset,
        newest_first=order == "newest",
    )
    return schemas.SuggestionPage(
        items=[store.to_suggestion_out(r) for r in rows], total=total, limit=limit, offset=offset
    )


@router.get(
    "/{suggestion_id}", response_model=schemas.SuggestionOut, dependencies=[IntakeKey], responses=_ERRORS
)
def get_suggestion(suggestion_id: SuggestionId, session: SessionDep) -> schemas.SuggestionOut:
    """One suggestion with its redacted text, the original suggestion and every decision on it."""
    return store.to_suggestion_out(store.get(session, suggestion_id))


@router.post(
    "/{suggestion_id}/decision",
    response_model=schemas.SuggestionOut,
    dependencies=[AdminKey],
    responses=_ERRORS,
)
def decide(
    suggestion_id: SuggestionId,
    body: schemas.DecisionRequest,
    session: SessionDep,
    model: ModelDep,
    metrics: MetricsDep,
    guard: GuardDep,
    deliverer: DelivererDep,
) -> schemas.SuggestionOut:
    """Accept or override a suggestion (or mark it a duplicate). Unknown labels are kept and flagged.

    Emits `complaint.decided` (webhook and `GET /v1/events`) in the same transaction.
    """
    decision = store.decide(session, model, suggestion_id, body)
    metrics.decisions.labels(outcome=decision.outcome).inc()
    if deliverer is not None:
        deliverer.wake()
    guard.verdict(model, force=True)  # new evidence: the guard may pause a class now
    return store.to_suggestion_out(store.get(session, suggestion_id))


@router.post(
    "/{suggestion_id}/return",
    response_model=schemas.SuggestionOut,
    dependencies=[AgencyKey],
    responses=_ERRORS,
)
def return_suggestion(
    suggestion_id: SuggestionId,
    body: schemas.ReturnRequest,
    session: SessionDep,
    model: ModelDep,
    metrics: MetricsDep,
    guard: GuardDep,
    deliverer: DelivererDep,
) -> schemas.SuggestionOut:
    """A receiving office sends the complaint back ("Bukan Wewenang"; agency or admin key).

    The complaint goes back to the review queue (first, with who and why), the returning office is no
    longer offered first, `complaint.returned` goes out, and a return of an `auto` agency decision
    counts for the live guard as a wrong one of that agency.
    """
    store.return_complaint(session, suggestion_id, body)
    metrics.agency_returns.labels(agency=body.agency).inc()
    if deliverer is not None:
        deliverer.wake()
    guard.verdict(model, force=True)
    return store.to_suggestion_out(store.get(session, suggestion_id))


@router.post(
    "/{suggestion_id}/accept",
    response_model=schemas.AgencyResponseOut,
    dependencies=[AgencyKey],
    responses=_ERRORS,
)
def accept_suggestion(
    suggestion_id: SuggestionId,
    body: schemas.AcceptRequest,
    session: SessionDep,
    model: ModelDep,
    metrics: MetricsDep,
    guard: GuardDep,
) -> schemas.AgencyResponseOut:
    """A receiving office confirms the complaint is its own (agency or admin key).

    On an `auto` agency decision no reviewer has decided, it counts for the live guard as a right one.
    """
    response = store.accept_complaint(session, suggestion_id, body)
    metrics.agency_accepts.labels(agency=body.agency).inc()
    guard.verdict(model, force=True)
    return schemas.AgencyResponseOut(
        suggestion_id=response.suggestion_id,
        kind="accept",
        agency=response.agency,
        reason=response.reason,
        by=response.by,
        created_at=response.created_at,
        suggested_agency=response.suggested_agency,
        agency_decision="auto" if response.agency_decision == "auto" else "review",
    )
