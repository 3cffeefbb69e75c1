"""Review quality from the routing service's stored suggestions and decisions.

A *decisions table* has one row per suggestion. Columns (only ``routing`` or the per-target decision
columns are required; everything else is optional and its absence removes only the figures that need it):

========================  ========================================================================
column                    meaning
========================  ========================================================================
``suggestion_id``         id of the suggestion (or complaint)
``routing``               ``auto`` (routed without review) or ``review``; when absent it is derived
                          from ``agency_decision`` (the default routing target), else from
                          ``category_decision``
``suggested_category``    the model's category / topic (``suggested_topic`` is accepted too)
``suggested_agency``      the model's agency
``final_category``        the category after review; empty while undecided
``final_agency``          the agency after review; empty while undecided
``reviewer``              who decided
``received_at``           intake time of the complaint (``created_at`` is accepted too)
``decided_at``            time of the reviewer's decision
========================  ========================================================================

A suggestion is *decided* when it has a final agency or category. It is *overridden* when a final
label differs from the suggested one. Override rates are over decided suggestions, grouped by the
**suggested** label (how often the model's proposal for that agency/category gets changed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from lapor_nlp.errors import DataFormatError
from lapor_nlp.insights.data import MISSING_LABEL, parse_dates
from lapor_nlp.tables import read_table

TARGETS: tuple[str, ...] = ("category", "agency")
_ALIASES = {
    "created_at": "received_at",
    "suggested_topic": "suggested_category",
    "final_topic": "final_category",
    "topic_decision": "category_decision",
}
_HOUR = pd.Timedelta(hours=1)


@dataclass(frozen=True)
class ReviewQuality:
    """Review-quality tables and the notes explaining what could not be computed."""

    summary: pd.DataFrame
    by_agency: pd.DataFrame | None
    by_category: pd.DataFrame | None
    by_reviewer: pd.DataFrame | None
    notes: tuple[str, ...] = ()
    unparseable_dates: dict[str, int] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The non-empty tables by CSV name."""
        named = {
            "review_summary": self.summary,
            "review_by_agency": self.by_agency,
            "review_by_category": self.by_category,
            "review_by_reviewer": self.by_reviewer,
        }
        return {k: v for k, v in named.items() if v is not None}


def _text(series: pd.Series) -> pd.Series:
    values = series.astype("string").str.strip()
    return values.mask(values == "")


def prepare_decisions(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str], dict[str, int]]:
    """Normalise a decisions table; return it with data-quality notes and unparseable-date counts."""
    if not isinstance(frame, pd.DataFrame):
        raise DataFormatError(f"expected a pandas DataFrame of decisions, got {type(frame).__name__}")
    df = frame.rename(columns={k: v for k, v in _ALIASES.items() if v not in frame.columns})
    notes: list[str] = []
    if "routing" not in df.columns:
        # The service dispatches on the agency by default (LAPOR_NLP_ROUTING_TARGETS=agency).
        parts = [c for c in ("agency_decision", "category_decision") if c in df.columns][:1]
        if not parts:
            raise DataFormatError(
                "the decisions table needs a 'routing' column ('auto' or 'review') or per-target "
                f"'category_decision'/'agency_decision' columns; found {sorted(map(str, frame.columns))}"
            )
        auto = np.logical_and.reduce([_text(df[c]).str.lower().eq("auto").fillna(False) for c in parts])
        df["routing"] = np.where(auto, "auto", "review")
    routing = _text(df["routing"]).str.lower()
    bad = ~routing.isin(["auto", "review"]).fillna(False)
    if bad.any():
        notes.append(
            f"{int(bad.sum())} decision row(s) with a routing other than 'auto'/'review' were ignored."
        )
    df = df[~bad.to_numpy()].copy()
    df["routing"] = routing[~bad].astype(str).to_numpy()
    for col in ("suggested_category", "suggested_agency", "final_category", "final_agency", "reviewer"):
        if col in df.columns:
            df[col] = _text(df[col])
    unparseable: dict[str, int] = {}
    for col in ("received_at", "decided_at"):
        if col in df.columns:
            df[col], n_bad = parse_dates(df[col])
            unparseable[col] = n_bad
            if n_bad:
                notes.append(
                    f"{n_bad} decision row(s) with an unparseable {col} were left out of decision times."
                )
    finals = [c for c in ("final_category", "final_agency") if c in df.columns]
    if not finals:
        notes.append("No 'final_category'/'final_agency' columns: override rates are not available.")
        df["decided"] = False
    else:
        df["decided"] = np.logical_or.reduce([df[c].notna().to_numpy() for c in finals])
    for target in TARGETS:
        s, f = f"suggested_{target}", f"final_{target}"
        if s in df.columns and f in df.columns:
            df[f"{target}_overridden"] = df[f].notna() & df[s].ne(df[f]).fillna(True)
        elif s not in df.columns:
            notes.append(f"No '{s}' column: no override rate per {target}.")
    return df.reset_index(drop=True), notes, unparseable


