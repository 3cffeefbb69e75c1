"""Assemble the insights into one self-contained HTML report (plots embedded as PNG) plus CSV tables."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from lapor_nlp import __version__
from lapor_nlp._files import atomic_write
from lapor_nlp._progress import progress_steps
from lapor_nlp.errors import InputError
from lapor_nlp.insights import plots
from lapor_nlp.insights.data import ComplaintData, prepare_complaints
from lapor_nlp.insights.emerging import LEVEL_THRESHOLDS, detect_emerging, get_thresholds
from lapor_nlp.insights.messages import CATALOGUE, alert_sentence
from lapor_nlp.insights.response import backlog, default_as_of, response_times
from lapor_nlp.insights.review import review_quality
from lapor_nlp.insights.volume import totals, volume, volume_long

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}h3{margin-top:1.4em}
table{border-collapse:collapse;font-size:.85em;margin:.6em 0}th,td{border:1px solid #ccc;padding:.25em .5em;
text-align:left;vertical-align:top}th{background:#f3f3f3}
img{max-width:100%;height:auto;border:1px solid #eee}.note{background:#fff8e1;border-left:4px solid #f0b400;
padding:.4em .8em;margin:.4em 0}.muted{color:#666;font-size:.9em}ol.alerts li{margin:.2em 0}
table.wide td:last-child{min-width:30em;font-size:.9em;color:#333}
"""


@dataclass
class Section:
    """One part of the report: a heading followed by HTML blocks (already escaped)."""

    title: str
    blocks: list[str] = field(default_factory=list)

    def text(self, value: str, css: str | None = None) -> None:
        """Add a paragraph (``css="note"`` highlights it, ``"muted"`` greys it)."""
        cls = f' class="{css}"' if css else ""
        self.blocks.append(f"<p{cls}>{html.escape(value)}</p>")

    def heading(self, value: str) -> None:
        """Add a sub-heading."""
        self.blocks.append(f"<h3>{html.escape(value)}</h3>")

    def table(
        self,
        frame: pd.DataFrame,
        *,
        rows: int = 20,
        csv: str | None = None,
        columns: Sequence[str] | None = None,
    ) -> None:
        """Add the first ``rows`` rows of ``frame`` (optionally only ``columns``), linking the full CSV."""
        shown = _displayable(frame.head(rows)[list(columns)] if columns is not None else frame.head(rows))
        wide = len(shown.columns) and shown.columns[-1] in ("text", "examples")
        html_table = shown.to_html(
            index=False, escape=True, na_rep="–", border=0, classes="wide" if wide else None
        )
        self.blocks.append(html_table)
        more = f"{len(frame) - rows} more row(s) in " if len(frame) > rows else "Full table: "
        if csv:
            link = html.escape(csv, quote=True)
            self.blocks.append(f'<p class="muted">{html.escape(more)}<a href="{link}">{link}</a></p>')

    def figure(self, png: bytes, alt: str) -> None:
        """Add a PNG inlined as a base64 data URI."""
        data = base64.b64encode(png).decode("ascii")
        self.blocks.append(f'<p><img alt="{html.escape(alt)}" src="data:image/png;base64,{data}"></p>')


