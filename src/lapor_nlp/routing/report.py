"""Write an evaluation report: metrics.json, report.md and PNG plots."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from lapor_nlp.routing.evaluation import TargetEvaluation
from lapor_nlp.routing.metrics import precision_coverage_curve


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-") or "target"


def _short(label: str, n: int = 32) -> str:
    return label if len(label) <= n else label[: n - 1] + "…"


def _save(fig: Any, path: Path) -> None:
    """Write a finished figure as PNG and free it (pyplot keeps every open figure alive)."""
    import matplotlib.pyplot as plt

    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _confusion(ev: TargetEvaluation, path: Path, n: int = 12) -> None:
    import matplotlib.pyplot as plt

    classes = list(ev.per_class.sort_values("support", ascending=False)["label"][:n])
    idx = {c: i for i, c in enumerate(classes)}
    m = np.zeros((len(classes), len(classes) + 1))
    for t, p in zip(ev.y_true, ev.y_pred, strict=True):
        if t in idx:
            m[idx[t], idx.get(p, len(classes))] += 1
    rows = m / np.maximum(m.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(11, 9))
    im = ax.imshow(rows, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(
        range(len(classes) + 1), [_short(c, 24) for c in classes] + ["(other)"], rotation=60, ha="right"
    )
    ax.set_yticks(range(len(classes)), [_short(c, 32) for c in classes])
    for i in range(len(classes)):
        for j in range(len(classes) + 1):
            if m[i, j]:
                ax.text(
                    j,
                    i,
                    str(int(m[i, j])),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if rows[i, j] > 0.5 else "black",
                )
    ax.set_xlabel("predicted")
    ax.set_ylabel("true (row-normalised colour, counts in cells)")
    ax.set_title(f"{ev.target}: confusion matrix of the {len(classes)} largest classes")
    fig.colorbar(im, ax=ax, fraction=0.03)
    _save(fig, path)


def _reliability(ev: TargetEvaluation, path: Path, bins: int = 10) -> None:
    import matplotlib.pyplot as plt

    s = np.asarray(ev.scores)
    c = np.asarray([p == t for p, t in zip(ev.y_pred, ev.y_true, strict=True)], dtype=float)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(s, edges) - 1, 0, bins - 1)
    conf, acc, cnt = [], [], []
    for b in range(bins):
        mask = which == b
        if mask.any():
            conf.append(s[mask].mean())
            acc.append(c[mask].mean())
            cnt.append(int(mask.sum()))
    fig, ax = plt.subplots(figsize=(6.5, 6))
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfect calibration")
    ax.plot(conf, acc, "o-", label="model")
    for x, y, n in zip(conf, acc, cnt, strict=True):
        ax.annotate(str(n), (x, y), textcoords="offset points", xytext=(4, -10), fontsize=7)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("predicted probability of the top label")
    ax.set_ylabel("share correct")
    ax.set_title(f"{ev.target}: reliability diagram (n per bin annotated)")
    ax.legend(loc="upper left")
    _save(fig, path)


def _precision_coverage(ev: TargetEvaluation, path: Path, target_precision: float) -> None:
    import matplotlib.pyplot as plt

    cov, prec = precision_coverage_curve(
        ev.scores, [p == t for p, t in zip(ev.y_pred, ev.y_true, strict=True)]
    )
    fig, ax = plt.subplots(figsize=(7, 5))
    ax.plot(cov, prec, label="most confident first")
    ax.axhline(target_precision, color="red", ls="--", label=f"target precision {target_precision:g}")
    auto_share = ev.metrics.get("auto_share", 0)
    if auto_share:
        ax.axvline(auto_share, color="green", ls=":", label=f"auto share {auto_share:.2f}")
    ax.set_xlabel("coverage (share of complaints accepted)")
    ax.set_ylabel("precision of accepted")
    ax.set_ylim(0.4, 1.01)
    ax.set_title(f"{ev.target}: precision vs coverage")
    ax.legend(loc="lower left")
    _save(fig, path)


def _per_class(ev: TargetEvaluation, path: Path, n: int = 20) -> None:
    import matplotlib.pyplot as plt

    top = ev.per_class.sort_values("support", ascending=False).head(n)[::-1]
    y = np.arange(len(top))
    fig, ax = plt.subplots(figsize=(10, max(4, 0.38 * len(top) + 1.5)))
    ax.barh(y - 0.2, top["precision"], height=0.4, label="precision")
    ax.barh(y + 0.2, top["recall"], height=0.4, label="recall")
    ax.set_yticks(
        y, [f"{_short(lab, 40)} (n={s})" for lab, s in zip(top["label"], top["support"], strict=True)]
    )
    ax.set_xlim(0, 1)
    ax.set_title(f"{ev.target}: precision and recall of the {len(top)} largest classes (n = support)")
    ax.legend(loc="lower right")
    _save(fig, path)


def write_report(
    results: Mapping[str, TargetEvaluation],
    directory: str | Path,
    *,
    context: Mapping[str, Any] | None = None,
    target_precision: float = 0.95,
) -> Path:
    """Write ``metrics.json``, ``report.md`` and four PNGs per target into ``directory``."""
    import matplotlib

    matplotlib.use("Agg")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    metrics = {t: ev.metrics for t, ev in results.items()}
    (directory / "metrics.json").write_text(
        json.dumps({"context": dict(context or {}), "targets": metrics}, indent=2) + "\n"
    )
    lines = ["# Routing evaluation", ""]
    for key, value in (context or {}).items():
        lines.append(f"- {key}: {value}")
    lines.append("")
    for target, ev in results.items():
        slug = _slug(target)
        plots = {
            "confusion": _confusion,
            "reliability": _reliability,
            "per_class": _per_class,
        }
        for name, fn in plots.items():
            fn(ev, directory / f"{slug}_{name}.png")
        _precision_coverage(ev, directory / f"{slug}_precision_coverage.png", target_precision)
        m = ev.metrics
        noise = m.get("label_noise", {})
        lines += [
            f"## {target}",
            "",
            "| figure | value |",
            "|---|---|",
            *[f"| {k} | {v} |" for k, v in m.items() if k != "label_noise"],
            "",
            f"Label noise: {noise.get('conflicting_rows_share', 0):.1%} of rows share their exact text "
            "with a row disposed differently; "
            f"{noise.get('errors_on_conflicting_rows_share', 0):.1%} of the errors fall on such rows, and "
            f"{noise.get('unavoidable_errors', 0)} errors "
            f"({noise.get('unavoidable_error_share_of_errors', 0):.1%} of all) are unavoidable for any "
            "model.",
            "",
            f"![confusion]({slug}_confusion.png)",
            f"![reliability]({slug}_reliability.png)",
            f"![precision-coverage]({slug}_precision_coverage.png)",
            f"![per-class]({slug}_per_class.png)",
            "",
            "Per-class figures (20 largest classes):",
            "",
            "| label | precision | recall | f1 | support |",
            "|---|---|---|---|---|",
            *[
                f"| {r.label} | {r.precision:.3f} | {r.recall:.3f} | {r.f1:.3f} | {r.support} |"
                for r in ev.per_class.sort_values("support", ascending=False).head(20).itertuples()
            ],
            "",
        ]
    (directory / "report.md").write_text("\n".join(lines))
    return directory
