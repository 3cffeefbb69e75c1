"""Suggestions and decisions.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from service.app.db.models import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "suggestions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("external_id", sa.String(200), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("location", sa.JSON(), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("model_version", sa.String(200), nullable=False),
        sa.Column("category_target", sa.String(100), nullable=False),
        sa.Column("category_label", sa.String(300), nullable=False),
        sa.Column("category_score", sa.Float(), nullable=False),
        sa.Column("category_decision", sa.String(10), nullable=False),
        sa.Column("category_top_k", sa.JSON(), nullable=False),
        sa.Column("category_explanation", sa.JSON(), nullable=False),
        sa.Column("agency_label", sa.String(300), nullable=False),
        sa.Column("agency_score", sa.Float(), nullable=False),
        sa.Column("agency_decision", sa.String(10), nullable=False),
        sa.Column("agency_top_k", sa.JSON(), nullable=False),
        sa.Column("agency_explanation", sa.JSON(), nullable=False),
        sa.Column("duplicates", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
    )
    op.create_index("ix_suggestions_external_id", "suggestions", ["external_id"], unique=True)
    op.create_index("ix_suggestions_created_at", "suggestions", ["created_at"])
    op.create_index("ix_suggestions_status", "suggestions", ["status"])
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("suggestion_id", sa.Integer(), sa.ForeignKey("suggestions.id"), nullable=False),
        sa.Column("agency", sa.String(300), nullable=False),
        sa.Column("category", sa.String(300), nullable=False),
        sa.Column("reviewer", sa.String(200), nullable=False),
        sa.Column("duplicate_of", sa.Integer(), sa.ForeignKey("suggestions.id"), nullable=True),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("unknown_agency", sa.Boolean(), nullable=False),
        sa.Column("unknown_category", sa.Boolean(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_decisions_suggestion_id", "decisions", ["suggestion_id"])


def downgrade() -> None:
    op.drop_table("decisions")
    op.drop_table("suggestions")
