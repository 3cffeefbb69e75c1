"""Reviewer claims: who holds a suggestion in the review queue, and until when.

Revision ID: 0005
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from service.app.db.models import UTCDateTime

revision = "0005"
down_revision = "0004_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("suggestions") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(200), nullable=True))
        batch.add_column(sa.Column("claimed_until", UTCDateTime(), nullable=True))
    op.create_index("ix_suggestions_claimed_by", "suggestions", ["claimed_by"])


def downgrade() -> None:
    op.drop_index("ix_suggestions_claimed_by", table_name="suggestions")
    with op.batch_alter_table("suggestions") as batch:
        batch.drop_column("claimed_until")
        batch.drop_column("claimed_by")
