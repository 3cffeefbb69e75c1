"""POST /v1/route and /v1/route/batch: suggest category and agency, find duplicates, store."""

from __future__ import annotations

from fastapi import APIRouter

from service.app import schemas, store
from service.app.db.models import SuggestionRow
from service.app.deps import (
    BatcherDep,
    DelivererDep,
    DuplicatesDep,
    GuardDep,
    IntakeKey,
    MetricsDep,
    ModelDep,
    SessionDep,
    SettingsDep,
)
from service.app.errors import PayloadTooLargeError
from service.app.guard import Guard
from service.app.responses import COMMON, errors

router = APIRouter(prefix="/v1", tags=["routing"], dependencies=[IntakeKey])

# Every error a /v1 route with a body may answer (kept for routes that do not list their own).
_ERRORS = errors(*COMMON, 409)


@router.post("/route", response_model=schemas.RouteResponse, responses=_ERRORS)
def route_one(
    body: schemas.RouteRequest,
    session: SessionDep,
    model: ModelDep,
    dups: DuplicatesDep,
    settings: SettingsDep,
    metrics: MetricsDep,
    batcher: BatcherDep,
    guard: GuardDep,
    deliverer: DelivererDep,
) -> schemas.RouteResponse:
    """Route one complaint. Re-sending the same `id` with the same text returns the stored complaint as
    it stands now: dispatch on `disposition.agency` (null while it waits for review).

    A new complaint emits `complaint.routed` (webhook and `GET /v1/events`) in the same transaction.
    """
    out = _route([body], session, model, dups, settings, metrics, batcher, guard)[0]
    if deliverer is not None:
        deliverer.wake()
    return out


@router.post("/route/batch", response_model=schemas.BatchRouteResponse, responses=_ERRORS)
def route_batch(
    body: schemas.BatchRouteRequest,
    session: SessionDep,
    model: ModelDep,
    dups: DuplicatesDep,
    settings: SettingsDep,
    metrics: MetricsDep,
    batcher: BatcherDep,
    guard: GuardDep,
    deliverer: DelivererDep,
) -> schemas.BatchRouteResponse:
    """Route up to 100 complaints (LAPOR_NLP_MAX_BATCH) in one transaction: all are stored or none.

    An `id` reused with another text (409) or a bad text (422/413) names the item and stores nothing.
    """
    if len(body.complaints) > settings.max_batch:
        raise PayloadTooLargeError(
            f"batch has {len(body.complaints)} complaints; the limit is {settings.max_batch}: split it up"
        )
    results = _route(body.complaints, session, model, dups, settings, metrics, batcher, guard)
    if deliverer is not None:
        deliverer.wake()
    return schemas.BatchRouteResponse(results=results)


def _route(
    items: list[schemas.RouteRequest],
    session: SessionDep,
    model: ModelDep,
    dups: DuplicatesDep,
    settings: SettingsDep,
    metrics: MetricsDep,
    batcher: BatcherDep,
    guard: Guard | None,
) -> list[schemas.RouteResponse]:
    """Store (or find again) the suggestions of ``items`` in one transaction and count the new ones."""
    stored = store.route_many(
        session,
        model,
        dups,
        items,
        top_k=settings.top_k,
        duplicates_k=settings.duplicates_k,
        max_chars=settings.max_text_chars,
        duplicates_min_score=settings.duplicates_min_score,
        batcher=batcher,
        guard=guard,
        audit_share=settings.audit_share,
        routing_targets=settings.routing,
    )
    return [_counted(row, new, metrics) for row, new in stored]


def _counted(row: SuggestionRow, new: bool, metrics: MetricsDep) -> schemas.RouteResponse:
    """Count a newly stored suggestion by its decision (and audit) and return it as a response."""
    if new:
        metrics.routed.labels(decision=row.status).inc()
        if row.audit:
            metrics.audits.inc()
    return store.to_route_response(row)
