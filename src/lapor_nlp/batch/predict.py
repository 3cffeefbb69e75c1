"""Prediction over tables: one per-partition function for the in-process path and for Dask.

:func:`predict_frame` turns a pandas DataFrame into the same frame plus ``T_pred``, ``T_score``,
``T_topk`` and ``T_decision`` per target ``T``, then the complaint-level ``decision`` (``auto`` iff
every routing target is ``auto``; by default the agency alone, see
:meth:`lapor_nlp.Suggestion.decision`). The CLI's in-process path calls it on the whole table;
:func:`predict_dask` maps it over the partitions of a Dask DataFrame (as dask-ml's ``ParallelPostFit``
does with a fitted estimator), each worker loading the model once (:mod:`lapor_nlp.batch.models`).
The results are identical by construction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from lapor_nlp.batch.models import get_router
from lapor_nlp.errors import InputError, ModelIntegrityError, ModelNotFoundError
from lapor_nlp.routing.data import require_columns
from lapor_nlp.types import default_routing_targets

if TYPE_CHECKING:
    import dask.dataframe as dd

    from lapor_nlp.routing.router import Router

#: Suffixes of the columns added per target, with their dtypes.
OUTPUT_SUFFIXES: dict[str, str] = {"pred": "str", "score": "float64", "topk": "str", "decision": "str"}


#: The complaint-level decision column (after the per-target ones).
DECISION_COLUMN = "decision"


def prediction_columns(targets: Iterable[str]) -> dict[str, str]:
    """Column name -> dtype of everything :func:`predict_frame` adds, in order."""
    columns = {f"{t}_{suffix}": dtype for t in targets for suffix, dtype in OUTPUT_SUFFIXES.items()}
    columns[DECISION_COLUMN] = "str"
    return columns


def predict_frame(
    router: Router,
    df: pd.DataFrame,
    *,
    top_k: int = 3,
    text_column: str | None = None,
    routing_targets: Sequence[str] | None = None,
) -> pd.DataFrame:
    """``df`` with the suggestion columns of every target appended (rows, order and dtypes kept).

    ``T_score`` is rounded to 4 decimals; ``T_topk`` is a JSON list of ``[label, probability]`` pairs.
    ``decision`` is ``auto`` iff every one of ``routing_targets`` is ``auto`` (default: the agency
    alone when the model has one, else every target; ``["category", "agency"]`` is the older rule).
    """
    if not isinstance(top_k, int) or isinstance(top_k, bool) or top_k < 1:
        raise InputError(f"top_k must be a positive integer, got {top_k!r}")
    routing = default_routing_targets(router.targets, routing_targets)
    suggestions = router.predict(df, top_k=top_k, text_column=text_column, explain=False) if len(df) else []
    out = df.copy()
    for target in router.targets:
        ts = [s[target] for s in suggestions]
        values = {
            "pred": [t.label for t in ts],
            "score": [round(t.score, 4) for t in ts],
            "topk": [json.dumps([[lab, round(p, 4)] for lab, p in t.top_k], ensure_ascii=False) for t in ts],
            "decision": [t.decision for t in ts],
        }
        for suffix, dtype in OUTPUT_SUFFIXES.items():
            out[f"{target}_{suffix}"] = pd.Series(values[suffix], index=df.index, dtype=dtype)
    out[DECISION_COLUMN] = pd.Series([s.decision(routing) for s in suggestions], index=df.index, dtype="str")
    return out


def model_outline(model_dir: str | Path) -> tuple[tuple[str, ...], str]:
    """``(targets, text column)`` of the model in ``model_dir``, from its metadata.json alone."""
    path = Path(model_dir)
    try:
        metadata = json.loads((path / "metadata.json").read_text(encoding="utf-8"))
        return tuple(metadata["target_files"]), str(metadata["text_column"])
    except OSError as exc:
        raise ModelNotFoundError(
            f"no model at {path} (metadata.json unreadable: {exc.strerror}); pass a directory written by "
            "`lapor-nlp train`, readable at the same path on every worker"
        ) from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelIntegrityError(
            f"{path}/metadata.json is corrupt or foreign ({exc}); retrain the model"
        ) from exc


def _predict_partition(
    df: pd.DataFrame,
    model_dir: str,
    top_k: int,
    text_column: str | None,
    routing_targets: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    return predict_frame(
        get_router(model_dir), df, top_k=top_k, text_column=text_column, routing_targets=routing_targets
    )


def predict_dask(
    ddf: dd.DataFrame,
    model_dir: str | Path,
    *,
    top_k: int = 3,
    text_column: str | None = None,
    routing_targets: Sequence[str] | None = None,
) -> dd.DataFrame:
    """Lazy :func:`predict_frame` over every partition of ``ddf``.

    Only the model *path* travels with the tasks: each worker loads (and verifies) the model on its
    first partition and keeps it, so ``model_dir`` must be readable at the same path on every worker.
    Here only its ``metadata.json`` is read, for the targets and text column of the output ``meta``.
    """
    if not isinstance(top_k, int) or isinstance(top_k, bool) or top_k < 1:
        raise InputError(f"top_k must be a positive integer, got {top_k!r}")
    targets, default_column = model_outline(model_dir)
    routing = default_routing_targets(targets, routing_targets)
    column = text_column or default_column
    empty = pd.DataFrame({c: pd.Series(dtype=t) for c, t in ddf.dtypes.items()})
    require_columns(empty, [column], what="text column")
    clash = [c for c in prediction_columns(targets) if c in empty.columns]
    if clash:
        raise InputError(f"the input already has columns {clash}; rename or drop them before predicting")
    meta = empty.assign(**{c: pd.Series(dtype=t) for c, t in prediction_columns(targets).items()})
    predicted: dd.DataFrame = ddf.map_partitions(  # type: ignore[no-untyped-call]  # dask leaves it unannotated
        _predict_partition, str(Path(model_dir).resolve()), top_k, text_column, routing, meta=meta
    )
    return predicted
