"""The permalink of the Slack message an item was made from with a message shortcut (Refer to a partner,
Ask a partner, Make an action item): kept on every kind's table, a link and never the message's words.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

TABLES = ("referral", "consult", "advocacy")


def upgrade() -> None:
    # A plain ADD COLUMN (nullable, no default) on both databases: nothing to copy.
    for table in TABLES:
        op.add_column(table, sa.Column("source_permalink", sa.String(length=500), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("source_permalink")
