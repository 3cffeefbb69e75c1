"""Retrain on reviewed feedback and decide whether the candidate may replace the current model.

Champion/challenger: the *champion* is the model serving now; the *candidate* is trained on the base
data plus the reviewed decisions fed back (feedback wins over a base row with the same ``id``).
Both are judged on the most recent ``window_days`` of reviewed feedback (by the time column), which
**neither** has trained on: the window starts after the newest row the champion was trained on (a
champion refreshed last week is not judged on the weeks it has learned), and the judged candidate is
trained on everything before the window. When the verdict is to promote, the candidate written to
``out_dir`` is refit on everything, the window included, keeping the judged candidate's settings,
temperatures and ``auto`` thresholds (``Router.train(refit_of=...)``, one fit per target): the most
recent decisions are the most valuable training data, and the refit only adds rows to a model that
was just shown not to be worse. The candidate is trained with the champion's recorded settings (the
values validation chose for it), so a retrain does not repeat the grid search; ``config`` re-opens it.

A *refresh* (``refresh=True``, ``lapor-nlp retrain --refresh``) is the cheap update path between full
retrains: the candidate keeps the champion's features (vocabulary and IDF), settings, temperatures and
``auto`` thresholds and only its weights are refit (one fit per target for the judged candidate, one
for the promoted refit, instead of the held-out folds as well); it is judged by the same rule. New
words and recalibrated thresholds arrive with the next full retrain, so schedule both (e.g. refresh
weekly, full retrain monthly; see ``benchmarks/bench_replay.py --refresh-days``).

Promotion rule (:data:`RULE`), for every target of the champion: the candidate's top-1 accuracy on the
window is at least the champion's minus ``tolerance`` (0.01), and its ``auto`` decisions reach the
target precision minus ``precision_tolerance`` (0.02, small windows are noisy) or the champion's own
``auto`` precision on the window, whichever is lower (no ``auto`` decisions at all also passes).
Fewer than ``min_window_rows`` (30) reviewed rows in the window: no verdict can be trusted, no promotion.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lapor_nlp.errors import InputError
from lapor_nlp.routing.config import TrainingConfig, as_config
from lapor_nlp.routing.data import require_columns
from lapor_nlp.routing.evaluation import evaluate
from lapor_nlp.routing.recency import DEFAULT_TIME_COLUMN, parse_times
from lapor_nlp.routing.router import Router

RULE = (
    "promote if, for every target, candidate top-1 >= champion top-1 - {tolerance} on the window, and "
    "candidate auto precision >= min(target precision - {precision_tolerance}, champion auto precision) "
    "or no auto decisions; at least {min_window_rows} reviewed rows in the window"
)
_FIGURES = ("n", "top1_accuracy", "top3_accuracy", "auto_n", "auto_share", "auto_precision")
#: Columns of ``lapor-nlp export-feedback`` that describe the review, not the complaint.
FEEDBACK_ONLY_COLUMNS = (
    "outcome",
    "duplicate_of",
    "flagged",
    "reviewer",
    "decided_at",
    "model_version",
    "suggested_category",
    "suggested_agency",
    "returned_by",
    "strong_example",
)


@dataclass(frozen=True)
class PromotionVerdict:
    """Whether the candidate replaces the champion, why, and the figures both got on the window."""

    promote: bool
    reason: str
    window: Mapping[str, Any]
    champion: Mapping[str, Mapping[str, Any]]
    candidate: Mapping[str, Mapping[str, Any]]
    rule: str
    settings: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``promote, reason, window{start,end,n}, champion, candidate, rule, settings``."""
        plain: dict[str, Any] = json.loads(json.dumps(asdict(self), default=str))
        return plain


