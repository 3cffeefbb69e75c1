"""Webhook delivery from the outbox, as the Standard Webhooks spec says.

A :class:`Deliverer` runs in a background thread of the service (one per process; several processes
or replicas may share a database). Each round it claims due events with a lease in ONE statement::

    UPDATE events SET lease_owner = :me, lease_until = now + lease
    WHERE id IN (SELECT id FROM events WHERE state = 'pending' AND next_attempt_at <= now
                 AND (lease_until IS NULL OR lease_until < now) ORDER BY id LIMIT n
                 FOR UPDATE SKIP LOCKED)            -- PostgreSQL; SQLite takes its write lock
      AND state = 'pending' AND (lease_until IS NULL OR lease_until < now)
    RETURNING id, webhook_id, body, attempts

so a message is sent by one process at a time. Each attempt is signed afresh with the
``standardwebhooks`` package (``webhook-id`` stays the same, ``webhook-timestamp`` and
``webhook-signature`` are new), and recorded in ``webhook_attempts``. A 2xx delivers it; anything else
is retried after the next delay of ``LAPOR_NLP_WEBHOOK_RETRY_SECONDS`` (with up to 10% jitter, and at
least as long as a ``Retry-After`` asks); when the delays are used up the message is ``failed``: kept,
listed and redeliverable by an admin. A 410 Gone disables the endpoint until an admin enables it.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session
from standardwebhooks import Webhook

from service.app.db.models import EventRow, WebhookAttemptRow, WebhookEndpointRow, utcnow

logger = logging.getLogger("lapor_nlp.service")

JITTER = 0.1
MAX_RETRY_AFTER_SECONDS = 24 * 3600.0


@dataclass(frozen=True)
class Claimed:
    """An event this deliverer holds the lease of."""

    id: int
    webhook_id: str
    body: str
    attempts: int


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """A ``Retry-After`` header (seconds or an HTTP date) as seconds from ``now``; None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - now).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)


def next_delay(
    attempts: int, delays: Sequence[float], retry_after: float | None, rng: random.Random
) -> float | None:
    """Seconds until the next attempt after ``attempts`` failed ones; None when the schedule is used up."""
    if attempts > len(delays):
        return None
    delay = delays[attempts - 1] * (1.0 + rng.uniform(0.0, JITTER))
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay


def endpoint_disabled(session: Session, url: str) -> WebhookEndpointRow | None:
    """The endpoint's row if a 410 disabled it (and no admin enabled it since)."""
    row = session.get(WebhookEndpointRow, url)
    return row if row is not None and row.disabled_at is not None else None


def set_endpoint_enabled(session: Session, url: str) -> None:
    """Enable the endpoint again (after a 410); pending messages go out on the next round."""
    row = session.get(WebhookEndpointRow, url)
    if row is not None:
        row.disabled_at = None
        row.reason = None
    session.commit()


def state_counts(session: Session) -> dict[str, int]:
    """Events per delivery state (``pending``, ``delivered``, ``failed``)."""
    counts = {"pending": 0, "delivered": 0, "failed": 0}
    for state, n in session.execute(select(EventRow.state, func.count()).group_by(EventRow.state)):
        counts[str(state)] = int(n)
    return counts


def redeliver(session: Session, event_id: int) -> EventRow | None:
    """Queue an event again (any state): attempts start over, it goes out on the next round."""
    row = session.get(EventRow, event_id)
    if row is None:
        return None
    row.state = "pending"
    row.attempts = 0
    row.next_attempt_at = utcnow()
    row.lease_until = None
    row.lease_owner = None
    session.commit()
    return row