def _displayable(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if _holds_sequences(out[col]):
            out[col] = out[col].map(lambda v: " | ".join(map(str, v)) if isinstance(v, list | tuple) else v)
        elif pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d %H:%M").str.replace(" 00:00", "", regex=False)
        elif col == "p_value":
            out[col] = out[col].map(lambda v: f"{v:.1e}")
    return out


def _holds_sequences(values: pd.Series) -> bool:
    # A plain loop: Series.map keeps a pandas string dtype on empty columns, whose .any() raises.
    return values.dtype == object and any(isinstance(v, list | tuple) for v in values)


def _csv_ready(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if _holds_sequences(out[col]):
            out[col] = out[col].map(lambda v: " | ".join(map(str, v)) if isinstance(v, list | tuple) else v)
    return out


@dataclass
class InsightsReport:
    """The computed report: HTML sections, the CSV tables and the PNG figures.

    Attributes
    ----------
    tables : dict of str to DataFrame
        CSV name (without extension) -> table, e.g. ``emerging``, ``response_times_agency``, ``backlog``.
    figures : dict of str to bytes
        Figure name -> PNG bytes (also embedded in the HTML).
    notes : list of str
        Data-quality notes (missing columns, unparseable dates, ...).
    """

    title: str
    sections: list[Section] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, bytes] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_html(self) -> str:
        """The report as one HTML document with every image inlined (readable offline)."""
        toc = "".join(
            f'<li><a href="#s{i}">{html.escape(s.title)}</a></li>' for i, s in enumerate(self.sections)
        )
        body = "".join(
            f'<h2 id="s{i}">{html.escape(s.title)}</h2>' + "".join(s.blocks)
            for i, s in enumerate(self.sections)
        )
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(self.title)}</title><style>{_CSS}</style></head><body>"
            f"<h1>{html.escape(self.title)}</h1><ul>{toc}</ul>{body}"
            f'<p class="muted">Generated by lapor-nlp {html.escape(__version__)}.</p></body></html>'
        )

    def write(self, out_dir: str | Path) -> Path:
        """Write ``report.html``, every table as ``<name>.csv`` and figures as ``figures/<name>.png``.

        Files are written to temporary names and renamed, so a crash never leaves half a file.
        Returns the path of ``report.html``.
        """
        out = Path(out_dir)
        page = out / "report.html"
        try:
            (out / "figures").mkdir(parents=True, exist_ok=True)
            for name, frame in self.tables.items():
                atomic_write(out / f"{name}.csv", _csv_ready(frame).to_csv(index=False).encode("utf-8"))
            for name, png in self.figures.items():
                atomic_write(out / "figures" / f"{name}.png", png)
            atomic_write(page, self.to_html().encode("utf-8"))
        except OSError as exc:
            raise InputError(f"cannot write the report to {out}: {exc}; pass a writable directory") from exc
        return page

    def add_figure(self, section: Section, name: str, png: bytes, alt: str) -> None:
        """Keep ``png`` as figure ``name`` and show it in ``section``."""
        self.figures[name] = png
        section.figure(png, alt)


def _timestamp(value: pd.Timestamp | str) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise InputError(f"as_of must be a date such as '2024-06-30', got {value!r}") from exc
    if pd.isna(stamp):
        raise InputError(f"as_of must be a date such as '2024-06-30', got {value!r}")
    return stamp.tz_convert("UTC").tz_localize(None) if stamp.tzinfo is not None else stamp


@dataclass(frozen=True)
class _EmergingSettings:
    """The emerging-issue arguments of :func:`build_report`, passed on to ``detect_emerging``."""

    freq: str
    window: int
    min_count: int | None
    z_threshold: float | None
    alpha: float | None
    max_per_period: int | None
    language: str

    @property
    def unit(self) -> str:
        return "week" if self.freq == "W" else "month"

    def rule(self, dimension: str) -> str:
        """The thresholds that apply to ``dimension``, as a phrase."""
        level = get_thresholds(dimension)
        m = level.min_count if self.min_count is None else self.min_count
        z = level.z_threshold if self.z_threshold is None else self.z_threshold
        a = level.alpha if self.alpha is None else self.alpha
        return f"{dimension}: at least {m} complaints, z >= {z:g}, p <= {a:g}"


