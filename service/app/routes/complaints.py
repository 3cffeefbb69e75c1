"""GET /v1/complaints/{id}: a complaint by the intake system's own id, with its current disposition."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from service.app import schemas, store
from service.app.deps import IntakeKey, SessionDep
from service.app.responses import COMMON, errors

router = APIRouter(prefix="/v1/complaints", tags=["routing"], dependencies=[IntakeKey])

IntakeId = Annotated[
    str, Path(min_length=1, max_length=200, description="the `id` the intake system sent to /v1/route")
]


@router.get("/{intake_id}", response_model=schemas.SuggestionOut, responses=errors(*COMMON, 404))
def get_complaint(intake_id: IntakeId, session: SessionDep) -> schemas.SuggestionOut:
    """The complaint routed with this `id`: `status`, and `disposition` (agency, category, by model or
    reviewer, when) once it is dispatched; null `disposition` while it waits for review."""
    return store.to_suggestion_out(store.get_by_intake_id(session, schemas.storable(intake_id)))
