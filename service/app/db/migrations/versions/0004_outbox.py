"""The event outbox and webhook deliveries, and returns/acceptances from the receiving offices.

Revision ID: 0004_outbox
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from service.app.db.models import UTCDateTime

revision = "0004_outbox"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("suggestions") as batch:
        batch.add_column(sa.Column("returned_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("returned_by", sa.String(200), nullable=True))
        batch.add_column(sa.Column("returned_agency", sa.String(300), nullable=True))
        batch.add_column(sa.Column("return_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("returned_agencies", sa.JSON(), nullable=True))
    op.create_index("ix_suggestions_returned_at", "suggestions", ["returned_at"])
    op.create_table(
        "agency_responses",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("suggestion_id", sa.Integer(), sa.ForeignKey("suggestions.id"), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("agency", sa.String(300), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("suggested_agency", sa.String(300), nullable=False),
        sa.Column("agency_decision", sa.String(10), nullable=False),
    )
    op.create_index("ix_agency_responses_suggestion_id", "agency_responses", ["suggestion_id"])
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("webhook_id", sa.String(64), nullable=False, unique=True),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("suggestion_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_events_suggestion_id", "events", ["suggestion_id"])
    op.create_index("ix_events_state", "events", ["state"])
    op.create_index("ix_events_next_attempt_at", "events", ["next_attempt_at"])
    op.create_table(
        "webhook_attempts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.Integer(), sa.ForeignKey("events.id"), nullable=False),
        sa.Column("attempted_at", UTCDateTime(), nullable=False),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=False),
    )
    op.create_index("ix_webhook_attempts_event_id", "webhook_attempts", ["event_id"])
    op.create_table(
        "webhook_endpoints",
        sa.Column("url", sa.String(2000), primary_key=True),
        sa.Column("disabled_at", UTCDateTime(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("webhook_endpoints")
    op.drop_index("ix_webhook_attempts_event_id", table_name="webhook_attempts")
    op.drop_table("webhook_attempts")
    op.drop_index("ix_events_next_attempt_at", table_name="events")
    op.drop_index("ix_events_state", table_name="events")
    op.drop_index("ix_events_suggestion_id", table_name="events")
    op.drop_table("events")
    op.drop_index("ix_agency_responses_suggestion_id", table_name="agency_responses")
    op.drop_table("agency_responses")
    op.drop_index("ix_suggestions_returned_at", table_name="suggestions")
    with op.batch_alter_table("suggestions") as batch:
        batch.drop_column("returned_agencies")
        batch.drop_column("return_reason")
        batch.drop_column("returned_agency")
        batch.drop_column("returned_by")
        batch.drop_column("returned_at")
