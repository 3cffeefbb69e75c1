"""MODEL_CARD.md for a router directory, rendered from its metadata."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _metrics_table(metrics: Mapping[str, Mapping[str, Any]]) -> list[str]:
    keys = sorted({k for m in metrics.values() for k in m})
    lines = ["| target | " + " | ".join(keys) + " |", "|---" * (len(keys) + 1) + "|"]
    for target, m in metrics.items():
        lines.append(f"| {target} | " + " | ".join(str(m.get(k, "")) for k in keys) + " |")
    return lines


def render_model_card(
    metadata: Mapping[str, Any], *, command: str | None = None, data_source: str | None = None,
    limits: str | None = None,
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
        "## Training",
        f"- Command: `{command or metadata.get('command', 'Router.train(...) from Python')}`",
        f"- Data source: {data_source or metadata.get('data_source', 'not recorded')}",
        f"- Rows: {data.get('n_rows')}; SHA-256 of the used columns: `{data.get('sha256')}`",
        f"- Date range: {data.get('date_range') or 'no date column found'}",
        f"- Text column: `{metadata.get('text_column')}`; location columns: {metadata.get('location_columns') or 'none'}",
        f"- Versions: lapor_nlp {metadata.get('lapor_nlp_version')}, scikit-learn {metadata.get('sklearn_version')},"
        f" Python {metadata.get('python_version')}; created {metadata.get('created_at')}",
        f"- Training time: {metadata.get('training_seconds')} s",
        "",
        "## Targets",
    ]
    for target, info in targets.items():
        roles = list(info.get("resolver", {}).get("roles", {}))
        n_auto = sum(1 for v in metadata.get("thresholds", {}).get(target, {}).values() if v is not None)
        lines.append(
            f"- `{target}`: {len(info.get('labels', {}))} labels ({len(info.get('classes', []))} classes learned), "
            f"{info.get('n_rows')} rows; {n_auto} classes can be routed automatically."
        )
        if roles:
            lines.append(
                f"  Place-specific labels learned as roles {roles}; the place comes from the location columns, "
                "else from a single place named in the text, else the suggestion goes to review."
            )
        if info.get("left_out_labels"):
            lines.append(f"  {len(info['left_out_labels'])} labels seen only once were left out.")
    lines += [
        "",
        "## Method",
        "Redacted text (personal data replaced by placeholders before any feature is built) -> TF-IDF of",
        "normalised word 1-2-grams and character 3-5-grams -> one-vs-rest linear SVM -> temperature-scaled",
        "probabilities fitted on contiguous held-out folds. Per-class thresholds make `auto` reach the target",
        f"precision ({metadata.get('target_precision')}) on held-out folds; classes with fewer than "
        f"{metadata.get('min_auto_count')} examples always go to review.",
        "",
        "## Quality (held-out folds of the training data)",
        *_metrics_table(metadata.get("metrics", {}).get("cross_validated", {})),
    ]
    later = metadata.get("metrics", {}).get("later_data")
    if later:
        lines += ["", "## Quality on later data", *_metrics_table(later)]
    lines += [
        "",
        "## Limits",
        limits
        or metadata.get("limits")
        or "Learned from one data set's operators and offices: labels outside it are unknown to the model, "
        "and quality drops when topics or offices change. Labels are real operator decisions and noisy.",
        "",
    ]
    return "\n".join(lines)
