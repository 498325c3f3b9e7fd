"""Commands kept for the workers (storage/work.py): the front acknowledges a slash command once it is
kept here, and a worker does it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import EncryptedText, UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "work",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(80), nullable=False, unique=True),
        sa.Column("command", sa.String(32), nullable=False),
        sa.Column("payload", EncryptedText(), nullable=False),
        sa.Column("kept_at", UTCDateTime(), nullable=False),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("saved", sa.String(16), nullable=True),
    )
    op.create_index("ix_work_lease_until", "work", ["lease_until"])


def downgrade() -> None:
    op.drop_index("ix_work_lease_until", "work")
    op.drop_table("work")