def merge_feedback(
    base: pd.DataFrame,
    feedback: pd.DataFrame,
    *,
    text: str,
    targets: list[str],
    location: list[str],
    time: str,
) -> pd.DataFrame:
    """Base rows plus reviewed feedback rows, one per ``id`` (feedback wins), other columns dropped.

    Feedback rows flagged ``unknown_agency`` / ``unknown_category`` keep no label for that target
    (the reviewer said the right label is not among the known ones).
    """
    require_columns(feedback, [text], what="text column of the feedback")
    columns = [c for c in dict.fromkeys(["id", text, time, *targets, *location]) if c in base.columns]
    fb = feedback.copy()
    if "flagged" in fb.columns:
        for flag, target in (("unknown_agency", "agency"), ("unknown_category", targets[0])):
            if target in fb.columns:
                fb.loc[fb["flagged"].astype(str) == flag, target] = ""
    fb = fb.reindex(columns=columns, fill_value="")
    merged = pd.concat([base.reindex(columns=columns, fill_value=""), fb.astype(str)], ignore_index=True)
    merged["_from_feedback"] = np.r_[np.zeros(len(base), dtype=bool), np.ones(len(fb), dtype=bool)]
    if "id" in merged.columns:
        merged = merged.drop_duplicates("id", keep="last")
    return merged.reset_index(drop=True)


