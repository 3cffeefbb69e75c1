"""GET /v1/model, POST /v1/model/reload, and the background retrain (POST/GET /v1/model/retrain)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request

from lapor_nlp import LaporError
from lapor_nlp.routing import read_aliases
from service.app import schemas, store
from service.app.deps import (
    AdminKey,
    GuardDep,
    HolderDep,
    IntakeKey,
    MetricsDep,
    ModelDep,
    RetrainerDep,
    SessionDep,
    SettingsDep,
)
from service.app.errors import ModelDirError
from service.app.guard import Guard
from service.app.responses import COMMON, errors
from service.app.retrain import CANDIDATES, Retrainer
from service.app.state import LoadedModel

router = APIRouter(prefix="/v1/model", tags=["model"])
logger = logging.getLogger("lapor_nlp.service")


def _info(
    model: LoadedModel,
    guard: Guard | None = None,
    retrainer: Retrainer | None = None,
    responses: dict[str, dict[str, int]] | None = None,
    routing_targets: tuple[str, ...] = ("agency",),
) -> schemas.ModelInfo:
    r = model.router
    metadata: dict[str, Any] = dict(r.metadata or {})
    metrics = metadata.get("metrics", {})
    return schemas.ModelInfo(
        version=model.version,
        source=Path(model.source).name or model.source,
        loaded_at=datetime.fromtimestamp(model.loaded_at, UTC),
        targets={"category": model.category_target, "agency": "agency"},
        labels={"category": list(r.labels(model.category_target)), "agency": list(r.labels("agency"))},
        location_columns=list(r.location_columns),
        metrics=metrics if isinstance(metrics, dict) else {"value": metrics},
        metadata=metadata,
        card=str(r.model_card or ""),
        guard=None if guard is None else guard.verdict(model).to_dict(),
        promotion=None if retrainer is None else retrainer.last_promotion(model.source),
        agency_responses=responses or {},
        routing_targets=list(routing_targets),
        aliases=_aliases(model),
    )


def _aliases(model: LoadedModel) -> dict[str, list[str]]:
    """The agency aliases beside the served model; a broken file is logged and left out."""
    source = Path(model.source)
    if not source.is_dir():
        return {}
    try:
        found = read_aliases(source, model.router.labels("agency"))
    except LaporError as exc:
        logger.warning("aliases not served: %s", exc)
        return {}
    return {label: list(aliases) for label, aliases in found.items()}


@router.get("", response_model=schemas.ModelInfo, dependencies=[IntakeKey], responses=errors(401, 403, 503))
def model_info(
    model: ModelDep, guard: GuardDep, retrainer: RetrainerDep, session: SessionDep, settings: SettingsDep
) -> schemas.ModelInfo:
    """Version, labels, metrics and card of the served model, its live guard, last retrain verdict,
    the routing targets, the agency aliases, and per receiving office the complaints it returned and
    accepted."""
    return _info(model, guard, retrainer, store.response_counts(session), settings.routing)


@router.post("/reload", response_model=schemas.ModelInfo, dependencies=[AdminKey], responses=errors(*COMMON))
def reload_model(
    holder: HolderDep,
    settings: SettingsDep,
    metrics: MetricsDep,
    guard: GuardDep,
    retrainer: RetrainerDep,
    body: Annotated[schemas.ReloadRequest | None, Body()] = None,
) -> schemas.ModelInfo:
    """Load the model again (after `lapor-nlp train`) and swap it in without failing any request.

    `model_dir` may name another directory next to LAPOR_NLP_MODEL_DIR (or a retrain candidate,
    `candidates/<name>`); if loading fails the old model keeps serving and the error is returned.
    """
    target = settings.model_dir
    if body is not None and body.model_dir:
        root = settings.model_dir.resolve().parent
        candidate = (root / body.model_dir).resolve()
        if candidate.parent not in (root, root / CANDIDATES) or candidate.name == CANDIDATES:
            raise ModelDirError(
                f"model_dir must be a directory next to the configured model ({root.name}/<name>) "
                f"or a retrain candidate ({CANDIDATES}/<name>); got {body.model_dir!r}"
            )
        target = candidate
    old = holder.get()
    try:
        loaded = holder.reload(target)
    except (LaporError, ValueError, OSError) as exc:
        metrics.reloads.labels(result="failed").inc()
        raise ModelDirError(
            f"could not load the model in {target.name!r} ({type(exc).__name__}: {exc}); "
            "the previous model keeps serving"
        ) from None
    metrics.reloads.labels(result="ok").inc()
    metrics.set_model(loaded.version)
    guard.record_model_change(old, loaded)
    return _info(loaded, guard, retrainer, routing_targets=settings.routing)


@router.post(
    "/retrain",
    response_model=schemas.RetrainStatusOut,
    status_code=202,
    dependencies=[AdminKey],
    responses=errors(*COMMON, 409),
)
def start_retrain(
    request: Request,
    holder: HolderDep,
    guard: GuardDep,
    metrics: MetricsDep,
    retrainer: RetrainerDep,
    body: schemas.RetrainRequest | None = None,
) -> schemas.RetrainStatusOut:
    """Retrain in the background on the base data plus every reviewed decision (409 if one is running).

    The candidate goes to `candidates/<timestamp>` next to the model and is swapped in only if its
    promotion verdict says so; follow it with `GET /v1/model/retrain`, see the verdict in `GET /v1/model`.
    Body (optional): `{"mode": "refresh"}` for the cheap update between full retrains.
    """
    status = retrainer.start(
        sessionmaker=request.app.state.sessionmaker,
        holder=holder,
        guard=guard,
        metrics=metrics,
        refresh=body is not None and body.mode == "refresh",
    )
    return schemas.RetrainStatusOut(**status.to_dict())


@router.get(
    "/retrain", response_model=schemas.RetrainStatusOut, dependencies=[AdminKey], responses=errors(401, 403)
)
def retrain_status(retrainer: RetrainerDep) -> schemas.RetrainStatusOut:
    """The running or last retrain of this process: state, candidate, verdict, error."""
    return schemas.RetrainStatusOut(**retrainer.status.to_dict())
