"""Routing quality figures: top-k accuracy, coverage at a precision, auto share/precision, macro-F1, noise."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.metrics import f1_score


def coverage_at_precision(scores: Sequence[float], correct: Sequence[bool], precision: float = 0.95) -> float:
    """Largest share of items that can be accepted, most confident first, keeping ``precision``."""
    s = np.asarray(scores, dtype=np.float64)
    c = np.asarray(correct, dtype=bool)
    if not len(s):
        return 0.0
    order = np.argsort(-s, kind="stable")
    cum = np.cumsum(c[order]) / np.arange(1, len(s) + 1)
    last_of_tie = np.r_[s[order][1:] != s[order][:-1], True]
    ok = np.flatnonzero((cum >= precision) & last_of_tie)
    return float((ok.max() + 1) / len(s)) if len(ok) else 0.0


def precision_coverage_curve(
    scores: Sequence[float], correct: Sequence[bool]
) -> tuple[np.ndarray, np.ndarray]:
    """(coverage, precision) when accepting the most confident items first."""
    s = np.asarray(scores, dtype=np.float64)
    c = np.asarray(correct, dtype=bool)[np.argsort(-s, kind="stable")]
    k = np.arange(1, len(c) + 1)
    return k / max(len(c), 1), np.cumsum(c) / k


def summary_metrics(
    y_true: Sequence[str],
    topk_labels: Sequence[Sequence[str]],
    scores: Sequence[float],
    decisions: Sequence[str],
    *,
    target_precision: float = 0.95,
) -> dict[str, Any]:
    """Top-1/top-3 accuracy, coverage at ``target_precision``, auto share and auto precision."""
    n = len(y_true)
    if n == 0:
        return {"n": 0}
    top1 = np.asarray([bool(k) and k[0] == t for t, k in zip(y_true, topk_labels, strict=True)])
    top3 = np.asarray([t in list(k)[:3] for t, k in zip(y_true, topk_labels, strict=True)])
    auto = np.asarray([d == "auto" for d in decisions])
    return {
        "n": n,
        "top1_accuracy": round(float(top1.mean()), 4),
        "top3_accuracy": round(float(top3.mean()), 4),
        f"coverage_at_{target_precision:g}_precision": round(
            coverage_at_precision(scores, top1.tolist(), target_precision), 4
        ),
        "auto_share": round(float(auto.mean()), 4),
        "auto_precision": round(float(top1[auto].mean()), 4) if auto.any() else None,
        "auto_n": int(auto.sum()),
    }


def macro_f1(
    y_true: Sequence[str], y_pred: Sequence[str], train_counts: Mapping[str, int], min_count: int = 20
) -> float | None:
    """Macro-F1 over labels with at least ``min_count`` training examples."""
    labels = sorted(label for label, n in train_counts.items() if n >= min_count)
    if not labels:
        return None
    return round(
        float(f1_score(list(y_true), list(y_pred), labels=labels, average="macro", zero_division=0)), 4
    )


def label_noise(
    keys: Sequence[str], y_true: Sequence[str], correct: Sequence[bool]
) -> dict[str, float | int]:
    """How much disagreement is in the labels themselves: identical texts disposed differently.

    ``keys`` are normalised texts. Returns the share of rows whose text occurs with more than one label,
    the share of errors among such rows, and the errors any model must make on them (rows not carrying
    the majority label of their group).
    """
    groups: dict[str, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        if key:
            groups[key].append(i)
    noisy = np.zeros(len(keys), dtype=bool)
    unavoidable = 0
    for rows in groups.values():
        labels = [y_true[i] for i in rows]
        if len(set(labels)) > 1:
            noisy[rows] = True
            unavoidable += len(rows) - max(labels.count(lab) for lab in set(labels))
    wrong = ~np.asarray(correct, dtype=bool)
    n_wrong = int(wrong.sum())
    return {
        "conflicting_rows_share": round(float(noisy.mean()), 4) if len(keys) else 0.0,
        "errors_on_conflicting_rows_share": round(float((wrong & noisy).sum() / n_wrong), 4)
        if n_wrong
        else 0.0,
        "unavoidable_errors": unavoidable,
        "unavoidable_error_share_of_errors": round(unavoidable / n_wrong, 4) if n_wrong else 0.0,
    }
