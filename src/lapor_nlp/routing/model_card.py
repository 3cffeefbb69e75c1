"""MODEL_CARD.md for a router directory, rendered from its metadata."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def _metrics_table(metrics: Mapping[str, Mapping[str, Any]]) -> list[str]:
    keys = sorted({k for m in metrics.values() for k in m})
    lines = ["| target | " + " | ".join(keys) + " |", "|---" * (len(keys) + 1) + "|"]
    for target, m in metrics.items():
        cells = [json.dumps(v) if isinstance(v, dict) else str(v) for v in (m.get(k, "") for k in keys)]
        lines.append(f"| {target} | " + " | ".join(cells) + " |")
    return lines


def _settings_lines(metadata: Mapping[str, Any]) -> list[str]:
    """What validation chose per target (and what was tried), and the time column used."""
    chosen = metadata.get("chosen_settings") or {}
    if not chosen:
        return []
    time_column = metadata.get("time_column")
    how = (
        f"`{time_column}` (rows in time order, forward-chained folds, recency weighting)"
        if time_column
        else "none (stratified folds)"
    )
    config = metadata.get("training_config", {})
    grids = json.dumps({k: config.get(k) for k in ("C", "class_weight", "half_life_days")})
    lines = ["", "## Settings chosen by validation", f"Time column: {how}; grids: {grids}.", ""]
    floor = (
        f", keeping at least {config['coverage_floor']} of the coverage at the target precision"
        if config.get("coverage_floor")
        else ""
    )
    for target, sel in chosen.items():
        c = sel.get("chosen", {})
        tried = ", ".join(
            f"{t.get('C')}/{t.get('class_weight')}/{t.get('half_life_days')}: {t.get(sel.get('metric'))}"
            + (f" (coverage {t['coverage']})" if "coverage" in t else "")
            for t in sel.get("tried", [])
        )
        lines.append(
            f"- `{target}`: C={c.get('C')}, class_weight={c.get('class_weight')}, "
            f"half_life_days={c.get('half_life_days')} (by {sel.get('metric')}{floor}; "
            f"tried C/class_weight/half-life: {tried})"
        )
    return lines


DISPATCH_RULE = (
    "A complaint is dispatched (`auto`) when every *routing target* is `auto`; by default the routing "
    "target is the agency alone (where the complaint goes), so the category, which is for statistics, "
    "keeps its own `auto`/`review` decision and a complaint dispatched with a category still to confirm "
    "waits only to be categorised (`LAPOR_NLP_ROUTING_TARGETS=category,agency` in the service, "
    "`routing_targets=[...]` / `--routing-targets` in the library, give the older rule: both `auto`)."
)


def _dispatch_lines(targets: tuple[str, ...]) -> list[str]:
    if "agency" not in targets:
        return ["A complaint is `auto` when every target is `auto`."]
    return [
        "## Dispatch rule",
        DISPATCH_RULE,
        "",
        "The agency table `agency_policy.json` beside the model (category -> agency role, the place filled "
        "from the location columns; written by `lapor-nlp train`, or rebuilt with `lapor-nlp policy "
        "<model> <data>`) proposes the agency once a reviewer has set the category.",
    ]


def render_model_card(
    metadata: Mapping[str, Any],
    *,
    command: str | None = None,
    data_source: str | None = None,
    limits: str | None = None,
    later_data: Mapping[str, Any] | None = None,
) -> str:
    """Markdown model card: what it predicts, from which data, how well, and its limits."""
    targets = metadata.get("targets", {})
    data = metadata.get("data", {})
    lines = [
        "# Model card: lapor-nlp router",
        "",
        "Suggests a label per target for Indonesian citizen complaints, with a calibrated probability,",
        "top-k alternatives, an `auto`/`review` decision and the words that drove it.",
        "",
        *_dispatch_lines(tuple(targets)),
        "",
        "## Training",
        f"- Command: `{command or metadata.get('command', 'Router.train(...) from Python')}`",
        f"- Data source: {data_source or metadata.get('data_source', 'not recorded')}",
        f"- Rows: {data.get('n_rows')}; SHA-256 of the used columns: `{data.get('sha256')}`",
        f"- Date range: {data.get('date_range') or 'no date column found'}",
        f"- Text column: `{metadata.get('text_column')}`; "
        f"location columns: {metadata.get('location_columns') or 'none'}",
        f"- Versions: lapor_nlp {metadata.get('lapor_nlp_version')}, "
        f"scikit-learn {metadata.get('sklearn_version')}, Python {metadata.get('python_version')}; "
        f"created {metadata.get('created_at')}",
        f"- Training time: {metadata.get('training_seconds')} s",
        "",
        "## Targets",
    ]
    for target, info in targets.items():
        roles = list(info.get("resolver", {}).get("roles", {}))
        n_auto = sum(1 for v in metadata.get("thresholds", {}).get(target, {}).values() if v is not None)
        lines.append(
            f"- `{target}`: {len(info.get('labels', {}))} labels "
            f"({len(info.get('classes', []))} classes learned), {info.get('n_rows')} rows; "
            f"{n_auto} classes can be routed automatically."
        )
        if roles:
            lines.append(
                f"  Place-specific labels learned as roles {roles}; the place comes from the location "
                "columns, else from a single place named in the text, else the suggestion goes to review."
            )
        if changed := info.get("normalised_labels"):
            shown = "; ".join(
                f"{raw!r} -> {c['to']!r} ({c['rows']} rows)" for raw, c in list(changed.items())[:5]
            )
            more = f" and {len(changed) - 5} more" if len(changed) > 5 else ""
            lines.append(
                f"  {len(changed)} label spelling(s) with stray spaces were normalised (stripped, "
                f"inner spaces single) and are predicted in that form: {shown}{more}."
            )
        if info.get("left_out_labels"):
            lines.append(f"  {len(info['left_out_labels'])} labels seen only once were left out.")
    lines += [
        "",
        "## Method",
        "Redacted text (personal data replaced by placeholders before any feature is built) -> TF-IDF of",
        "normalised word 1-2-grams and character 3-5-grams -> one-vs-rest linear SVM -> temperature-scaled",
        "probabilities fitted on forward-chained held-out folds. Per-class thresholds make `auto` reach",
        f"the target precision ({metadata.get('target_precision')}, with a drift margin of "
        f"{metadata.get('drift_margin')}) on held-out folds, pooled and in their latest half; classes with "
        f"fewer than {metadata.get('min_auto_count')} examples always go to review.",
        *_settings_lines(metadata),
        "",
        "## Quality (held-out folds of the training data)",
        *_metrics_table(metadata.get("metrics", {}).get("cross_validated", {})),
    ]
    later = later_data or metadata.get("metrics", {}).get("later_data")
    if later:
        lines += [
            "",
            "## Quality on later data",
            later.get("_note", ""),
            "",
            *_metrics_table({k: v for k, v in later.items() if k != "_note"}),
        ]
    lines += [
        "",
        "## Limits",
        limits
        or metadata.get("limits")
        or "Learned from one portal's complaints and its operators' dispositions (for a city portal such "
        "as Surabaya's: one city's offices and places). Labels outside the training data are unknown to "
        "the model; other portals need their own model (retrain with `lapor-nlp train`). Quality drops as "
        "topics, offices and routing practice change: retrain regularly on recent review decisions. Labels "
        "are real operator decisions and noisy (identical texts were disposed differently). Personal data "
        "is redacted before "
        "features are built, but redaction is not perfect; do not publish raw inputs.",
        "",
    ]
    return "\n".join(lines)