def build_report(
    data: ComplaintData | pd.DataFrame,
    *,
    decisions: pd.DataFrame | None = None,
    sla_days: float = 5.0,
    emerging_by: Sequence[str] | None = None,
    emerging_freq: str = "W",
    window: int = 8,
    min_count: int | None = None,
    z_threshold: float | None = None,
    alpha: float | None = None,
    max_alerts_per_period: int | None = 2,
    alert_language: str = "id",
    top: int = 10,
    as_of: pd.Timestamp | str | None = None,
    title: str = "Complaint insights",
    progress: bool = False,
) -> InsightsReport:
    """Compute every insight the data allows and lay them out as a report.

    Parameters
    ----------
    data : ComplaintData or DataFrame
        The complaint export (a DataFrame goes through :func:`prepare_complaints`).
    decisions : DataFrame, optional
        The service's decisions table (see :mod:`lapor_nlp.insights.review`); review quality is skipped
        with a note when it is not given.
    sla_days : float
        Service-level target for a response, in days.
    emerging_by : sequence of str, optional
        Columns to watch for emerging issues; default every available one of category, kecamatan,
        kelurahan and agency.
    emerging_freq, window, min_count, z_threshold, alpha
        Passed to :func:`~lapor_nlp.insights.emerging.detect_emerging`; ``None`` thresholds take each
        level's default (:data:`~lapor_nlp.insights.emerging.LEVEL_THRESHOLDS`).
    max_alerts_per_period : int or None
        Strongest alerts kept per watched column and period (``max_per_period`` of ``detect_emerging``).
    alert_language : {"id", "en"}
        Language of the one-sentence summary of each alert (column ``alert``).
    top : int
        Rows and lines shown per table and plot (CSV files hold everything).
    as_of : Timestamp or str, optional
        Reference time for backlog ages and unresolved complaints past the target; defaults to the
        latest date in the data.
    """
    data = _prepare(data, sla_days=sla_days, alert_language=alert_language)
    reference = default_as_of(data) if as_of is None else _timestamp(as_of)
    watch, unknown = _watched_dimensions(data, emerging_by)
    emerging = _EmergingSettings(
        emerging_freq, window, min_count, z_threshold, alpha, max_alerts_per_period, alert_language
    )
    report = InsightsReport(title=title, notes=list(data.notes))
    if unknown:
        report.notes.append(f"Cannot watch {unknown} for emerging issues: no such column(s).")
    steps = progress_steps(5, desc="report", enabled=progress)
    overview = _overview_section(report, data)
    steps.update()
    _volume_section(report, data, top=top)
    steps.update()
    _emerging_section(report, data, watch, emerging, top=top)
    steps.update()
    _response_section(report, data, sla_days=sla_days, reference=reference, given=as_of is not None, top=top)
    steps.update()
    _review_section(report, decisions, top=top)
    steps.update()
    steps.close()
    _render_notes(report, overview)
    return report


def _prepare(data: ComplaintData | pd.DataFrame, *, sla_days: float, alert_language: str) -> ComplaintData:
    """Validate the arguments and turn a raw export into :class:`ComplaintData`."""
    if not isinstance(data, ComplaintData):
        data = prepare_complaints(data)
    if sla_days <= 0:
        raise InputError(f"sla_days must be positive, got {sla_days}")
    if alert_language not in CATALOGUE:
        raise InputError(f"alert_language must be one of {sorted(CATALOGUE)}, got {alert_language!r}")
    return data


def _watched_dimensions(
    data: ComplaintData, emerging_by: Sequence[str] | None
) -> tuple[list[str], list[str]]:
    """The columns to watch for emerging issues, and the requested ones the data does not have."""
    dims = data.dimensions
    watch = [d for d in (emerging_by or ("category", "kecamatan", "kelurahan", "agency")) if d in dims]
    unknown = [d for d in (emerging_by or ()) if d not in dims]
    return watch, unknown


def _overview_section(report: InsightsReport, data: ComplaintData) -> Section:
    """Counts, date range and available breakdowns; the data-quality table."""
    frame = data.frame
    overview = Section("Overview")
    report.sections.append(overview)
    first, last = frame["submitted_at"].min(), frame["submitted_at"].max()
    overview.text(
        f"{len(frame):,} complaints submitted from {first:%Y-%m-%d} to {last:%Y-%m-%d}. "
        f"Breakdowns available: {', '.join(data.dimensions) or 'none'}."
    )
    quality = pd.DataFrame([{"column": k, "unparseable_dates": v} for k, v in data.unparseable_dates.items()])
    report.tables["data_quality"] = quality
    return overview


