"""Reminders, snoozes and daily digests: what the scheduler sent, keyed so it goes once.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reminder_sent",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("item", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("item", "kind", "day"),
    )
    op.create_index("ix_reminder_sent_item", "reminder_sent", ["item"])
    op.create_table(
        "snooze",
        sa.Column("item", sa.String(16), primary_key=True),
        sa.Column("until", UTCDateTime(), nullable=False),
        sa.Column("by_user_id", sa.String(32), nullable=False),
    )
    op.create_table(
        "digest_setting",
        sa.Column("user_id", sa.String(32), primary_key=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("at", sa.String(5), nullable=False),
        sa.Column("days", sa.String(16), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "digest_sent",
        sa.Column("user_id", sa.String(32), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("claimed_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
    )


def downgrade() -> None:
    for table in ("digest_sent", "digest_setting", "snooze", "reminder_sent"):
        op.drop_table(table)
