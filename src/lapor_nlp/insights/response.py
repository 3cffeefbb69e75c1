"""Response times per agency against a service-level target, and the backlog of unresolved reports.

Definitions (all durations in days):

* ``median_days`` / ``p90_days``: over complaints that have a response (linear-interpolated percentile).
* ``over_sla_share``: late / known, where *late* = answered after ``sla`` **or** still unresolved and
  already older than ``sla`` at ``as_of``, and *known* = answered + unresolved older than ``sla``
  (an unresolved complaint younger than the target may still be answered in time, so it is left out).
* ``as_of`` defaults to the latest timestamp in the data, so results do not depend on when they are run.
"""

from __future__ import annotations

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

    label = by or "group"
    overall = _summarise(work.assign(group="(all)"))
    table = overall if by is None else pd.concat([overall, _summarise(work)])
    table = table.rename_axis(label).reset_index()
    return table[[label, *RESPONSE_COLUMNS]]


def _summarise(work: pd.DataFrame) -> pd.DataFrame:
    """Per-group figures, busiest group first (ties by name)."""
    grouped = work.groupby("group", sort=False)
    answered = work[work["responded"]].groupby("group", sort=False)["days"]
    out = pd.DataFrame(
        {
            "complaints": grouped.size(),
            "responded": grouped["responded"].sum(),
            "unresolved": grouped["unresolved"].sum(),
            "unknown": grouped["unknown"].sum(),
            "median_days": answered.median().round(3),
            "p90_days": answered.quantile(0.9).round(3),
            "over_sla": grouped["late"].sum(),
            "known": grouped["known"].sum(),
        }
    )
    out["over_sla_share"] = (out["over_sla"] / out["known"]).where(out["known"] > 0).round(4)
    out = out.astype({c: "int64" for c in ("complaints", "responded", "unresolved", "unknown", "over_sla")})
    order = sorted(out.index, key=lambda g: (-out.at[g, "complaints"], str(g)))
    return out.loc[order]


def backlog(
    data: ComplaintData,
    *,
    as_of: pd.Timestamp | None = None,
    text_width: int = 160,
    excerpts: int | None = 500,
) -> pd.DataFrame:
    """Unresolved complaints, oldest first, with their age in days at ``as_of``.

    The ``text`` column holds a redacted excerpt for the ``excerpts`` oldest complaints (all with
    ``None``); redaction costs a few milliseconds per text, so the rest are left empty.
    """
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

        texts = open_["text"].fillna("").tolist()
        limit = len(texts) if excerpts is None else max(0, excerpts)
        out["text"] = [excerpt(t) for t in texts[:limit]] + [""] * max(0, len(texts) - limit)
    return out.reset_index(drop=True)
