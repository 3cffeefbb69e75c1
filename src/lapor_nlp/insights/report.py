"""Assemble the insights into one self-contained HTML report (plots embedded as PNG) plus CSV tables.

The report is written in one language (Indonesian by default, ``language="en"`` for English): every
heading, table header, plot label and note comes from the message catalogue of
:mod:`lapor_nlp.insights.messages`, numbers and dates are formatted by Babel. The CSV files keep stable
English column names and plain numbers (shares as fractions) for machines.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from lapor_nlp import __version__
from lapor_nlp._files import atomic_write
from lapor_nlp._progress import progress_steps
from lapor_nlp.errors import InputError
from lapor_nlp.insights import plots
from lapor_nlp.insights.data import MISSING_LABEL, ComplaintData, prepare_complaints
from lapor_nlp.insights.emerging import LEVEL_THRESHOLDS, detect_emerging, get_thresholds
from lapor_nlp.insights.messages import CATALOGUE, Messages, alert_sentence
from lapor_nlp.insights.response import backlog, default_as_of, response_times
from lapor_nlp.insights.review import ReviewQuality, review_quality
from lapor_nlp.insights.scorecard import (
    agency_scorecard,
    completed_mask,
    follow_up,
    overdue_by_agency,
    period_summary,
    returned_flags,
    reviewer_scorecard,
)
from lapor_nlp.insights.volume import partial_periods, totals, volume, volume_long

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}h3{margin-top:1.4em}
table{border-collapse:collapse;font-size:.85em;margin:.6em 0}th,td{border:1px solid #ccc;padding:.25em .5em;
text-align:left;vertical-align:top}th{background:#f3f3f3}td.num{text-align:right}
img{max-width:100%;height:auto;border:1px solid #eee}.note{background:#fff8e1;border-left:4px solid #f0b400;
padding:.4em .8em;margin:.4em 0}.muted{color:#666;font-size:.9em}ol.alerts li{margin:.2em 0}
table.wide td:last-child{min-width:30em;font-size:.9em;color:#333}
ul.summary{font-size:1.05em;background:#f5f9ff;border:1px solid #cfe0f5;padding:.8em 1em .8em 2em}
ul.summary li{margin:.25em 0}
"""

#: Columns shown as percentages (fractions in the CSV files).
_PERCENT = {"share", "completed_share", "over_sla_share", "auto_share", "override_rate", "override_share"}
#: Columns holding durations: in days or in hours.
_DAYS = {"median_days", "p90_days", "age_days", "oldest_open_days"}
_HOURS = {"median_response_hours", "median_hours", "p90_hours", "median_decide_hours"}


@dataclass
class Section:
    """One part of the report: a heading followed by HTML blocks (already escaped)."""

    title: str
    blocks: list[str] = field(default_factory=list)
    msg: Messages = field(default_factory=Messages)

    def text(self, value: str, css: str | None = None) -> None:
        """Add a paragraph (``css="note"`` highlights it, ``"muted"`` greys it)."""
        cls = f' class="{css}"' if css else ""
        self.blocks.append(f"<p{cls}>{html.escape(value)}</p>")

    def items(self, values: Sequence[str], css: str = "summary") -> None:
        """Add a bulleted list."""
        lis = "".join(f"<li>{html.escape(v)}</li>" for v in values)
        self.blocks.append(f'<ul class="{css}">{lis}</ul>')

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
        """Add the first ``rows`` rows of ``frame`` (optionally only ``columns``) with translated headers
        and formatted values, linking the full CSV."""
        head = frame.head(rows)[list(columns)] if columns is not None else frame.head(rows)
        shown = _displayable(head, self.msg)
        wide = len(shown.columns) and shown.columns[-1] in ("text", "examples")
        shown.columns = [self.msg.column(str(c)) for c in shown.columns]
        html_table = shown.to_html(
            index=False, escape=True, na_rep="–", border=0, classes="wide" if wide else None
        )
        self.blocks.append(html_table)
        more = self.msg("table.more", n=len(frame) - rows) if len(frame) > rows else self.msg("table.full")
        if csv:
            link = html.escape(csv, quote=True)
            self.blocks.append(f'<p class="muted">{html.escape(more)}<a href="{link}">{link}</a></p>')

    def figure(self, png: bytes, alt: str) -> None:
        """Add a PNG inlined as a base64 data URI."""
        data = base64.b64encode(png).decode("ascii")
        self.blocks.append(f'<p><img alt="{html.escape(alt)}" src="data:image/png;base64,{data}"></p>')