def _figures(router: Router, window: pd.DataFrame) -> dict[str, dict[str, Any]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = evaluate(router, window)
    return {t: {k: ev.metrics.get(k) for k in _FIGURES} for t, ev in results.items()}


def _trained_until(meta: Mapping[str, Any], time_column: str) -> np.datetime64 | None:
    """Newest training time of a model (from its metadata, when it was trained on ``time_column``)."""
    date_range = (meta.get("data") or {}).get("date_range") or {}
    if date_range.get("column") != time_column or not date_range.get("max"):
        return None
    try:
        newest = pd.Timestamp(str(date_range["max"]))
    except (TypeError, ValueError):
        return None
    if newest.tzinfo is not None:  # an untimed model's range is read with its offset (WIB wall time)
        newest = newest.tz_localize(None)
    return np.datetime64(newest.to_datetime64(), "us")


def judge(
    champion: Mapping[str, Mapping[str, Any]],
    candidate: Mapping[str, Mapping[str, Any]],
    *,
    target_precision: float,
    n_window: int,
    tolerance: float = 0.01,
    precision_tolerance: float = 0.02,
    min_window_rows: int = 30,
) -> tuple[bool, str]:
    """(promote, reason) by :data:`RULE` from both models' figures on the window."""
    if n_window < min_window_rows:
        return (
            False,
            f"only {n_window} reviewed rows in the window (need {min_window_rows}); keep the champion",
        )
    for target, champ in champion.items():
        cand = candidate[target]
        if cand["top1_accuracy"] < champ["top1_accuracy"] - tolerance:
            return False, (
                f"{target}: candidate top-1 {cand['top1_accuracy']:.3f} < champion "
                f"{champ['top1_accuracy']:.3f} - {tolerance}"
            )
        floor = target_precision - precision_tolerance
        if champ.get("auto_n") and champ.get("auto_precision") is not None:
            floor = min(floor, float(champ["auto_precision"]))
        if cand.get("auto_n") and cand.get("auto_precision") is not None and cand["auto_precision"] < floor:
            return False, f"{target}: candidate auto precision {cand['auto_precision']:.3f} < {floor:.3f}"
    gains = ", ".join(
        f"{t} top-1 {champion[t]['top1_accuracy']:.3f} -> {candidate[t]['top1_accuracy']:.3f}"
        for t in champion
    )
    return True, f"candidate not worse on the window ({gains})"


def retrain(
    champion_dir: str | Path,
    base: pd.DataFrame,
    feedback: pd.DataFrame,
    out_dir: str | Path,
    *,
    window_days: int = 28,
    progress: bool = False,
    config: TrainingConfig | Mapping[str, Any] | str | Path | None = None,
    tolerance: float = 0.01,
    refresh: bool = False,
) -> PromotionVerdict:
    """Train a candidate on ``base`` + ``feedback`` with the champion's recorded settings, judge both
    on the latest ``window_days`` of feedback, write the candidate and ``promotion.json`` to ``out_dir``.

    The champion's metadata gives the text, target, location and time columns and the training config
    with its grids fixed to the settings validation chose for the champion (``config`` replaces it,
    e.g. to re-open the grids). The written candidate is refit on all rows when promoted (see the
    module docstring); when rejected, the judged candidate (without the window) is written for inspection.
    ``refresh``: refit the champion's weights only (see the module docstring); excludes ``config``.
    """
    if not isinstance(window_days, int) or window_days < 1:
        raise InputError(f"window_days must be a positive integer, got {window_days!r}")
    if refresh and config is not None:
        raise InputError(
            "a refresh keeps the champion's settings, features and thresholds, so it takes no config; "
            "run a full retrain (without refresh) to change settings"
        )
    champion = Router.load(champion_dir)
    meta = champion.metadata
    text, targets, location = champion.text_column, list(champion.targets), list(champion.location_columns)
    time_column = meta.get("time_column") or DEFAULT_TIME_COLUMN
    cfg = (
        as_config(config)
        if config is not None
        else TrainingConfig.from_mapping(meta.get("training_config", {}))
    )
    require_columns(base, [text], what="text column of the base data")
    if time_column not in feedback.columns:
        raise InputError(
            f"the feedback has no time column {time_column!r} (columns: {list(feedback.columns)[:8]}); "
            "export it with `lapor-nlp export-feedback`"
        )
    if time_column not in base.columns:
        raise InputError(
            f"the base data has no time column {time_column!r}, which the model was trained with"
        )
    data = merge_feedback(base, feedback, text=text, targets=targets, location=location, time=time_column)
    times, _ = parse_times(data, time_column, required=True)
    if times is None:  # pragma: no cover - required=True raises instead
        raise InputError(f"time column {time_column!r} could not be read")
    fb_times = times[data["_from_feedback"].to_numpy()]
    end = fb_times.max() if len(fb_times) else times.max()
    start = end - np.timedelta64(window_days, "D")
    trained_until = _trained_until(meta, time_column)
    if trained_until is not None and trained_until > start:
        start = trained_until
    in_window = data["_from_feedback"].to_numpy() & (times > start)
    window = data.loc[in_window].drop(columns="_from_feedback").reset_index(drop=True)
    train_args: dict[str, Any] = {
        "text": text,
        "targets": targets,
        "location": location,
        "time_column": time_column,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        judged = Router.train(
            data.loc[~in_window].drop(columns="_from_feedback"),
            config=cfg,
            progress=progress,
            settings_of=champion if config is None and not refresh else None,
            refit_of=champion if refresh else None,
            **train_args,
        )
    window_info = {
        "start": str(start),
        "end": str(end),
        "n": int(len(window)),
        "days": window_days,
        "champion_trained_until": None if trained_until is None else str(trained_until),
    }
    champion_figures = _figures(champion, window) if len(window) else {}
    candidate_figures = _figures(judged, window) if len(window) else {}
    promote, reason = judge(
        champion_figures,
        candidate_figures,
        target_precision=cfg.target_precision,
        n_window=len(window),
        tolerance=tolerance,
    )
    chosen = {t: v["chosen"] for t, v in judged.metadata.get("chosen_settings", {}).items()}
    candidate = judged
    if promote:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            candidate = Router.train(
                data.drop(columns="_from_feedback"),
                config=cfg,
                progress=progress,
                refit_of=judged,
                **train_args,
            )
    verdict = PromotionVerdict(
        promote=promote,
        reason=reason,
        window=window_info,
        champion=champion_figures,
        candidate=candidate_figures,
        rule=RULE.format(tolerance=tolerance, precision_tolerance=0.02, min_window_rows=30),
        settings={
            "chosen": chosen,
            "mode": "refresh" if refresh else "full",
            "refit_on_window": promote,
            "champion": str(champion_dir),
        },
    )
    candidate.metadata["promotion"] = verdict.to_dict()
    candidate.metadata["command"] = meta.get("command", "")
    candidate.metadata["data_source"] = (
        f"{meta.get('data_source', 'base data')} + {int(data['_from_feedback'].sum())} reviewed feedback rows"
    )
    from lapor_nlp.routing.model_card import render_model_card

    out = candidate.save(out_dir, model_card=render_model_card(candidate.metadata))
    (out / "promotion.json").write_text(json.dumps(verdict.to_dict(), indent=2, ensure_ascii=False) + "\n")
    return verdict
