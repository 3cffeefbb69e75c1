"""Agency scorecards, the open complaints to follow up and the one-minute summary of the report.

SP4N-LAPOR!'s monitoring rounds evaluate agencies and their liaison officers on a few figures; these
are those figures, computed from a complaint export (and, when given, the routing service's decisions).

* A complaint is **completed** when it has a ``responded_at`` (read or not: an unreadable or impossible
  response time still says the complaint was answered); **open** when it has none.
* ``median_response_hours``: over completed complaints with a usable response time.
* ``over_sla_share``: as in :func:`lapor_nlp.insights.response.response_times` (late / known).
* ``oldest_open_days``: age of the oldest open complaint at ``as_of``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lapor_nlp.insights.data import MISSING_LABEL, ComplaintData
from lapor_nlp.insights.response import backlog, default_as_of
from lapor_nlp.insights.review import prepare_decisions

#: The stable columns of ``scorecard.csv``, in this order (machines read them; extra columns follow).
SCORECARD_COLUMNS: tuple[str, ...] = (
    "agency",
    "complaints",
    "completed",
    "completed_share",
    "median_response_hours",
    "over_sla_share",
    "open",
    "oldest_open_days",
)
#: Columns of ``follow_up.csv``.
FOLLOW_UP_COLUMNS: tuple[str, ...] = (
    "id",
    "agency",
    "submitted_at",
    "age_days",
    "category",
    "kecamatan",
    "kelurahan",
    "text",
)
_DAY = pd.Timedelta(days=1)
_HOUR = pd.Timedelta(hours=1)


def completed_mask(data: ComplaintData) -> pd.Series:
    """Whether each complaint has a ``responded_at`` (parsed, or present but unusable)."""
    frame = data.frame
    if not data.has_responses:
        return pd.Series(False, index=frame.index)
    return frame["responded_at"].notna() | frame["_responded_unknown"].astype(bool)


def agency_scorecard(
    data: ComplaintData,
    *,
    sla_days: float = 5.0,
    as_of: pd.Timestamp | None = None,
    decisions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per agency (complaints without an agency are left out), busiest first.

    Columns :data:`SCORECARD_COLUMNS` (shares as fractions, unrounded; ``NaN`` where the data cannot
    say), then, with ``decisions``, ``decided``, ``overridden``, ``override_share`` and (when the
    decisions say which were returned) ``returned``, counted per final agency (the suggested one while
    undecided). ``over_sla_share`` is that of :func:`~lapor_nlp.insights.response.response_times`.
    Without a ``responded_at`` column only ``complaints`` is known.
    """
    frame = data.frame
    if "agency" not in frame.columns:
        return pd.DataFrame(columns=list(SCORECARD_COLUMNS))
    as_of = default_as_of(data) if as_of is None else pd.Timestamp(as_of)
    done = completed_mask(data)
    work = pd.DataFrame({"agency": frame["agency"], "completed": done}, index=frame.index)
    if data.has_responses:
        responded = frame["responded_at"].notna()
        unresolved = ~responded & ~frame["_responded_unknown"].astype(bool)
        days = (frame["responded_at"] - frame["submitted_at"]) / _DAY
        age = (as_of - frame["submitted_at"]) / _DAY
        overdue = unresolved & (age > sla_days)
        work["hours"] = days * 24.0
        work["late"] = (responded & (days > sla_days)) | overdue
        work["known"] = responded | overdue
        work["open"] = ~done
        work["open_age"] = age.where(~done)
    work = work[work["agency"] != MISSING_LABEL]
    grouped = work.groupby("agency", sort=False)
    out = pd.DataFrame({"complaints": grouped.size()})
    if data.has_responses:
        out["completed"] = grouped["completed"].sum().astype("int64")
        out["completed_share"] = out["completed"] / out["complaints"]
        out["median_response_hours"] = grouped["hours"].median()
        known = grouped["known"].sum()
        out["over_sla_share"] = (grouped["late"].sum() / known).where(known > 0)
        out["open"] = grouped["open"].sum().astype("int64")
        out["oldest_open_days"] = grouped["open_age"].max()
    else:
        for col in SCORECARD_COLUMNS[2:]:
            out[col] = np.nan
    out = out.rename_axis("agency").reset_index()
    out = out.sort_values(["complaints", "agency"], ascending=[False, True], kind="stable")
    out = out[list(SCORECARD_COLUMNS)].reset_index(drop=True)
    if decisions is not None:
        out = out.merge(_decision_counts(decisions), on="agency", how="left")
        for col in ("decided", "overridden", "returned"):
            if col in out.columns:
                out[col] = out[col].fillna(0).astype("int64")
    return out


def returned_flags(df: pd.DataFrame) -> pd.Series | None:
    """Which suggestions were returned by their agency: a ``returned`` flag column, or
    ``outcome == "returned"`` when some outcome says so; ``None`` when the decisions cannot say."""
    if "returned" in df.columns:
        values = df["returned"].astype("string").str.strip().str.lower()
        return values.isin(["1", "true", "yes", "ya", "returned"]).fillna(False).astype(bool)
    if "outcome" in df.columns:
        flags = df["outcome"].astype("string").str.strip().str.lower().eq("returned").fillna(False)
        return flags.astype(bool) if flags.any() else None
    return None


