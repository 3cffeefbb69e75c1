"""Dispatch on the routing targets: what routing made of each complaint, and the thresholds it met.

Revision ID: 0003_dispatch
Revises: 0005
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_dispatch"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("suggestions") as batch:
        batch.add_column(sa.Column("routed", sa.String(10), nullable=True))
        batch.add_column(sa.Column("category_threshold", sa.Float(), nullable=True))
        batch.add_column(sa.Column("agency_threshold", sa.Float(), nullable=True))
    # Rows routed before this revision were routed by the older rule: auto iff both targets were auto.
    op.execute(
        "UPDATE suggestions SET routed = CASE WHEN category_decision = 'auto' AND agency_decision = 'auto' "
        "THEN 'auto' ELSE 'review' END"
    )


def downgrade() -> None:
    with op.batch_alter_table("suggestions") as batch:
        batch.drop_column("agency_threshold")
        batch.drop_column("category_threshold")
        batch.drop_column("routed")
