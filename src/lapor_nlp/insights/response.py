"""Response times per agency against a service-level target, and the backlog of unresolved reports.

Definitions (all durations in days):

* ``median_days`` / ``p90_days``: over complaints that have a response (linear-interpolated percentile).
* ``over_sla_share``: late / known, where *late* = answered after ``sla`` **or** still unresolved and
  already older than ``sla`` at ``as_of``, and *known* = answered + unresolved older than ``sla``
  (an unresolved complaint younger than the target may still be answered in time, so it is left out).
* ``as_of`` defaults to the latest timestamp in the data, so results do not depend on when they are run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lapor_nlp.errors import InputError
from lapor_nlp.insights.data import ComplaintData

RESPONSE_COLUMNS: tuple[str, ...] = (
    "complaints",
    "responded",
    "unresolved",
    "unknown",
    "median_days",
    "p90_days",
    "over_sla",
    "over_sla_share",
)
_DAY = pd.Timedelta(days=1)


def _require_responses(data: ComplaintData) -> None:
    if not data.has_responses:
        raise InputError("the data has no 'responded_at' column, so response times cannot be computed")


def default_as_of(data: ComplaintData) -> pd.Timestamp:
    """The latest submission or response time in the data."""
    frame = data.frame
    latest = frame["submitted_at"].max()
    if data.has_responses and frame["responded_at"].notna().any():
        latest = max(latest, frame["responded_at"].max())
    return pd.Timestamp(latest)


def _as_timedelta(sla: pd.Timedelta | float) -> pd.Timedelta:
    value = sla if isinstance(sla, pd.Timedelta) else pd.Timedelta(days=float(sla))
    if value <= pd.Timedelta(0):
        raise InputError(f"the service-level target must be positive, got {sla!r}")
    return value


def response_times(
    data: ComplaintData,
    by: str | None = "agency",
    *,
    sla: pd.Timedelta | float = 5.0,
    as_of: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Response-time figures per value of ``by`` (or overall with ``by=None``), busiest first.

    ``sla`` is a Timedelta or a number of days. Columns: ``by`` then :data:`RESPONSE_COLUMNS`;
    the first row, ``(all)``, covers every complaint.
    """
    _require_responses(data)
    sla_td = _as_timedelta(sla)
    as_of = default_as_of(data) if as_of is None else pd.Timestamp(as_of)
    frame = data.frame
    if by is not None and by not in frame.columns:
        raise InputError(
            f"cannot break response times down by {by!r}: no such column; have {data.dimensions}"
        )
    unknown = frame["_responded_unknown"].astype(bool)
    responded = frame["responded_at"].notna()
    days = (frame["responded_at"] - frame["submitted_at"]) / _DAY
    age = (as_of - frame["submitted_at"]) / _DAY
    unresolved = ~responded & ~unknown
    sla_days = sla_td / _DAY
    work = pd.DataFrame(
        {
            "group": frame[by] if by is not None else "(all)",
            "responded": responded,
            "unresolved": unresolved,
            "unknown": unknown,
            "days": days,
            "late": (responded & (days > sla_days)) | (unresolved & (age > sla_days)),
            "known": responded | (unresolved & (age > sla_days)),
        }
    )

    def summarise(part: pd.DataFrame) -> dict[str, float | int]:
        answered = part.loc[part["responded"], "days"].to_numpy(dtype=float)
        known = int(part["known"].sum())
        late = int(part["late"].sum())
        return {
            "complaints": len(part),
            "responded": int(part["responded"].sum()),
            "unresolved": int(part["unresolved"].sum()),
            "unknown": int(part["unknown"].sum()),
            "median_days": round(float(np.median(answered)), 3) if answered.size else np.nan,
            "p90_days": round(float(np.percentile(answered, 90)), 3) if answered.size else np.nan,
            "over_sla": late,
            "over_sla_share": round(late / known, 4) if known else np.nan,
        }

    label = by or "group"
    rows = [{label: "(all)", **summarise(work)}]
    if by is not None:
        sizes = work["group"].value_counts()
        for group in sizes.index:
            rows.append({label: group, **summarise(work[work["group"] == group])})
    return pd.DataFrame(rows, columns=[label, *RESPONSE_COLUMNS])


def backlog(data: ComplaintData, *, as_of: pd.Timestamp | None = None, text_width: int = 160) -> pd.DataFrame:
    """Unresolved complaints, oldest first, with their age in days at ``as_of`` and a redacted excerpt."""
    _require_responses(data)
    as_of = default_as_of(data) if as_of is None else pd.Timestamp(as_of)
    frame = data.frame
    open_ = frame[frame["responded_at"].isna() & ~frame["_responded_unknown"].astype(bool)]
    open_ = open_.sort_values(["submitted_at", "id"], kind="stable")
    cols = ["id", "submitted_at", *[d for d in data.dimensions]]
    out = open_[cols].copy()
    out.insert(2, "age_days", ((as_of - open_["submitted_at"]) / _DAY).round(2).to_numpy())
    if "text" in open_.columns:
        from lapor_nlp.text import redact

        def excerpt(text: object) -> str:
            one = " ".join(str(text).replace("\\n", " ").split())[: text_width * 2]
            one = redact(one)
            return one if len(one) <= text_width else one[: text_width - 1].rstrip() + "…"

        out["text"] = [excerpt(t) for t in open_["text"].fillna("")]
    return out.reset_index(drop=True)
