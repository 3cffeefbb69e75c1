"""Timestamp validation: naive and time-zone-aware values must not be mixed in one index."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from typing import Any

from lapor_nlp.errors import IndexStateError, InputError


def to_seconds(value: Any) -> tuple[float, bool | None]:
    """Return (POSIX seconds, is_aware) for a datetime, date-time text or Timestamp; None -> (nan, None).

    Text is ISO 8601, day-first ``dd/mm/yyyy hh:mm[:ss]`` (never month first) or an Excel serial number.

    Naive timestamps are read as wall-clock times (UTC is assumed only to get a number); aware ones
    are converted to UTC.
    """
    if value is None:
        return math.nan, None
    if isinstance(value, float) and math.isnan(value):
        return math.nan, None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return math.nan, None
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            value = _export_date(text)
    if type(value).__name__ == "NaTType":
        return math.nan, None
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if not isinstance(value, datetime):
        raise InputError(f"submitted_at must be a datetime or ISO string, got {type(value).__name__}")
    aware = value.tzinfo is not None and value.utcoffset() is not None
    seconds = value.timestamp() if aware else value.replace(tzinfo=UTC).timestamp()
    return seconds, aware


def _export_date(text: str) -> datetime:
    """Day-first (``31/01/2022 08:15``) or Excel serial text as a naive wall-clock datetime."""
    from lapor_nlp.tables import parse_timestamps

    parsed, _ = parse_timestamps([text], tz="UTC")
    if parsed.isna().iloc[0]:
        raise InputError(
            f"submitted_at {text!r} is not a date-time; pass a datetime, ISO text such as "
            "'2022-01-31 08:15:00' or day-first text such as '31/01/2022 08:15'"
        )
    stamp: datetime = parsed.iloc[0].tz_localize(None).to_pydatetime()
    return stamp


def check_kind(index_kind: bool | None, aware: bool | None) -> None:
    """Refuse an aware timestamp in a naive index and vice versa."""
    if aware is None or index_kind is None or aware == index_kind:
        return
    have = "time-zone-aware" if index_kind else "naive (no time zone)"
    got = "time-zone-aware" if aware else "naive"
    raise IndexStateError(
        f"this index holds {have} submitted_at values but got a {got} one; use one kind throughout "
        "(e.g. attach a time zone with datetime.replace(tzinfo=...) or strip it everywhere)"
    )