def _cell(format_value: Callable[[float], str]) -> Callable[[object], object]:
    def cell(value: object) -> object:
        if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
            return value
        try:
            return format_value(float(value))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return value

    return cell


def _displayable(frame: pd.DataFrame, msg: Messages) -> pd.DataFrame:
    """The values of ``frame`` as people read them: percentages, durations, dates, grouped numbers."""
    out = frame.copy()
    labels = {"(all)": msg("label.all"), MISSING_LABEL: msg("label.none")}
    for col in out.columns:
        values = out[col]
        if _holds_sequences(values):
            out[col] = values.map(lambda v: " | ".join(map(str, v)) if isinstance(v, list | tuple) else v)
        elif pd.api.types.is_datetime64_any_dtype(values):
            out[col] = values.map(lambda v: msg.date(v) if pd.notna(v) else v).astype(object)
        elif col == "p_value":
            out[col] = values.map(lambda v: f"{v:.1e}")
        elif col in _PERCENT or col.endswith("_override_rate"):
            out[col] = values.map(_cell(msg.percent)).astype(object)
        elif col in _DAYS:
            out[col] = values.map(_cell(msg.days)).astype(object)
        elif col in _HOURS:
            out[col] = values.map(_cell(msg.duration)).astype(object)
        elif pd.api.types.is_bool_dtype(values):
            continue
        elif pd.api.types.is_integer_dtype(values):
            out[col] = values.map(_cell(msg.integer)).astype(object)
        elif pd.api.types.is_float_dtype(values):
            out[col] = values.map(_cell(lambda v: msg.number(v, 2))).astype(object)
        elif col in ("agency", "category", "kecamatan", "kelurahan", "group", "reviewer") or col.startswith(
            "suggested_"
        ):
            out[col] = values.map(lambda v: labels.get(v, v) if isinstance(v, str) else v)
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
        CSV name (without extension) -> table, e.g. ``scorecard``, ``follow_up``, ``emerging``,
        ``response_times_agency``, ``backlog``.
    figures : dict of str to bytes
        Figure name -> PNG bytes (also embedded in the HTML).
    notes : list of str
        Data-quality notes (missing columns, unparseable dates, ...) in the report's language.
    language : str
        ``"id"`` or ``"en"``: the language of the HTML (``<html lang>``).
    """

    title: str
    sections: list[Section] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, bytes] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    language: str = "id"

    def section(self, key: str) -> Section:
        """Append and return a new section titled by catalogue key ``key``."""
        msg = Messages(self.language)
        part = Section(msg(key), msg=msg)
        self.sections.append(part)
        return part

    def to_html(self) -> str:
        """The report as one HTML document with every image inlined (readable offline)."""
        msg = Messages(self.language)
        toc = "".join(
            f'<li><a href="#s{i}">{html.escape(s.title)}</a></li>' for i, s in enumerate(self.sections)
        )
        body = "".join(
            f'<h2 id="s{i}">{html.escape(s.title)}</h2>' + "".join(s.blocks)
            for i, s in enumerate(self.sections)
        )
        return (
            f'<!DOCTYPE html><html lang="{html.escape(self.language)}"><head><meta charset="utf-8">'
            f"<title>{html.escape(self.title)}</title><style>{_CSS}</style></head><body>"
            f'<h1>{html.escape(self.title)}</h1><nav aria-label="{html.escape(msg("report.contents"))}">'
            f"<ul>{toc}</ul></nav>{body}"
            f'<p class="muted">{html.escape(msg("report.generated", version=__version__))}</p></body></html>'
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

    def rule(self, dimension: str, msg: Messages) -> str:
        """The thresholds that apply to ``dimension``, as a phrase."""
        level = get_thresholds(dimension)
        m = level.min_count if self.min_count is None else self.min_count
        z = level.z_threshold if self.z_threshold is None else self.z_threshold
        a = level.alpha if self.alpha is None else self.alpha
        return msg("emerging.rule", dim=msg.dimension(dimension), min=m, z=f"{z:g}", alpha=f"{a:g}")


@dataclass(frozen=True)
class _Context:
    """What every section needs: the data, the language and the reference time."""

    data: ComplaintData
    msg: Messages
    sla_days: float
    reference: pd.Timestamp
    given: bool
    top: int


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
    language: str | None = None,
    alert_language: str | None = None,
    summary_days: int = 28,
    top: int = 10,
    as_of: pd.Timestamp | str | None = None,
    title: str | None = None,
    progress: bool = False,
) -> InsightsReport:
    """Compute every insight the data allows and lay them out as a report.

    Parameters
    ----------
    data : ComplaintData or DataFrame
        The complaint export (a DataFrame goes through :func:`prepare_complaints`).
    decisions : DataFrame, optional
        The service's decisions table (see :mod:`lapor_nlp.insights.review`); review quality, the
        automatic share and overrides are skipped with a note when it is not given.
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
    language : {"id", "en"}
        Language of the report (default ``"id"``, Bahasa Indonesia).
    alert_language : {"id", "en"}, optional
        Former name of ``language``, still accepted.
    summary_days : int
        Length of the period the summary compares with the one before (default 28 days).
    top : int
        Rows and lines shown per table and plot (CSV files hold everything).
    as_of : Timestamp or str, optional
        Reference time for backlog ages and unresolved complaints past the target; defaults to the
        latest date in the data.
    title : str, optional
        Report title (default from the catalogue).
    """
    language = language or alert_language or "id"
    data = _prepare(data, sla_days=sla_days, language=language, summary_days=summary_days)
    msg = Messages(language)
    reference = default_as_of(data) if as_of is None else _timestamp(as_of)
    ctx = _Context(data, msg, sla_days, reference, as_of is not None, top)
    watch, unknown = _watched_dimensions(data, emerging_by)
    emerging = _EmergingSettings(
        emerging_freq, window, min_count, z_threshold, alpha, max_alerts_per_period, language
    )
    report = InsightsReport(title=title or msg("report.title"), language=language)
    english_notes = list(data.notes)
    if unknown:
        english_notes.append(f"Cannot watch {unknown} for emerging issues: no such column(s).")
    report.notes = [msg.note(n) for n in english_notes]
    steps = progress_steps(7, desc="report", enabled=progress)
    summary = report.section("section.summary")
    overview = _overview_section(report, ctx)
    steps.update()
    _volume_section(report, ctx)
    steps.update()
    found = _emerging_section(report, data, watch, emerging, top=top)
    steps.update()
    _response_section(report, ctx)
    steps.update()
    _scorecard_section(report, ctx, decisions)
    steps.update()
    quality = _review_section(report, decisions, top=top)
    steps.update()
    _summary(summary, report, ctx, found, quality, days=summary_days)
    steps.update()
    steps.close()
    _render_notes(report, overview)
    return report


def _prepare(
    data: ComplaintData | pd.DataFrame, *, sla_days: float, language: str, summary_days: int
) -> ComplaintData:
    """Validate the arguments and turn a raw export into :class:`ComplaintData`."""
    if language not in CATALOGUE:
        raise InputError(f"language (alert_language) must be one of {sorted(CATALOGUE)}, got {language!r}")
    if not isinstance(data, ComplaintData):
        data = prepare_complaints(data)
    if sla_days <= 0:
        raise InputError(f"sla_days must be positive, got {sla_days}")
    if summary_days < 1:
        raise InputError(f"summary_days must be at least 1, got {summary_days}")
    return data


def _watched_dimensions(
    data: ComplaintData, emerging_by: Sequence[str] | None
) -> tuple[list[str], list[str]]:
    """The columns to watch for emerging issues, and the requested ones the data does not have."""
    dims = data.dimensions
    watch = [d for d in (emerging_by or ("category", "kecamatan", "kelurahan", "agency")) if d in dims]
    unknown = [d for d in (emerging_by or ()) if d not in dims]
    return watch, unknown


def _summary(
    section: Section,
    report: InsightsReport,
    ctx: _Context,
    found: pd.DataFrame,
    quality: ReviewQuality | None,
    *,
    days: int,
) -> None:
    """The minute an official has: this period vs the previous, completion, response time, overdue
    agencies, emerging issues and (with decisions) automatic share, overrides and returns."""
    msg, data = ctx.msg, ctx.data
    period = period_summary(data, days=days, as_of=ctx.reference)
    change = period.change
    lines = [
        msg(
            "summary.period",
            start=msg.date(period.start),
            end=msg.date(period.end),
            count=msg.integer(period.count),
            change=msg("summary.change", change=_signed(msg, change))
            if change is not None
            else msg("summary.change_none"),
            previous=msg.integer(period.previous),
            prev_start=msg.date(period.previous_start),
            prev_end=msg.date(period.start - pd.Timedelta(days=1)),
        )
    ]
    row: dict[str, object] = {
        "period_start": period.start.date().isoformat(),
        "period_end": period.end.date().isoformat(),
        "complaints": period.count,
        "previous_complaints": period.previous,
        "change": round(change, 4) if change is not None else None,
    }
    if data.has_responses:
        done = completed_mask(data)
        share = float(done.mean())
        lines.append(
            msg(
                "summary.completed",
                share=msg.percent(share),
                completed=msg.integer(done.sum()),
                total=msg.integer(len(done)),
            )
        )
        hours = (data.frame["responded_at"] - data.frame["submitted_at"]) / pd.Timedelta(hours=1)
        if hours.notna().any():
            median = float(hours.median())
            lines.append(msg("summary.median", duration=msg.duration(median)))
            row["median_response_hours"] = round(median, 2)
        row["completed_share"] = round(share, 4)
        overdue = overdue_by_agency(data, sla_days=ctx.sla_days, as_of=ctx.reference).head(3)
        sla = msg.days(ctx.sla_days)
        if len(overdue):
            agencies = ", ".join(
                msg("summary.overdue_item", agency=a, count=msg.integer(n)) for a, n in overdue.items()
            )
            lines.append(msg("summary.overdue", sla=sla, agencies=agencies))
        elif "agency" in data.frame.columns:
            lines.append(msg("summary.overdue_none", sla=sla))
    else:
        lines.append(msg("summary.no_responses"))
    if quality is not None:
        lines.extend(_decision_lines(msg, quality, row))
    section.items(lines)
    recent = (
        found[pd.to_datetime(found["period"]) >= period.start - pd.Timedelta(days=6)] if len(found) else found
    )
    if len(recent):  # the strongest alerts of the summary's period
        section.text(msg("summary.emerging_recent"))
        section.items(list(recent["alert"].head(3)), css="alerts")
    elif len(found):  # none lately: the strongest of the whole export
        section.text(msg("summary.emerging"))
        section.items(list(found["alert"].head(3)), css="alerts")
    else:
        section.text(msg("summary.emerging_none"))
    report.tables["summary"] = pd.DataFrame([row])


def _decision_lines(msg: Messages, quality: ReviewQuality, row: dict[str, object]) -> list[str]:
    """Automatic share, override rate and (when the decisions say) returns."""
    summary = quality.summary.iloc[0]
    lines: list[str] = []
    total = int(summary["suggestions"])
    if total:
        lines.append(
            msg("summary.auto", share=msg.percent(float(summary["auto_share"])), total=msg.integer(total))
        )
        row["auto_share"] = summary["auto_share"]
    if int(summary["decided"]) and pd.notna(summary["override_rate"]):
        lines.append(
            msg(
                "summary.override",
                share=msg.percent(float(summary["override_rate"])),
                decided=msg.integer(int(summary["decided"])),
            )
        )
        row["override_rate"] = summary["override_rate"]
    if "returned" in summary.index and total:
        returned = int(summary["returned"])
        lines.append(
            msg(
                "summary.returns",
                count=msg.integer(returned),
                share=msg.percent(returned / total),
                total=msg.integer(total),
            )
        )
        row["returned"] = returned
    return lines


def _signed(msg: Messages, change: float) -> str:
    text = msg.percent(change)
    return text if change < 0 else "+" + text


def _overview_section(report: InsightsReport, ctx: _Context) -> Section:
    """Counts, date range and available breakdowns; the data-quality table."""
    frame, msg = ctx.data.frame, ctx.msg
    overview = report.section("section.overview")
    first, last = frame["submitted_at"].min(), frame["submitted_at"].max()
    dims = ", ".join(msg.dimension(d) for d in ctx.data.dimensions) or msg("list.none")
    overview.text(
        msg(
            "overview.counts",
            count=msg.integer(len(frame)),
            first=msg.date(first),
            last=msg.date(last),
            dims=dims,
        )
    )
    quality = pd.DataFrame(
        [{"column": k, "unparseable_dates": v} for k, v in ctx.data.unparseable_dates.items()]
    )
    report.tables["data_quality"] = quality
    return overview


def _whole(counts: pd.DataFrame, partial: list[pd.Timestamp]) -> pd.DataFrame:
    """``counts`` without its partial periods (all of it if nothing else would be left)."""
    kept = counts.drop(index=[p for p in partial if p in counts.index])
    return kept if len(kept) else counts


def _volume_section(report: InsightsReport, ctx: _Context) -> None:
    """Weekly volume overall, then totals and monthly volume per breakdown; partial periods left out
    of the lines (and marked ``partial`` in ``volume_weekly.csv``)."""
    data, msg = ctx.data, ctx.msg
    vol = report.section("section.volume")
    weekly = volume(data, None, freq="W")
    partial_w, partial_m = partial_periods(data, "W"), partial_periods(data, "M")
    table = weekly.reset_index()
    table["partial"] = table["period"].isin(partial_w)
    report.tables["volume_weekly"] = table
    title = msg("plot.volume_weekly")
    report.add_figure(
        vol, "volume_weekly", plots.volume_plot(_whole(weekly, partial_w), title=title, msg=msg), title
    )
    if partial_w or partial_m:
        weeks = ", ".join(msg.date(p) for p in partial_w) or msg("list.none")
        months = ", ".join(msg.date(p, with_day=False) for p in partial_m) or msg("list.none")
        vol.text(msg("volume.partial", weeks=weeks, months=months), "muted")
    for dim in data.dimensions:
        vol.heading(msg("heading.by", dim=msg.dimension(dim)))
        report.tables[f"totals_{dim}"] = totals(data, dim)
        report.tables[f"volume_weekly_{dim}"] = volume_long(data, dim, freq="W")
        report.tables[f"volume_monthly_{dim}"] = volume_long(data, dim, freq="M")
        monthly = _whole(volume(data, dim, freq="M"), partial_m)
        title = msg("plot.volume_monthly", dim=msg.dimension(dim), n=min(6, monthly.shape[1]))
        report.add_figure(
            vol,
            f"volume_monthly_{dim}",
            plots.volume_plot(monthly, title=title, msg=msg, monthly=True),
            title,
        )
        vol.table(report.tables[f"totals_{dim}"], rows=ctx.top, csv=f"totals_{dim}.csv")
        vol.text(
            msg("volume.csv", weekly=f"volume_weekly_{dim}.csv", monthly=f"volume_monthly_{dim}.csv"), "muted"
        )


def _emerging_section(
    report: InsightsReport,
    data: ComplaintData,
    watch: list[str],
    settings: _EmergingSettings,
    *,
    top: int,
) -> pd.DataFrame:
    """How alerts are found, the alerts strongest first, and a plot per watched column."""
    section = report.section("section.emerging")
    msg = section.msg
    unit = msg(f"emerging.unit.{'W' if settings.freq == 'W' else 'M'}")
    cap = msg("emerging.cap", n=settings.max_per_period, unit=unit) if settings.max_per_period else ""
    rules = "; ".join(settings.rule(d, msg) for d in watch or LEVEL_THRESHOLDS)
    section.text(msg("emerging.method", unit=unit, window=settings.window, rules=rules, cap=cap))
    found = _detect_alerts(data, watch, settings)
    report.tables["emerging"] = found
    dims = ", ".join(msg.dimension(d) for d in watch)
    if not watch:
        section.text(msg("emerging.no_watch"), "note")
    elif found.empty:
        section.text(msg("emerging.none", dims=dims))
    else:
        section.text(msg("emerging.found", n=len(found), dims=dims))
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
        display = found.assign(dimension=found["dimension"].map(msg.dimension))
        section.table(display, rows=top * 2, csv="emerging.csv", columns=shown)
        _emerging_figures(report, section, data, found, settings.freq)
    return found


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
    msg = section.msg
    strongest = (
        found.sort_values("robust_z", ascending=False, kind="stable").drop_duplicates("dimension").head(4)
    )
    for _, alert in strongest.iterrows():
        series = volume(data, alert["dimension"], freq=freq)[alert["group"]]
        when = found[(found["dimension"] == alert["dimension"]) & (found["group"] == alert["group"])][
            "period"
        ]
        title = f"{msg.dimension(alert['dimension'])}: {alert['group']}"
        report.add_figure(
            section,
            f"emerging_{alert['dimension']}",
            plots.emerging_plot(series, list(when), title=title, msg=msg),
            title,
        )


def _response_section(report: InsightsReport, ctx: _Context) -> None:
    """Response times per agency and category against the target, then the backlog."""
    data, msg = ctx.data, ctx.msg
    resp = report.section("section.response")
    if not data.has_responses:
        resp.text(msg("response.none"), "note")
        return
    resp.text(
        msg(
            "response.target",
            sla=msg.days(ctx.sla_days),
            as_of=msg.date(ctx.reference),
            source=msg("response.as_of.given" if ctx.given else "response.as_of.latest"),
        )
    )
    dims = data.dimensions
    for dim in ("agency", "category"):
        if dim not in dims:
            continue
        table = response_times(data, dim, sla=ctx.sla_days, as_of=ctx.reference)
        report.tables[f"response_times_{dim}"] = table
        resp.heading(msg("heading.by", dim=msg.dimension(dim)))
        if dim == "agency":
            png = plots.response_plot(table, label=dim, sla_days=ctx.sla_days, msg=msg)
            report.add_figure(resp, "response_times_agency", png, msg.column("median_days"))
        resp.table(table, rows=ctx.top + 1, csv=f"response_times_{dim}.csv")
    if not {"agency", "category"} & set(dims):
        table = response_times(data, None, sla=ctx.sla_days, as_of=ctx.reference)
        report.tables["response_times"] = table
        resp.table(table, csv="response_times.csv")
    _backlog_block(report, resp, ctx)


def _backlog_block(report: InsightsReport, section: Section, ctx: _Context) -> None:
    """Unresolved complaints at the reference time, oldest first, with a plot of their ages."""
    msg = ctx.msg
    open_ = backlog(ctx.data, as_of=ctx.reference)
    report.tables["backlog"] = open_
    section.heading(msg("backlog.heading"))
    if open_.empty:
        section.text(msg("backlog.none"))
        return
    report.add_figure(
        section, "backlog_age", plots.backlog_plot(open_["age_days"], msg=msg), msg("plot.backlog.axis")
    )
    section.table(open_, rows=ctx.top, csv="backlog.csv")


def _scorecard_section(report: InsightsReport, ctx: _Context, decisions: pd.DataFrame | None) -> None:
    """Per agency the figures of an evaluation round (``scorecard.csv``), per reviewer the decisions,
    then the open complaints to follow up (``follow_up.csv``)."""
    data, msg = ctx.data, ctx.msg
    cards = report.section("section.scorecard")
    if "agency" not in data.frame.columns:
        cards.text(msg("scorecard.no_agency"), "note")
    else:
        table = agency_scorecard(data, sla_days=ctx.sla_days, as_of=ctx.reference, decisions=decisions)
        report.tables["scorecard"] = table
        cards.text(msg("scorecard.intro", sla=msg.days(ctx.sla_days), as_of=msg.date(ctx.reference)))
        if decisions is not None:
            cards.text(msg("scorecard.decisions"), "muted")
        cards.table(table, rows=max(ctx.top, 25), csv="scorecard.csv")
        unassigned = int((data.frame["agency"] == MISSING_LABEL).sum())
        if unassigned:
            cards.text(msg("scorecard.unassigned", n=msg.integer(unassigned)), "muted")
    if decisions is not None:
        reviewers = reviewer_scorecard(decisions)
        if len(reviewers):
            report.tables["scorecard_reviewers"] = reviewers
            cards.heading(msg("scorecard.reviewers"))
            cards.table(reviewers, rows=max(ctx.top, 25), csv="scorecard_reviewers.csv")
    if not data.has_responses:
        return
    todo = report.section("section.follow_up")
    table = follow_up(data, as_of=ctx.reference, open_complaints=report.tables.get("backlog"))
    report.tables["follow_up"] = table
    if table.empty:
        todo.text(msg("follow_up.none"))
        return
    todo.text(msg("follow_up.intro"), "muted")
    todo.table(table, rows=max(ctx.top * 3, 30), csv="follow_up.csv")


def _review_section(
    report: InsightsReport, decisions: pd.DataFrame | None, *, top: int
) -> ReviewQuality | None:
    """How often reviewers overrode the suggestions, per label and per reviewer."""
    review = report.section("section.review")
    msg = review.msg
    if decisions is None:
        review.text(msg("review.none"), "note")
        return None
    rq = review_quality(decisions)
    returned = _returned_count(decisions)
    if returned is not None:
        rq = ReviewQuality(
            summary=rq.summary.assign(returned=returned),
            by_agency=rq.by_agency,
            by_category=rq.by_category,
            by_reviewer=rq.by_reviewer,
            notes=rq.notes,
            unparseable_dates=rq.unparseable_dates,
        )
    report.notes.extend(msg.note(n) for n in rq.notes)
    report.tables.update(rq.tables())
    review.table(rq.summary, csv="review_summary.csv")
    for name, label in (("by_agency", "suggested_agency"), ("by_category", "suggested_category")):
        table = getattr(rq, name)
        if table is None:
            continue
        review.heading(msg(f"review.by.{label}"))
        if table["override_rate"].notna().any():
            png = plots.override_plot(table, label=label, msg=msg)
            report.add_figure(review, f"review_{name}", png, msg(f"review.by.{label}"))
        review.table(table, rows=top, csv=f"review_{name}.csv")
    if rq.by_reviewer is not None:
        review.heading(msg("review.per_reviewer"))
        review.table(rq.by_reviewer, rows=top, csv="review_by_reviewer.csv")
    return rq


def _returned_count(decisions: pd.DataFrame) -> int | None:
    """Suggestions returned by their agency, when the decisions say (``returned`` or ``outcome``)."""
    flags = returned_flags(decisions)
    return None if flags is None else int(flags.sum())


def _render_notes(report: InsightsReport, overview: Section) -> None:
    """Show the data-quality notes under the overview and keep them as the ``notes`` table."""
    if report.notes:
        overview.blocks.extend(f'<p class="note">{html.escape(n)}</p>' for n in report.notes)
    report.tables["notes"] = pd.DataFrame({"note": report.notes})