def _decision_counts(decisions: pd.DataFrame) -> pd.DataFrame:
    """Decided, overridden and returned suggestions per (final, else suggested) agency."""
    df, _, _ = prepare_decisions(decisions)
    if "final_agency" in df.columns:
        agency = df["final_agency"]
        if "suggested_agency" in df.columns:
            agency = agency.fillna(df["suggested_agency"])
    elif "suggested_agency" in df.columns:
        agency = df["suggested_agency"]
    else:
        return pd.DataFrame(columns=["agency"])
    flags = [df[f"{t}_overridden"] for t in ("category", "agency") if f"{t}_overridden" in df.columns]
    overridden = pd.concat(flags, axis=1).any(axis=1) if flags else pd.Series(False, index=df.index)
    work = pd.DataFrame(
        {
            "agency": agency.fillna(MISSING_LABEL).astype(str),
            "decided": df["decided"].astype(bool),
            "overridden": (df["decided"].astype(bool) & overridden).astype(bool),
        }
    )
    returned = returned_flags(df)
    if returned is not None:
        work["returned"] = returned.to_numpy()
    grouped = work.groupby("agency", sort=False)
    out = grouped[[c for c in work.columns if c != "agency"]].sum().astype("int64")
    out.insert(2, "override_share", (out["overridden"] / out["decided"]).where(out["decided"] > 0).round(4))
    return out.reset_index()


def reviewer_scorecard(decisions: pd.DataFrame) -> pd.DataFrame:
    """Per reviewer: ``reviewer``, ``decisions``, ``median_decide_hours`` and ``override_share``."""
    from lapor_nlp.insights.review import review_quality

    by_reviewer = review_quality(decisions).by_reviewer
    if by_reviewer is None:
        return pd.DataFrame(columns=["reviewer", "decisions", "median_decide_hours", "override_share"])
    out = by_reviewer.rename(
        columns={"median_hours": "median_decide_hours", "override_rate": "override_share"}
    )
    if "median_decide_hours" not in out.columns:
        out["median_decide_hours"] = np.nan
    return out[["reviewer", "decisions", "median_decide_hours", "override_share"]]


def follow_up(
    data: ComplaintData,
    *,
    as_of: pd.Timestamp | None = None,
    text_width: int = 100,
    open_complaints: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Open complaints to follow up: grouped per agency (the agency whose oldest is oldest first),
    oldest first within each, with a short redacted text. Columns :data:`FOLLOW_UP_COLUMNS` that the
    data has.

    ``open_complaints`` is the :func:`~lapor_nlp.insights.response.backlog` of ``data`` when it is
    already computed (its redacted texts are shortened, not redacted again).
    """
    if not data.has_responses:
        keep = [c for c in FOLLOW_UP_COLUMNS if c in data.frame.columns or c == "age_days"]
        return pd.DataFrame(columns=keep)
    open_ = backlog(data, as_of=as_of, text_width=text_width) if open_complaints is None else open_complaints
    if "text" in open_.columns:
        open_ = open_.assign(text=open_["text"].map(lambda t: _shorten(t, text_width)))
    if "agency" in open_.columns and not open_.empty:
        first = open_.groupby("agency", sort=False)["submitted_at"].transform("min")
        open_ = open_.assign(_first=first).sort_values(
            ["_first", "agency", "submitted_at", "id"], kind="stable"
        )
        open_ = open_.drop(columns="_first")
    return open_[[c for c in FOLLOW_UP_COLUMNS if c in open_.columns]].reset_index(drop=True)


def _shorten(text: object, width: int) -> object:
    if not isinstance(text, str) or len(text) <= width:
        return text
    return text[: width - 1].rstrip() + "…"


@dataclass(frozen=True)
class PeriodSummary:
    """Complaints in the latest ``days`` up to ``end`` and in the ``days`` before."""

    start: pd.Timestamp
    end: pd.Timestamp
    count: int
    previous_start: pd.Timestamp
    previous: int
    compared: bool

    @property
    def change(self) -> float | None:
        """Relative change from the previous period (``None`` when there is nothing to compare)."""
        if not self.compared or self.previous == 0:
            return None
        return (self.count - self.previous) / self.previous


def period_summary(
    data: ComplaintData, *, days: int = 28, as_of: pd.Timestamp | None = None
) -> PeriodSummary:
    """Complaints submitted in the last ``days`` days up to ``as_of`` (or the last submission, when
    earlier) and in the ``days`` before.

    ``compared`` is false when the data does not reach back over the whole previous period.
    """
    submitted = data.frame["submitted_at"]
    reference = default_as_of(data) if as_of is None else pd.Timestamp(as_of)
    end = min(reference, submitted.max()).normalize() + _DAY
    start = end - days * _DAY
    previous_start = start - days * _DAY
    count = int(((submitted >= start) & (submitted < end)).sum())
    previous = int(((submitted >= previous_start) & (submitted < start)).sum())
    compared = bool(submitted.min() < previous_start + _DAY)
    return PeriodSummary(start, end - _DAY, count, previous_start, previous, compared)


def overdue_by_agency(
    data: ComplaintData, *, sla_days: float, as_of: pd.Timestamp | None = None
) -> pd.Series:
    """Open complaints older than the target per agency, most first (empty without the columns)."""
    frame = data.frame
    if not data.has_responses or "agency" not in frame.columns:
        return pd.Series(dtype="int64")
    as_of = default_as_of(data) if as_of is None else pd.Timestamp(as_of)
    late = ~completed_mask(data) & ((as_of - frame["submitted_at"]) / _DAY > sla_days)
    late &= frame["agency"] != MISSING_LABEL
    counts = frame.loc[late, "agency"].value_counts()
    order = sorted(counts.index, key=lambda a: (-counts[a], str(a)))
    return counts.loc[order].astype("int64")
