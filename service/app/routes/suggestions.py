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
    PolicyDep,
    SessionDep,
    SettingsDep,
)
from service.app.responses import COMMON, errors

router = APIRouter(prefix="/v1/suggestions", tags=["review"])

SuggestionId = Annotated[
    int, Path(ge=1, le=schemas.MAX_ID, description="the suggestion_id returned by /v1/route")
]


@router.get(
    "", response_model=schemas.SuggestionPage, dependencies=[AdminKey], responses=errors(401, 403, 422, 503)
)
def list_suggestions(
    session: SessionDep,
    status: Annotated[
        schemas.QueueStatus | None,
        Query(
            description="review, auto, decided, audit (audited auto decisions not yet reviewed), or "
            "categorise (dispatched on the agency, the category still to confirm)"
        ),
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


@router.post("/claim", response_model=schemas.ClaimOut, dependencies=[AdminKey], responses=errors(*COMMON))
def claim(body: schemas.ClaimRequest, session: SessionDep, settings: SettingsDep) -> schemas.ClaimOut:
    """Claim the oldest suggestions of a queue that nobody else holds, for `reviewer`.

    Nobody else is handed them, or may decide them without `"force": true`, until they are decided,
    released, or `claimed_until` (LAPOR_NLP_CLAIM_SECONDS, default 10 minutes) has passed.
    Suggestions the reviewer holds already come first and are renewed; `items` may be empty.
    """
    rows, until = store.claim(
        session,
        body.reviewer,
        limit=body.limit,
        seconds=settings.claim_seconds,
        status=body.status,
        agency=None if body.agency is None else schemas.storable(body.agency),
        category=None if body.category is None else schemas.storable(body.category),
    )
    return schemas.ClaimOut(items=[store.to_suggestion_out(r) for r in rows], claimed_until=until)


@router.post(
    "/release", response_model=schemas.ReleaseOut, dependencies=[AdminKey], responses=errors(*COMMON)
)
def release(body: schemas.ReleaseRequest, session: SessionDep) -> schemas.ReleaseOut:
    """Give up the reviewer's claims (all of them, or those in `ids`), e.g. on sign-out."""
    return schemas.ReleaseOut(released=store.release(session, body.reviewer, body.ids))


@router.post(
    "/{suggestion_id}/claim",
    response_model=schemas.ClaimOut,
    dependencies=[AdminKey],
    responses=errors(*COMMON, 404, 409),
)
def renew(
    suggestion_id: SuggestionId, body: schemas.RenewRequest, session: SessionDep, settings: SettingsDep
) -> schemas.ClaimOut:
    """Claim one suggestion, or renew the reviewer's claim on it (while the page shows it).

    409 `ClaimedByOther` when another reviewer's claim holds it, 409 `AlreadyDecided` once decided.
    """
    row, until = store.renew(session, suggestion_id, body.reviewer, seconds=settings.claim_seconds)
    return schemas.ClaimOut(items=[store.to_suggestion_out(row)], claimed_until=until)


@router.get(
    "/{suggestion_id}",
    response_model=schemas.SuggestionOut,
    dependencies=[IntakeKey],
    responses=errors(401, 403, 404, 422, 503),
)
def get_suggestion(suggestion_id: SuggestionId, session: SessionDep) -> schemas.SuggestionOut:
    """One suggestion with its redacted text, the original suggestion and every decision on it."""
    return store.to_suggestion_out(store.get(session, suggestion_id))


@router.post(
    "/{suggestion_id}/decision",
    response_model=schemas.SuggestionOut,
    dependencies=[AdminKey],
    responses=errors(*COMMON, 404, 409),
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

    409 `ClaimedByOther` (with `claimed_by`, `claimed_until`) when another reviewer's claim holds
    the suggestion, unless the body says `"force": true` (a supervisor). The decision ends the claim.
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
    responses=errors(*COMMON, 404),
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
    responses=errors(*COMMON, 404),
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


@router.delete(
    "/{suggestion_id}/decision",
    response_model=schemas.SuggestionOut,
    dependencies=[AdminKey],
    responses=errors(*COMMON, 404, 409),
)
def undo(
    suggestion_id: SuggestionId,
    reviewer: Annotated[str, Query(min_length=1, max_length=200, description="who made the decision")],
    session: SessionDep,
    model: ModelDep,
    guard: GuardDep,
    policy: PolicyDep,
) -> schemas.SuggestionOut:
    """Undo the latest decision on a suggestion (only by the reviewer who made it): the complaint goes
    back to where routing put it (the review queue, or auto for an audit / a complaint to categorise)."""
    row = store.undo_decision(session, suggestion_id, schemas.storable(reviewer).strip())
    guard.verdict(model, force=True)
    policy.invalidate()  # the agency table is rebuilt without the undone decision
    return store.to_suggestion_out(row)
