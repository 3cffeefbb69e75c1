"""Liveness, readiness and Prometheus metrics (no key needed)."""

from __future__ import annotations

import contextlib

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import SQLAlchemyError

from service.app import schemas, store
from service.app.deps import GuardDep, MetricsDep, ModelDep, SessionDep

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=schemas.Health)
def healthz(model: ModelDep) -> schemas.Health:
    """The process is up and has a model."""
    return schemas.Health(status="ok", model_version=model.version)


@router.get("/readyz", response_model=schemas.Health, responses={503: {"model": schemas.Health}})
def readyz(request: Request, model: ModelDep) -> Response:
    """Ready to take traffic: model loaded (and warmed up) and database reachable.

    `indexed` counts the complaints stored in the database: every worker and replica answers the
    same, and each one's duplicate index takes in any it has not seen before its next query.
    """
    try:
        with request.app.state.sessionmaker() as session:
            stored = store.stored_count(session)
    except SQLAlchemyError:
        body = schemas.Health(status="unavailable", model_version=model.version, database="unreachable")
        return JSONResponse(body.model_dump(), status_code=503)
    body = schemas.Health(status="ready", model_version=model.version, database="ok", indexed=stored)
    return JSONResponse(body.model_dump())


@router.get("/metrics", response_class=Response)
def prometheus(session: SessionDep, metrics: MetricsDep, guard: GuardDep, model: ModelDep) -> Response:
    """Prometheus text format: requests, latency, routed and decided counts, review backlog, model, guard."""
    with contextlib.suppress(SQLAlchemyError):  # keep serving the other figures while the database is away
        metrics.backlog.set(store.backlog(session))
        guard.verdict(model)  # publishes the per-class gauges (cached for the guard's TTL)
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
