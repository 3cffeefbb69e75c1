"""Evaluate a trained router on labelled data: figures per target, ready for a report."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import precision_recall_fscore_support

from lapor_nlp.errors import UnknownLabelError
from lapor_nlp.routing.data import normalise_label, require_columns, text_series
from lapor_nlp.routing.metrics import label_noise, macro_f1, summary_metrics
from lapor_nlp.routing.router import Router
from lapor_nlp.text import clean, redact


@dataclass
class TargetEvaluation:
    """Predictions and figures of one target on an evaluation set."""

    target: str
    y_true: list[str]
    y_pred: list[str]
    scores: list[float]
    decisions: list[str]
    metrics: dict[str, Any]
    per_class: pd.DataFrame = field(default_factory=pd.DataFrame)


def evaluate(
    router: Router, df: pd.DataFrame, *, text_column: str | None = None
) -> dict[str, TargetEvaluation]:
    """Predict ``df`` and compare with its target columns (which must carry the same names as at training).

    Labels are normalised as at training (:func:`~lapor_nlp.routing.data.normalise_label`; counted in
    ``normalised_label_rows``). Rows with an empty label are skipped. Labels unknown to the model count
    as errors and are reported (``unknown_label_share``); if no label at all is known,
    :class:`UnknownLabelError` is raised since the column probably holds something else.
    """
    column = text_column or router.text_column
    require_columns(df, [column], what="text column")
    require_columns(df, router.targets, what="target column")
    keep = np.asarray([bool(t.strip()) for t in text_series(df, column)])
    if not keep.all():
        warnings.warn(f"{int((~keep).sum())} rows with an empty text were skipped", stacklevel=2)
    df = df.loc[keep].reset_index(drop=True)
    suggestions = router.predict(df, top_k=3, explain=False, text_column=column)
    keys = [clean(redact(t)) for t in text_series(df, column)]
    out: dict[str, TargetEvaluation] = {}
    for target in router.targets:
        raw_labels = text_series(df, target)
        labels = [normalise_label(v) for v in raw_labels]  # as at training
        rows = [i for i, v in enumerate(labels) if v]
        known = set(router.labels(target))
        unknown = [i for i in rows if labels[i] not in known]
        if rows and len(unknown) == len(rows):
            raise UnknownLabelError(
                f"none of the {len(rows)} labels in column {target!r} is known to the model (e.g. "
                f"{labels[rows[0]]!r}; known e.g. {sorted(known)[:3]}); is this the right column or model?"
            )
        if unknown:
            warnings.warn(
                f"{target}: {len(unknown)} of {len(rows)} rows carry labels unknown to the model "
                f"(e.g. {sorted({labels[i] for i in unknown})[:3]}); they count as errors",
                stacklevel=2,
            )
        y = [labels[i] for i in rows]
        sugg = [suggestions[i][target] for i in rows]
        topk = [[lab for lab, _ in s.top_k] for s in sugg]
        pred = [s.label for s in sugg]
        scores = [s.score for s in sugg]
        decisions = [s.decision for s in sugg]
        precision = float(router.metadata.get("target_precision", 0.95))
        metrics = summary_metrics(y, topk, scores, decisions, target_precision=precision)
        train_counts = router.metadata["targets"][target]["labels"]
        metrics["macro_f1_classes_ge20"] = macro_f1(y, pred, train_counts, 20)
        metrics["normalised_label_rows"] = sum(
            1 for r, v in zip(raw_labels, labels, strict=True) if v and r != v
        )
        metrics["unknown_label_share"] = round(len(unknown) / len(rows), 4) if rows else 0.0
        metrics["label_noise"] = label_noise(
            [keys[i] for i in rows], y, [p == t for p, t in zip(pred, y, strict=True)]
        )
        classes = [c for c, _ in pd.Series(y).value_counts().items()]
        p, r, f, s = precision_recall_fscore_support(y, pred, labels=classes, zero_division=0)
        per_class = pd.DataFrame({"label": classes, "precision": p, "recall": r, "f1": f, "support": s})
        out[target] = TargetEvaluation(target, y, pred, scores, decisions, metrics, per_class)
    return out
