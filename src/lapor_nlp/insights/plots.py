"""Matplotlib figures for the insights report, returned as PNG bytes (no display, no files)."""

from __future__ import annotations

import io
import textwrap

import pandas as pd


def _figure(width: float = 9.0, height: float = 3.8):  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return fig, fig.add_subplot()


def _png(fig) -> bytes:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _short(label: object, width: int = 38) -> str:
    return textwrap.shorten(str(label), width=width, placeholder="…")


def volume_plot(counts: pd.DataFrame, *, title: str, top: int = 6) -> bytes:
    """Lines of the ``top`` largest groups of a wide :func:`~lapor_nlp.insights.volume.volume` frame."""
    fig, ax = _figure()
    columns = list(counts.columns[:top])
    for col in columns:
        ax.plot(counts.index, counts[col], marker=".", linewidth=1.4, label=_short(col))
    if len(counts.columns) > top:
        other = counts[counts.columns[top:]].sum(axis=1)
        ax.plot(
            counts.index,
            other,
            color="0.6",
            linestyle="--",
            linewidth=1.2,
            label=f"other ({len(counts.columns) - top})",
        )
    ax.set_title(title)
    ax.set_ylabel("complaints")
    ax.grid(alpha=0.3)
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return _png(fig)


def emerging_plot(series: pd.Series, flagged: list[pd.Timestamp], *, title: str) -> bytes:
    """One group's volume over time with its flagged periods marked."""
    fig, ax = _figure(9.0, 3.0)
    ax.plot(series.index, series.to_numpy(), color="tab:blue", marker=".", linewidth=1.4, label="complaints")
    marks = series.reindex(flagged)
    ax.scatter(marks.index, marks.to_numpy(), color="tab:red", s=60, zorder=3, label="emerging")
    ax.set_title(_short(title, 90))
    ax.set_ylabel("complaints")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, frameon=False)
    return _png(fig)


def response_plot(table: pd.DataFrame, *, label: str, sla_days: float, top: int = 15) -> bytes:
    """Horizontal bars of median and p90 response days for the busiest groups, with the SLA line."""
    rows = table[table[label] != "(all)"].dropna(subset=["median_days"]).head(top).iloc[::-1]
    fig, ax = _figure(9.0, max(2.5, 0.38 * len(rows) + 1.2))
    y = range(len(rows))
    ax.barh([i + 0.2 for i in y], rows["p90_days"], height=0.4, color="tab:orange", label="p90")
    ax.barh([i - 0.2 for i in y], rows["median_days"], height=0.4, color="tab:blue", label="median")
    ax.axvline(sla_days, color="tab:red", linestyle="--", linewidth=1.2, label=f"target {sla_days:g} d")
    ax.set_yticks(list(y), [_short(v, 45) for v in rows[label]], fontsize=8)
    ax.set_xlabel("days to respond")
    ax.set_title(f"Response time by {label} (busiest {len(rows)})")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    return _png(fig)


def backlog_plot(ages: pd.Series) -> bytes:
    """Histogram of the age (days) of unresolved complaints."""
    fig, ax = _figure(9.0, 3.0)
    ax.hist(ages.to_numpy(dtype=float), bins=min(30, max(5, len(ages) // 3)), color="tab:purple")
    ax.set_xlabel("age of unresolved complaint (days)")
    ax.set_ylabel("complaints")
    ax.set_title(f"Backlog: {len(ages)} unresolved complaints")
    ax.grid(alpha=0.3)
    return _png(fig)


def override_plot(table: pd.DataFrame, *, label: str, top: int = 15) -> bytes:
    """Horizontal bars of the override rate for the most suggested labels, annotated with counts."""
    rows = table.dropna(subset=["override_rate"]).head(top).iloc[::-1]
    fig, ax = _figure(9.0, max(2.5, 0.38 * len(rows) + 1.2))
    y = list(range(len(rows)))
    ax.barh(y, rows["override_rate"], color="tab:green")
    for i, (rate, n) in enumerate(zip(rows["override_rate"], rows["decided"], strict=True)):
        ax.text(rate, i, f" {rate:.0%} of {n}", va="center", fontsize=8)
    ax.set_yticks(y, [_short(v, 45) for v in rows[label]], fontsize=8)
    ax.set_xlim(0, min(1.2, max(0.25, float(rows["override_rate"].max()) * 1.3)))
    ax.set_xlabel("override rate (decided suggestions)")
    ax.set_title(f"Admin overrides by {label.replace('_', ' ')}")
    ax.grid(axis="x", alpha=0.3)
    return _png(fig)
