"""The transactional outbox: events are rows written in the same transaction as the change they report.

An event is stored as the exact JSON body the webhook carries (Standard Webhooks shape)::

    {"type": "complaint.routed", "timestamp": "2026-12-05T10:00:00.123456Z",
     "data": {"suggestion_id": 12, "id": "LAPOR-1", ...}}

so every attempt sends the same bytes under the same ``webhook-id``. Events are written whether or not
a webhook URL is configured: the pull API (``GET /v1/events?after=<cursor>``) reads them too.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from service.app.db.models import EventRow, utcnow

ROUTED = "complaint.routed"
DECIDED = "complaint.decided"
RETURNED = "complaint.returned"
EVENT_TYPES = (ROUTED, DECIDED, RETURNED)

_EVENTS = cast(Table, EventRow.__table__)
_INSERT = insert(_EVENTS)


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def new_event(
    type_: str,
    suggestion_id: int,
    intake_id: str | None,
    data: Mapping[str, Any],
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The column values of an event row; ``data`` gets ``suggestion_id`` and ``id`` first."""
    if type_ not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type_!r}; expected one of {list(EVENT_TYPES)}")
    created = now or utcnow()
    payload = {
        "type": type_,
        "timestamp": _iso(created),
        "data": {"suggestion_id": suggestion_id, "id": intake_id, **data},
    }
    return {
        "webhook_id": f"msg_{uuid.uuid4().hex}",
        "type": type_,
        "created_at": created,
        "suggestion_id": suggestion_id,
        "body": json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str),
        "state": "pending",
        "attempts": 0,
        "next_attempt_at": created,
    }


def emit(session: Session, events: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``events`` in the session's open transaction (committed, or rolled back, with the change)."""
    if events:
        session.execute(_INSERT, [dict(e) for e in events])


def events_after(session: Session, after: int, limit: int) -> list[EventRow]:
    """Events with a cursor (``id``) greater than ``after``, oldest first, at most ``limit``."""
    rows = session.scalars(select(EventRow).where(EventRow.id > after).order_by(EventRow.id).limit(limit))
    return list(rows)


def event_out(row: EventRow) -> dict[str, Any]:
    """What the pull API returns for an event: its cursor and webhook id, and the webhook body."""
    body = json.loads(row.body)
    return {"cursor": row.id, "webhook_id": row.webhook_id, **body}
