"""FastAPI dependencies: settings, database session, live model, duplicate index, API-key roles.

They are ``async`` because none of them blocks: FastAPI runs a plain ``def`` dependency in the thread
pool, and those hops (about ten per request, each waiting for the GIL) cost more than the work.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from service.app.auth import KeyRing
from service.app.batcher import PredictBatcher
from service.app.config import Settings
from service.app.guard import Guard
from service.app.metrics import Metrics
from service.app.policy import PolicyService
from service.app.retrain import Retrainer
from service.app.state import DuplicateService, LoadedModel, ModelHolder
from service.app.webhooks import Deliverer

logger = logging.getLogger("lapor_nlp.service")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="an intake, agency or admin key")


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session for this request; closed afterwards (in a worker thread when that means network I/O).

    Creating a session does no I/O (it connects on first use), so this runs on the event loop instead
    of costing two thread-pool hops per request. Closing a session with no open transaction, or one on
    a local SQLite file, is quick too; a server database's rollback goes to a worker thread.
    """
    session: Session = request.app.state.sessionmaker()
    try:
        yield session
    finally:
        try:
            if session.in_transaction() and not _is_sqlite(session):
                await run_in_threadpool(session.close)
            else:
                session.close()
        except SQLAlchemyError as exc:  # the connection died after the response was sent; nothing to undo
            logger.warning("could not return a database connection to the pool: %s", type(exc).__name__)


def _is_sqlite(session: Session) -> bool:
    bind = session.get_bind()
    return bind.dialect.name == "sqlite"


async def get_holder(request: Request) -> ModelHolder:
    return request.app.state.models  # type: ignore[no-any-return]


async def get_model(request: Request) -> LoadedModel:
    """The model for this request: one reference, kept to the end even if a reload swaps it."""
    return request.app.state.models.get()  # type: ignore[no-any-return]


async def get_duplicates(request: Request) -> DuplicateService:
    return request.app.state.duplicates  # type: ignore[no-any-return]


async def get_batcher(request: Request) -> PredictBatcher | None:
    return request.app.state.batcher  # type: ignore[no-any-return]


async def get_guard(request: Request) -> Guard:
    return request.app.state.guard  # type: ignore[no-any-return]


async def get_retrainer(request: Request) -> Retrainer:
    return request.app.state.retrainer  # type: ignore[no-any-return]


async def get_policy(request: Request) -> PolicyService:
    return request.app.state.policy  # type: ignore[no-any-return]


async def get_metrics(request: Request) -> Metrics:
    return request.app.state.metrics  # type: ignore[no-any-return]


def _roles(request: Request, key: str | None) -> set[str]:
    if not key:
        raise HTTPException(
            401, "missing API key: send it in the X-API-Key header", headers={"WWW-Authenticate": "X-API-Key"}
        )
    keys: KeyRing = request.app.state.keys
    roles = keys.roles_for(key)
    if not roles:
        raise HTTPException(
            401, "unknown API key; check the key sent in X-API-Key", headers={"WWW-Authenticate": "X-API-Key"}
        )
    return roles


async def require_intake(request: Request, key: Annotated[str | None, Security(_api_key)]) -> set[str]:
    roles = _roles(request, key)
    if "intake" not in roles:
        raise HTTPException(403, "this endpoint needs an intake or admin key")
    return roles


async def require_admin(request: Request, key: Annotated[str | None, Security(_api_key)]) -> set[str]:
    roles = _roles(request, key)
    if "admin" not in roles:
        raise HTTPException(403, "this endpoint needs an admin key")
    return roles


async def require_agency(request: Request, key: Annotated[str | None, Security(_api_key)]) -> set[str]:
    """A receiving office's key (role ``agency``) or an admin key."""
    roles = _roles(request, key)
    if not roles & {"agency", "admin"}:
        raise HTTPException(403, "this endpoint needs an agency or admin key")
    return roles


async def get_deliverer(request: Request) -> Deliverer | None:
    return request.app.state.deliverer  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
ModelDep = Annotated[LoadedModel, Depends(get_model)]
HolderDep = Annotated[ModelHolder, Depends(get_holder)]
DuplicatesDep = Annotated[DuplicateService, Depends(get_duplicates)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
BatcherDep = Annotated[PredictBatcher | None, Depends(get_batcher)]
GuardDep = Annotated[Guard, Depends(get_guard)]
RetrainerDep = Annotated[Retrainer, Depends(get_retrainer)]
PolicyDep = Annotated[PolicyService, Depends(get_policy)]
IntakeKey = Depends(require_intake)
AdminKey = Depends(require_admin)
AgencyKey = Depends(require_agency)
DelivererDep = Annotated[Deliverer | None, Depends(get_deliverer)]