def _volume_section(report: InsightsReport, data: ComplaintData, *, top: int) -> None:
    """Weekly volume overall, then totals and weekly/monthly volume per breakdown."""
    vol = Section("Volume")
    report.sections.append(vol)
    weekly = volume(data, None, freq="W")
    report.tables["volume_weekly"] = weekly.reset_index()
    report.add_figure(
        vol, "volume_weekly", plots.volume_plot(weekly, title="Complaints per week"), "complaints per week"
    )
    for dim in data.dimensions:
        vol.heading(f"By {dim}")
        report.tables[f"totals_{dim}"] = totals(data, dim)
        report.tables[f"volume_weekly_{dim}"] = volume_long(data, dim, freq="W")
        report.tables[f"volume_monthly_{dim}"] = volume_long(data, dim, freq="M")
        monthly = volume(data, dim, freq="M")
        report.add_figure(
            vol,
            f"volume_monthly_{dim}",
            plots.volume_plot(
                monthly, title=f"Complaints per month by {dim} (largest {min(6, monthly.shape[1])})"
            ),
            f"complaints per month by {dim}",
        )
        vol.table(report.tables[f"totals_{dim}"], rows=top, csv=f"totals_{dim}.csv")
        vol.text(f"Per week and month: volume_weekly_{dim}.csv, volume_monthly_{dim}.csv.", "muted")


def _emerging_section(
    report: InsightsReport,
    data: ComplaintData,
    watch: list[str],
    settings: _EmergingSettings,
    *,
    top: int,
) -> None:
    """How alerts are found, the alerts strongest first, and a plot per watched column."""
    section = Section("Emerging issues")
    report.sections.append(section)
    unit = settings.unit
    cap = (
        f" At most {settings.max_per_period} alert(s) per {unit} and column are kept, the strongest."
        if settings.max_per_period
        else ""
    )
    section.text(
        f"A {unit} is flagged when a group's count is well above its own previous {settings.window} {unit}s "
        f"(robust z-score) and a Poisson test against their mean agrees. Smaller areas need more "
        f"evidence: {'; '.join(settings.rule(d) for d in watch or LEVEL_THRESHOLDS)}.{cap} "
        "Example complaints are redacted."
    )
    found = _detect_alerts(data, watch, settings)
    report.tables["emerging"] = found
    if not watch:
        section.text("No category or location column, so there is nothing to watch.", "note")
    elif found.empty:
        section.text(f"No emerging issue among {', '.join(watch)}.")
    else:
        section.text(f"{len(found)} alert(s) among {', '.join(watch)}, strongest first.")
        items = "".join(f"<li>{html.escape(a)}</li>" for a in found["alert"].head(top * 2))
        section.blocks.append(f'<ol class="alerts" lang="{settings.language}">{items}</ol>')
        shown = [
            "dimension",
            "group",
            "period",
            "complaints",
            "baseline_median",
            "robust_z",
            "p_value",
            "examples",
        ]
        section.table(found, rows=top * 2, csv="emerging.csv", columns=shown)
        _emerging_figures(report, section, data, found, settings.freq)


def _detect_alerts(data: ComplaintData, watch: list[str], settings: _EmergingSettings) -> pd.DataFrame:
    """The alerts of every watched column, strongest first, each with its one-sentence summary."""
    alerts = [
        detect_emerging(
            data,
            d,
            freq=settings.freq,
            window=settings.window,
            min_count=settings.min_count,
            z_threshold=settings.z_threshold,
            alpha=settings.alpha,
            max_per_period=settings.max_per_period,
        )
        for d in watch
    ]
    found = (
        pd.concat([a for a in alerts if not a.empty], ignore_index=True)
        if any(not a.empty for a in alerts)
        else (alerts[0] if alerts else pd.DataFrame())
    )
    if not found.empty:
        found = found.sort_values(["robust_z", "p_value"], ascending=[False, True], kind="stable")
        found = found.reset_index(drop=True)
        found.insert(
            0,
            "alert",
            [alert_sentence(row, settings.language, freq=settings.freq) for row in found.to_dict("records")],
        )
    return found


