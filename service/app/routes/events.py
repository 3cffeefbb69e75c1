"""Events out: the catch-up pull API (intake key) and the webhook admin endpoints (admin key)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from sqlalchemy import func, select

from service.app import outbox, schemas, webhooks
from service.app.config import retry_delays
from service.app.db.models import EventRow
from service.app.deps import AdminKey, DelivererDep, IntakeKey, SessionDep, SettingsDep
from service.app.errors import MessageNotFoundError
from service.app.responses import COMMON, errors

router = APIRouter(prefix="/v1", tags=["events"])


@router.get(
    "/events",
    response_model=schemas.EventPage,
    dependencies=[IntakeKey],
    responses=errors(401, 403, 422, 503),
)
def list_events(
    session: SessionDep,
    after: Annotated[int, Query(ge=0, le=schemas.MAX_ID, description="the last cursor you have read")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> schemas.EventPage:
    """Events after the cursor `after`, oldest first: what the webhook sends, for an integrator that
    missed some (it was down) or does not take webhooks. Read on with `after=next_cursor`."""
    rows = outbox.events_after(session, after, limit)
    events = [schemas.EventOut(**outbox.event_out(r)) for r in rows]
    return schemas.EventPage(events=events, next_cursor=rows[-1].id if rows else after)


def _message_out(row: EventRow) -> schemas.WebhookMessageOut:
    return schemas.WebhookMessageOut(
        cursor=row.id,
        webhook_id=row.webhook_id,
        type=row.type,
        suggestion_id=row.suggestion_id,
        state=row.state,  # type: ignore[arg-type]
        attempts=row.attempts,
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at,
        delivered_at=row.delivered_at,
        last_status=row.last_status,
        last_error=row.last_error,
    )


def _endpoint(session: SessionDep, settings: SettingsDep) -> schemas.WebhookEndpointOut:
    url = settings.webhook_url if settings.webhook_secret else ""
    disabled = webhooks.endpoint_disabled(session, url) if url else None
    return schemas.WebhookEndpointOut(
        url=url,
        enabled=bool(url) and disabled is None,
        disabled_at=None if disabled is None else disabled.disabled_at,
        reason=None if disabled is None else disabled.reason,
        retry_seconds=retry_delays(settings.webhook_retry_seconds),
        messages=webhooks.state_counts(session),
    )


@router.get(
    "/webhooks",
    response_model=schemas.WebhookEndpointOut,
    dependencies=[AdminKey],
    responses=errors(401, 403, 503),
)
def webhook_endpoint(session: SessionDep, settings: SettingsDep) -> schemas.WebhookEndpointOut:
    """The webhook endpoint: whether it is enabled (a 410 Gone disables it), and messages per state."""
    return _endpoint(session, settings)


@router.post(
    "/webhooks/enable",
    response_model=schemas.WebhookEndpointOut,
    dependencies=[AdminKey],
    responses=errors(*COMMON),
)
def enable_webhook_endpoint(
    session: SessionDep, settings: SettingsDep, deliverer: DelivererDep
) -> schemas.WebhookEndpointOut:
    """Enable the endpoint again after a 410 Gone; the messages that waited go out."""
    if settings.webhook_url:
        webhooks.set_endpoint_enabled(session, settings.webhook_url)
    if deliverer is not None:
        deliverer.wake()
    return _endpoint(session, settings)


@router.get(
    "/webhooks/messages",
    response_model=schemas.WebhookMessagePage,
    dependencies=[AdminKey],
    responses=errors(401, 403, 422, 503),
)
def list_messages(
    session: SessionDep,
    state: Annotated[Literal["pending", "delivered", "failed"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
) -> schemas.WebhookMessagePage:
    """Webhook messages, newest first; `state=failed` lists those whose retries ran out."""
    query = select(EventRow)
    if state is not None:
        query = query.where(EventRow.state == state)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(EventRow.id.desc()).limit(limit).offset(offset)).all()
    return schemas.WebhookMessagePage(
        items=[_message_out(r) for r in rows], total=int(total), limit=limit, offset=offset
    )


@router.post(
    "/webhooks/messages/{message_id}/redeliver",
    response_model=schemas.WebhookMessageOut,
    dependencies=[AdminKey],
    responses=errors(*COMMON, 404),
)
def redeliver_message(
    message_id: Annotated[int, Path(ge=1, le=schemas.MAX_ID, description="the message's cursor")],
    session: SessionDep,
    deliverer: DelivererDep,
) -> schemas.WebhookMessageOut:
    """Send a message again (failed or not), with the same webhook-id; its retries start over."""
    row = webhooks.redeliver(session, message_id)
    if row is None:
        raise MessageNotFoundError(
            f"no webhook message with cursor {message_id}; list them with GET /v1/webhooks/messages"
        )
    if deliverer is not None:
        deliverer.wake()
    return _message_out(row)