def _rates(df: pd.DataFrame, target: str) -> pd.DataFrame | None:
    s = f"suggested_{target}"
    if s not in df.columns:
        return None
    flag = f"{target}_overridden"
    work = pd.DataFrame(
        {
            s: df[s].fillna(MISSING_LABEL).astype(str),
            "auto": df["routing"].eq("auto"),
            "decided": df["decided"].astype(bool),
            "overridden": (df["decided"] & df[flag]).astype(bool) if flag in df.columns else False,
        }
    )
    grouped = work.groupby(s, sort=False)
    out = pd.DataFrame(
        {
            "suggestions": grouped.size(),
            "auto_share": grouped["auto"].mean().round(4),
            "decided": grouped["decided"].sum().astype("int64"),
            "overridden": grouped["overridden"].sum().astype("int64"),
        }
    )
    out["override_rate"] = (out["overridden"] / out["decided"]).where(out["decided"] > 0).round(4)
    if flag not in df.columns:
        out[["overridden", "override_rate"]] = np.nan
    out = out.rename_axis(s).reset_index()
    return out.sort_values(["suggestions", s], ascending=[False, True], kind="stable").reset_index(drop=True)


def _overridden_any(df: pd.DataFrame) -> pd.Series:
    flags = [df[f"{t}_overridden"] for t in TARGETS if f"{t}_overridden" in df.columns]
    if not flags:
        return pd.Series(False, index=df.index)
    return pd.concat(flags, axis=1).any(axis=1)


def review_quality(decisions: pd.DataFrame) -> ReviewQuality:
    """Share routed automatically, override rates per agency and category, decision times per reviewer."""
    df, notes, unparseable = prepare_decisions(decisions)
    decided = df[df["decided"]]
    over = _overridden_any(decided)
    summary = {
        "suggestions": len(df),
        "auto": int((df["routing"] == "auto").sum()),
        "review": int((df["routing"] == "review").sum()),
        "auto_share": round(float((df["routing"] == "auto").mean()), 4) if len(df) else np.nan,
        "decided": len(decided),
        "awaiting_review": int(((df["routing"] == "review") & ~df["decided"]).sum()),
        "overridden": int(over.sum()),
        "override_rate": round(float(over.mean()), 4) if len(decided) else np.nan,
    }
    for target in TARGETS:
        flag = f"{target}_overridden"
        if flag in decided.columns and len(decided):
            summary[f"{target}_override_rate"] = round(float(decided[flag].mean()), 4)
    by_reviewer = None
    if "reviewer" not in df.columns:
        notes.append("No 'reviewer' column: no figures per reviewer.")
    elif len(decided):
        timed = "received_at" in df.columns and "decided_at" in df.columns
        if not timed:
            notes.append("No 'received_at'/'decided_at' columns: no time from intake to decision.")
        hours = (decided["decided_at"] - decided["received_at"]) / _HOUR if timed else None
        if hours is not None and (hours < 0).any():
            notes.append(
                f"{int((hours < 0).sum())} decision(s) dated before intake were left out of decision times."
            )
            hours = hours.mask(hours < 0)
        rows = []
        for reviewer, part in decided.groupby(decided["reviewer"].fillna(MISSING_LABEL), sort=False):
            row: dict[str, object] = {
                "reviewer": reviewer,
                "decisions": len(part),
                "overridden": int(over.loc[part.index].sum()),
                "override_rate": round(float(over.loc[part.index].mean()), 4),
            }
            if hours is not None:
                h = hours.loc[part.index].dropna().to_numpy(dtype=float)
                row["timed"] = int(h.size)
                row["median_hours"] = round(float(np.median(h)), 3) if h.size else np.nan
                row["p90_hours"] = round(float(np.percentile(h, 90)), 3) if h.size else np.nan
            rows.append(row)
        by_reviewer = pd.DataFrame(rows).sort_values(
            ["decisions", "reviewer"], ascending=[False, True], kind="stable"
        )
        by_reviewer = by_reviewer.reset_index(drop=True)
    return ReviewQuality(
        summary=pd.DataFrame([summary]),
        by_agency=_rates(df, "agency"),
        by_category=_rates(df, "category"),
        by_reviewer=by_reviewer,
        notes=tuple(notes),
        unparseable_dates=unparseable,
    )


def load_decisions(path: str | Path, *, sheet: str | None = None) -> pd.DataFrame:
    """Read a decisions table (columns in the module docstring; any format of
    :func:`lapor_nlp.tables.read_table`)."""
    return read_table(path, sheet=sheet)
