"""GET /v1/policy/agency: the agency the disposition table proposes for a category at a place."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from service.app import schemas
from service.app.deps import IntakeKey, ModelDep, PolicyDep, SessionDep
from service.app.responses import COMMON, errors

router = APIRouter(prefix="/v1/policy", tags=["routing"], dependencies=[IntakeKey])

Place = Annotated[str | None, Query(max_length=200)]


@router.get("/agency", response_model=schemas.PolicyOut, responses=errors(*COMMON))
def agency_policy(
    category: Annotated[str, Query(min_length=1, max_length=300, description="a category label")],
    session: SessionDep,
    model: ModelDep,
    policy: PolicyDep,
    kecamatan: Place = None,
    kelurahan: Place = None,
) -> schemas.PolicyOut:
    """The agency usually chosen for `category` (learned from the training data, kept current from the
    reviewers' decisions), with the place of a place-specific role (Kecamatan/Kelurahan) filled from
    `kecamatan`/`kelurahan`. `agency` is null for an unknown category or when the place is missing;
    `table` is false when the served model has no agency table (build it with `lapor-nlp policy`)."""
    location = {
        k: schemas.storable(v)
        for k, v in (("kecamatan", kecamatan), ("kelurahan", kelurahan))
        if v and v.strip()
    }
    answer = policy.lookup(session, model, schemas.storable(category).strip(), location)
    return schemas.PolicyOut(
        agency=None if answer is None else answer.agency,
        share=0.0 if answer is None else answer.share,
        n=0 if answer is None else answer.n,
        role=None if answer is None else answer.role,
        category=category,
        model_version=model.version,
        table=answer is not None,
    )
