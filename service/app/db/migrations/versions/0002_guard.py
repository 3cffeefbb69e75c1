"""Audit sampling and the live precision guard.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from service.app.db.models import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("suggestions") as batch:
        batch.add_column(sa.Column("audit", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("guard_held", sa.String(40), nullable=False, server_default=""))
    op.create_index("ix_suggestions_model_version", "suggestions", ["model_version"])
    op.create_table(
        "guard_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("model_version", sa.String(200), nullable=False),
        sa.Column("target", sa.String(20), nullable=False),
        sa.Column("label", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("reviewed", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.Column("lower_bound", sa.Float(), nullable=False),
        sa.Column("upper_bound", sa.Float(), nullable=False),
        sa.Column("target_precision", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.UniqueConstraint("model_version", "target", "label", "kind", name="uq_guard_events"),
    )
    op.create_index("ix_guard_events_model_version", "guard_events", ["model_version"])


def downgrade() -> None:
    op.drop_index("ix_guard_events_model_version", table_name="guard_events")
    op.drop_table("guard_events")
    op.drop_index("ix_suggestions_model_version", table_name="suggestions")
    with op.batch_alter_table("suggestions") as batch:
        batch.drop_column("guard_held")
        batch.drop_column("audit")