def _emerging_figures(
    report: InsightsReport, section: Section, data: ComplaintData, found: pd.DataFrame, freq: str
) -> None:
    """Volume plot of the strongest alert's group for (at most four) watched columns."""
    strongest = (
        found.sort_values("robust_z", ascending=False, kind="stable").drop_duplicates("dimension").head(4)
    )
    for _, alert in strongest.iterrows():
        series = volume(data, alert["dimension"], freq=freq)[alert["group"]]
        when = found[(found["dimension"] == alert["dimension"]) & (found["group"] == alert["group"])][
            "period"
        ]
        report.add_figure(
            section,
            f"emerging_{alert['dimension']}",
            plots.emerging_plot(series, list(when), title=f"{alert['dimension']}: {alert['group']}"),
            f"volume of {alert['group']}",
        )


def _response_section(
    report: InsightsReport,
    data: ComplaintData,
    *,
    sla_days: float,
    reference: pd.Timestamp,
    given: bool,
    top: int,
) -> None:
    """Response times per agency and category against the target, then the backlog."""
    resp = Section("Response times and backlog")
    report.sections.append(resp)
    if not data.has_responses:
        resp.text(
            "No 'responded_at' column in the export: response times and backlog are not available.", "note"
        )
        return
    resp.text(
        f"Service-level target: {sla_days:g} days. Share over target counts complaints answered late and "
        f"unresolved ones already older than the target at {reference:%Y-%m-%d %H:%M} "
        + ("(as given)." if given else "(the latest date in the data).")
    )
    dims = data.dimensions
    for dim in ("agency", "category"):
        if dim not in dims:
            continue
        table = response_times(data, dim, sla=sla_days, as_of=reference)
        report.tables[f"response_times_{dim}"] = table
        resp.heading(f"By {dim}")
        if dim == "agency":
            report.add_figure(
                resp,
                "response_times_agency",
                plots.response_plot(table, label=dim, sla_days=sla_days),
                "response time by agency",
            )
        resp.table(table, rows=top + 1, csv=f"response_times_{dim}.csv")
    if not {"agency", "category"} & set(dims):
        table = response_times(data, None, sla=sla_days, as_of=reference)
        report.tables["response_times"] = table
        resp.table(table, csv="response_times.csv")
    _backlog_block(report, resp, data, reference=reference, top=top)


def _backlog_block(
    report: InsightsReport, section: Section, data: ComplaintData, *, reference: pd.Timestamp, top: int
) -> None:
    """Unresolved complaints at ``reference``, oldest first, with a plot of their ages."""
    open_ = backlog(data, as_of=reference)
    report.tables["backlog"] = open_
    section.heading("Backlog (unresolved, oldest first)")
    if open_.empty:
        section.text("No unresolved complaint.")
        return
    report.add_figure(
        section, "backlog_age", plots.backlog_plot(open_["age_days"]), "age of unresolved complaints"
    )
    section.table(open_, rows=top, csv="backlog.csv")


def _review_section(report: InsightsReport, decisions: pd.DataFrame | None, *, top: int) -> None:
    """How often reviewers overrode the suggestions, per label and per reviewer."""
    review = Section("Review quality")
    report.sections.append(review)
    if decisions is None:
        review.text(
            "No decisions table given (pass --decisions CSV or --database-url): review quality skipped.",
            "note",
        )
        return
    rq = review_quality(decisions)
    report.notes.extend(rq.notes)
    report.tables.update(rq.tables())
    review.table(rq.summary, csv="review_summary.csv")
    for name, label in (("by_agency", "suggested_agency"), ("by_category", "suggested_category")):
        table = getattr(rq, name)
        if table is None:
            continue
        review.heading(f"Overrides by {label.replace('_', ' ')}")
        if table["override_rate"].notna().any():
            report.add_figure(
                review, f"review_{name}", plots.override_plot(table, label=label), f"overrides {name}"
            )
        review.table(table, rows=top, csv=f"review_{name}.csv")
    if rq.by_reviewer is not None:
        review.heading("Per reviewer")
        review.table(rq.by_reviewer, rows=top, csv="review_by_reviewer.csv")


def _render_notes(report: InsightsReport, overview: Section) -> None:
    """Show the data-quality notes under the overview and keep them as the ``notes`` table."""
    if report.notes:
        overview.blocks.extend(f'<p class="note">{html.escape(n)}</p>' for n in report.notes)
    report.tables["notes"] = pd.DataFrame({"note": report.notes})
