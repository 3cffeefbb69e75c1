"""SQLAlchemy tables: routed complaints (redacted), reviewer decisions, and the guard's switches."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class SuggestionRow(Base):
    """A complaint as routed: redacted text, what the model suggested, and its review status."""

    __tablename__ = "suggestions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True, index=True)
    text: Mapped[str] = mapped_column(Text)  # redacted before it gets here
    location: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    model_version: Mapped[str] = mapped_column(String(200), index=True)
    category_target: Mapped[str] = mapped_column(String(100))
    category_label: Mapped[str] = mapped_column(String(300))
    category_score: Mapped[float] = mapped_column(Float)
    category_decision: Mapped[str] = mapped_column(String(10))
    category_top_k: Mapped[list[list[Any]]] = mapped_column(JSON)
    category_explanation: Mapped[list[str]] = mapped_column(JSON)
    # The score the suggested class needed for `auto` (None: it never goes auto; or routed before 0003).
    category_threshold: Mapped[float | None] = mapped_column(Float, nullable=True)
    agency_label: Mapped[str] = mapped_column(String(300))
    agency_score: Mapped[float] = mapped_column(Float)
    agency_decision: Mapped[str] = mapped_column(String(10))
    agency_top_k: Mapped[list[list[Any]]] = mapped_column(JSON)
    agency_explanation: Mapped[list[str]] = mapped_column(JSON)
    agency_threshold: Mapped[float | None] = mapped_column(Float, nullable=True)
    duplicates: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # "auto" or "review" when routed, "decided" once a reviewer has decided.
    status: Mapped[str] = mapped_column(String(10), index=True)
    # What the routing rule (LAPOR_NLP_ROUTING_TARGETS) made of it when routed: "auto" or "review";
    # kept when a reviewer decides (status becomes "decided"). NULL only for rows routed before 0003.
    routed: Mapped[str | None] = mapped_column(String(10), nullable=True)
    # An `auto` decision sampled for audit: routed, and also shown to a reviewer (status stays "auto").
    audit: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Targets the model would have routed `auto` but the guard held for review: "", "agency",
    # "category" or "category,agency".
    guard_held: Mapped[str] = mapped_column(String(40), default="", server_default="")
    # A reviewer's claim (POST /v1/suggestions/claim): nobody else is handed the suggestion, or may
    # decide it without "force", until it is decided or ``claimed_until`` has passed.
    claimed_by: Mapped[str | None] = mapped_column(String(200), index=True, default=None)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # The latest return by a receiving office ("Bukan Wewenang"): back in review, shown first.
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    returned_by: Mapped[str | None] = mapped_column(String(200))
    returned_agency: Mapped[str | None] = mapped_column(String(300))
    return_reason: Mapped[str | None] = mapped_column(Text)
    # Every office that returned it: never offered first again for this complaint.
    returned_agencies: Mapped[list[str]] = mapped_column(JSON, default=list)

    decisions: Mapped[list[DecisionRow]] = relationship(
        back_populates="suggestion",
        order_by="DecisionRow.id",
        lazy="selectin",
        foreign_keys="DecisionRow.suggestion_id",
    )


class DecisionRow(Base):
    """A reviewer's decision on a suggestion; the latest one counts, earlier ones are kept."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    suggestion_id: Mapped[int] = mapped_column(ForeignKey("suggestions.id"), index=True)
    agency: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(300))
    reviewer: Mapped[str] = mapped_column(String(200))
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("suggestions.id"))
    outcome: Mapped[str] = mapped_column(String(20))  # accepted | overridden | duplicate
    unknown_agency: Mapped[bool] = mapped_column(Boolean, default=False)
    unknown_category: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    suggestion: Mapped[SuggestionRow] = relationship(back_populates="decisions", foreign_keys=[suggestion_id])


class AgencyResponseRow(Base):
    """A receiving office's answer to a dispatched complaint: ``return`` (not ours) or ``accept``."""

    __tablename__ = "agency_responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    suggestion_id: Mapped[int] = mapped_column(ForeignKey("suggestions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # "return" | "accept"
    agency: Mapped[str] = mapped_column(String(300))
    reason: Mapped[str] = mapped_column(Text, default="")
    by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # What the complaint had when the office answered: the model's agency label and decision.
    suggested_agency: Mapped[str] = mapped_column(String(300))
    agency_decision: Mapped[str] = mapped_column(String(10))


class EventRow(Base):
    """The transactional outbox: one row per event, written with the change it reports.

    ``id`` is the pull API's cursor; ``webhook_id`` the Standard Webhooks message id (the same for
    every attempt). ``state``: ``pending`` (to send), ``delivered`` or ``failed`` (retries exhausted).
    """

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    webhook_id: Mapped[str] = mapped_column(String(64), unique=True)
    type: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    suggestion_id: Mapped[int] = mapped_column(Integer, index=True)
    body: Mapped[str] = mapped_column(Text)  # the JSON sent, byte for byte on every attempt
    state: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WebhookAttemptRow(Base):
    """One delivery attempt of an event: when, by whom, and what came back."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    owner: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[float] = mapped_column(Float)


class WebhookEndpointRow(Base):
    """The webhook endpoint's switch: a 410 Gone disables it until an admin enables it again."""

    __tablename__ = "webhook_endpoints"

    url: Mapped[str] = mapped_column(String(2000), primary_key=True)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(Text)


class GuardEventRow(Base):
    """The guard paused a class (its live precision fell below the target) or resumed it (new model)."""

    __tablename__ = "guard_events"
    __table_args__ = (UniqueConstraint("model_version", "target", "label", "kind", name="uq_guard_events"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    model_version: Mapped[str] = mapped_column(String(200), index=True)
    target: Mapped[str] = mapped_column(String(20))  # "category" | "agency"
    label: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(10))  # "pause" | "resume"
    reviewed: Mapped[int] = mapped_column(Integer)
    correct: Mapped[int] = mapped_column(Integer)
    lower_bound: Mapped[float] = mapped_column(Float)
    upper_bound: Mapped[float] = mapped_column(Float)
    target_precision: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
