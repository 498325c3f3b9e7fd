"""The review date a library entry's owner was last reminded of, so that an entry leaves the scheduler's
list once its owner is told (storage/library.due_for_review).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on both databases: a batch copy of the table on SQLite would drop the full-text
    # index's triggers (migration 0014).
    op.add_column("resource", sa.Column("reminded_for", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("resource") as table:
        table.drop_column("reminded_for")