class Deliverer:
    """Sends due events to one endpoint from a background thread (start/close with the app)."""

    def __init__(
        self,
        sessionmaker: Callable[[], Session],
        *,
        url: str,
        secret: str,
        delays: Sequence[float],
        timeout: float = 15.0,
        poll_seconds: float = 1.0,
        batch: int = 20,
        lease_seconds: float | None = None,
        on_attempt: Callable[[str], None] | None = None,
        seed: int | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.url = url
        self.webhook = Webhook(secret)
        self.delays = list(delays)
        self.timeout = timeout
        self.poll_seconds = poll_seconds
        self.batch = batch
        # Longer than one attempt can take, so a lease only lapses when its holder died.
        self.lease_seconds = lease_seconds if lease_seconds is not None else timeout + 30.0
        self.on_attempt = on_attempt
        self.owner = f"{socket.gethostname()[:30]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._rng = random.Random(seed)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="lapor-webhooks", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Look for due events now instead of at the next poll."""
        self._wake.set()

    def close(self, timeout: float = 5.0) -> None:
        """Stop after the attempt in flight (a lease left behind lapses and another process resumes)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        with httpx.Client(timeout=self.timeout, follow_redirects=False) as client:
            while not self._stop.is_set():
                try:
                    sent = self.run_once(client)
                except Exception as exc:  # noqa: BLE001 - the loop must outlive a database outage
                    logger.warning("webhook delivery round failed: %s", type(exc).__name__)
                    sent = 0
                if not sent:
                    self._wake.wait(self.poll_seconds)
                    self._wake.clear()

    # -- one round -----------------------------------------------------------------------------------
    def run_once(self, client: httpx.Client) -> int:
        """Claim due events and attempt each once; returns how many were attempted."""
        with self.sessionmaker() as session:
            if endpoint_disabled(session, self.url) is not None:
                return 0
        claimed = self.claim()
        for event in claimed:
            if self._stop.is_set():
                break  # the lease lapses; another process (or the next start) sends it
            self.attempt(client, event)
        return len(claimed)

    def claim(self) -> list[Claimed]:
        """Lease up to ``batch`` due events to this deliverer (see the module docstring)."""
        now = utcnow()
        free = or_(EventRow.lease_until.is_(None), EventRow.lease_until < now)
        due = (
            select(EventRow.id)
            .where(EventRow.state == "pending", EventRow.next_attempt_at <= now, free)
            .order_by(EventRow.id)
            .limit(self.batch)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        statement = (
            update(EventRow)
            .where(EventRow.id.in_(due), EventRow.state == "pending", free)
            .values(lease_owner=self.owner, lease_until=now + timedelta(seconds=self.lease_seconds))
            .returning(EventRow.id, EventRow.webhook_id, EventRow.body, EventRow.attempts)
            .execution_options(synchronize_session=False)
        )
        with self.sessionmaker() as session:
            rows = session.execute(statement).all()
            session.commit()
        return sorted((Claimed(int(r[0]), str(r[1]), str(r[2]), int(r[3])) for r in rows), key=lambda c: c.id)

    def attempt(self, client: httpx.Client, event: Claimed) -> int | None:
        """Sign and POST ``event`` once and record the outcome; returns the status code (None: no answer)."""
        now = datetime.now(UTC)
        headers = {
            "webhook-id": event.webhook_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": self.webhook.sign(event.webhook_id, now, event.body),
            "content-type": "application/json",
            "user-agent": "lapor-nlp-webhooks",
        }
        started = time.perf_counter()
        status: int | None = None
        error: str | None = None
        retry_after: float | None = None
        try:
            response = client.post(self.url, content=event.body.encode("utf-8"), headers=headers)
            status = response.status_code
            if not 200 <= status < 300:
                error = f"HTTP {status}"
                retry_after = retry_after_seconds(response.headers.get("retry-after"), datetime.now(UTC))
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: no answer from the endpoint"
        self._record(event, status, error, retry_after, (time.perf_counter() - started) * 1000)
        if self.on_attempt is not None:
            self.on_attempt(_result(status))
        return status

    def _record(
        self, event: Claimed, status: int | None, error: str | None, retry_after: float | None, ms: float
    ) -> None:
        now = utcnow()
        values: dict[str, Any] = {
            "last_status": status,
            "last_error": error,
            "lease_until": None,
            "lease_owner": None,
        }
        if status is not None and 200 <= status < 300:
            values.update(state="delivered", delivered_at=now, attempts=event.attempts + 1)
        elif status == 410:  # the endpoint asks to stop: pause it all; this message waits, not counted
            values.update(next_attempt_at=now)
        else:
            attempts = event.attempts + 1
            delay = next_delay(attempts, self.delays, retry_after, self._rng)
            values["attempts"] = attempts
            if delay is None:
                values["state"] = "failed"
            else:
                values["next_attempt_at"] = now + timedelta(seconds=delay)
        with self.sessionmaker() as session:
            # Only while the lease is ours: if it lapsed and another process took over, its record wins.
            session.execute(
                update(EventRow)
                .where(EventRow.id == event.id, EventRow.lease_owner == self.owner)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            session.add(
                WebhookAttemptRow(
                    event_id=event.id,
                    attempted_at=now,
                    owner=self.owner,
                    status_code=status,
                    error=error,
                    duration_ms=round(ms, 2),
                )
            )
            if status == 410:
                endpoint = session.get(WebhookEndpointRow, self.url) or WebhookEndpointRow(url=self.url)
                endpoint.disabled_at = now
                endpoint.reason = (
                    f"the endpoint answered 410 Gone to message {event.webhook_id}; deliveries are paused "
                    "until an admin enables it (POST /v1/webhooks/enable)"
                )
                session.merge(endpoint)
            session.commit()
        if status == 410:
            logger.warning("webhook endpoint answered 410 Gone: deliveries paused until an admin enables it")
        elif values.get("state") == "failed":
            logger.warning(
                "webhook message %s failed after %d attempts", event.webhook_id, values["attempts"]
            )


def _result(status: int | None) -> str:
    if status is None:
        return "no_answer"
    if 200 <= status < 300:
        return "delivered"
    return "gone" if status == 410 else "failed_attempt"
