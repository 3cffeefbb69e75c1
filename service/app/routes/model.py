"""GET /v1/model and POST /v1/model/reload."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body

from lapor_nlp import LaporError
from service.app import schemas
from service.app.deps import AdminKey, HolderDep, IntakeKey, MetricsDep, ModelDep, SettingsDep
from service.app.errors import ModelDirError
from service.app.routes.route import _ERRORS
from service.app.state import LoadedModel

router = APIRouter(prefix="/v1/model", tags=["model"])


def _info(model: LoadedModel) -> schemas.ModelInfo:
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
    )


@router.get("", response_model=schemas.ModelInfo, dependencies=[IntakeKey], responses=_ERRORS)
def model_info(model: ModelDep) -> schemas.ModelInfo:
    """Version, labels, evaluation metrics and model card of the model being served."""
    return _info(model)


@router.post("/reload", response_model=schemas.ModelInfo, dependencies=[AdminKey], responses=_ERRORS)
def reload_model(
    holder: HolderDep,
    settings: SettingsDep,
    metrics: MetricsDep,
    body: Annotated[schemas.ReloadRequest | None, Body()] = None,
) -> schemas.ModelInfo:
    """Load the model again (after `lapor-nlp train`) and swap it in without failing any request.

    `model_dir` may name another directory next to LAPOR_NLP_MODEL_DIR; if loading fails the old model
    keeps serving and the error is returned.
    """
    target = settings.model_dir
    if body is not None and body.model_dir:
        root = settings.model_dir.resolve().parent
        candidate = (root / body.model_dir).resolve()
        if candidate.parent != root:
            raise ModelDirError(
                f"model_dir must be a directory next to the configured model ({root.name}/<name>); "
                f"got {body.model_dir!r}"
            )
        target = candidate
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
    return _info(loaded)
