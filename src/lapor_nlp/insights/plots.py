"""Matplotlib figures for the insights report, returned as PNG bytes (no display, no files).

Every word on a figure comes from the report's message catalogue (:class:`~lapor_nlp.insights.messages.\
Messages`); dates on the axes are written by Babel in the report's language, with a date locator that
keeps the labels from overlapping.
"""

from __future__ import annotations

import io
import textwrap

import pandas as pd

from lapor_nlp.insights.messages import Messages


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


def _date_axis(ax, msg: Messages, *, monthly: bool = False) -> None:  # type: ignore[no-untyped-def]
    """At most ~8 date ticks, labelled ``15 Feb 2023`` (``Feb 2023`` by month) and slanted."""
    from matplotlib.dates import AutoDateLocator, num2date
    from matplotlib.ticker import FuncFormatter

    def label(x: float, _pos: int | None = None) -> str:
        day = pd.Timestamp(num2date(x)).tz_localize(None)  # type: ignore[no-untyped-call]
        return msg.date(day, with_day=not monthly)

    ax.margins(x=0.04)  # room for the first slanted label
    ax.xaxis.set_major_locator(AutoDateLocator(minticks=3, maxticks=8))  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_formatter(FuncFormatter(label))
    ax.tick_params(axis="x", labelsize=8, labelrotation=30)
    for tick in ax.get_xticklabels(which="major"):
        tick.set_horizontalalignment("right")


def volume_plot(
    counts: pd.DataFrame, *, title: str, msg: Messages | None = None, top: int = 6, monthly: bool = False
) -> bytes:
    """Lines of the ``top`` largest groups of a wide :func:`~lapor_nlp.insights.volume.volume` frame."""
    msg = msg or Messages("id")
    fig, ax = _figure()
    columns = list(counts.columns[:top])
    for col in columns:
        label = msg("label.all") if col == "complaints" and len(counts.columns) == 1 else _short(col)
        ax.plot(counts.index, counts[col], marker=".", linewidth=1.4, label=label)
    if len(counts.columns) > top:
        other = counts[counts.columns[top:]].sum(axis=1)
        ax.plot(
            counts.index,
            other,
            color="0.6",
            linestyle="--",
            linewidth=1.2,
            label=msg("plot.other", n=len(counts.columns) - top),
        )
    ax.set_title(title)
    ax.set_ylabel(msg("plot.axis.complaints"))
    ax.grid(alpha=0.3)
    ax.set_ylim(bottom=0)
    if len(counts.index):
        _date_axis(ax, msg, monthly=monthly)
    if len(counts.columns) > 1:
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return _png(fig)


def emerging_plot(
    series: pd.Series, flagged: list[pd.Timestamp], *, title: str, msg: Messages | None = None
) -> bytes:
    """One group's volume over time with its flagged periods marked."""
    msg = msg or Messages("id")
    fig, ax = _figure(9.0, 3.0)
    ax.plot(
        series.index,
        series.to_numpy(),
        color="tab:blue",
        marker=".",
        linewidth=1.4,
        label=msg("plot.emerging.series"),
    )
    marks = series.reindex(flagged)
    ax.scatter(
        marks.index, marks.to_numpy(), color="tab:red", s=60, zorder=3, label=msg("plot.emerging.flagged")
    )
    ax.set_title(_short(title, 90))
    ax.set_ylabel(msg("plot.axis.complaints"))
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    if len(series.index):
        _date_axis(ax, msg)
    ax.legend(fontsize=8, frameon=False)
    return _png(fig)


def response_plot(
    table: pd.DataFrame, *, label: str, sla_days: float, msg: Messages | None = None, top: int = 15
) -> bytes:
    """Horizontal bars of median and p90 response days for the busiest groups, with the SLA line."""
    msg = msg or Messages("id")
    rows = table[table[label] != "(all)"].dropna(subset=["median_days"]).head(top).iloc[::-1]
    fig, ax = _figure(9.0, max(2.5, 0.38 * len(rows) + 1.2))
    y = range(len(rows))
    ax.barh(
        [i + 0.2 for i in y], rows["p90_days"], height=0.4, color="tab:orange", label=msg("plot.response.p90")
    )
    ax.barh(
        [i - 0.2 for i in y],
        rows["median_days"],
        height=0.4,
        color="tab:blue",
        label=msg("plot.response.median"),
    )
    ax.axvline(
        sla_days,
        color="tab:red",
        linestyle="--",
        linewidth=1.2,
        label=msg("plot.response.target", sla=msg.days(sla_days)),
    )
    ax.set_yticks(list(y), [_short(v, 45) for v in rows[label]], fontsize=8)
    ax.set_xlabel(msg("plot.response.axis"))
    ax.set_title(msg("plot.response.title", dim=msg.dimension(label), n=len(rows)))
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    return _png(fig)


def backlog_plot(ages: pd.Series, *, msg: Messages | None = None) -> bytes:
    """Histogram of the age (days) of unresolved complaints."""
    msg = msg or Messages("id")
    fig, ax = _figure(9.0, 3.0)
    ax.hist(ages.to_numpy(dtype=float), bins=min(30, max(5, len(ages) // 3)), color="tab:purple")
    ax.set_xlabel(msg("plot.backlog.axis"))
    ax.set_ylabel(msg("plot.axis.complaints"))
    ax.set_title(msg("plot.backlog.title", n=msg.integer(len(ages))))
    ax.grid(alpha=0.3)
    return _png(fig)


def override_plot(table: pd.DataFrame, *, label: str, msg: Messages | None = None, top: int = 15) -> bytes:
    """Horizontal bars of the override rate for the most suggested labels, annotated with counts."""
    msg = msg or Messages("id")
    rows = table.dropna(subset=["override_rate"]).head(top).iloc[::-1]
    fig, ax = _figure(9.0, max(2.5, 0.38 * len(rows) + 1.2))
    y = list(range(len(rows)))
    ax.barh(y, rows["override_rate"], color="tab:green")
    for i, (rate, n) in enumerate(zip(rows["override_rate"], rows["decided"], strict=True)):
        ax.text(
            rate, i, " " + msg("plot.override.bar", rate=msg.percent(rate, 0), n=n), va="center", fontsize=8
        )
    ax.set_yticks(y, [_short(v, 45) for v in rows[label]], fontsize=8)
    ax.set_xlim(0, min(1.2, max(0.25, float(rows["override_rate"].max()) * 1.3)))
    ax.set_xlabel(msg("plot.override.axis"))
    ax.set_title(msg("plot.override.title", label=msg.column(label).lower()))
    ax.grid(axis="x", alpha=0.3)
    return _png(fig)
