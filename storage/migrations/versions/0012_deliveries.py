"""Delivery guarantees: keys of the requests and journalled events already acted on (a replay does
nothing), the Web API calls that instances sharing PostgreSQL count against one rate budget, and snoozes
cut back to the longest a Snooze button offers (a forged button could set one years ahead).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

LONGEST_SNOOZE = timedelta(days=3)  # commands/reminders.SNOOZE_DAYS at the time of writing


def upgrade() -> None:
    op.create_table(
        "delivery",
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_delivery_expires_at", "delivery", ["expires_at"])
    op.create_table(
        "slack_call",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(120), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_slack_call_key_at", "slack_call", ["key", "at"])
    snooze = sa.table("snooze", sa.column("until", UTCDateTime()))
    latest = datetime.now(UTC) + LONGEST_SNOOZE
    op.execute(snooze.update().where(snooze.c.until > latest).values(until=latest))


def downgrade() -> None:
    op.drop_index("ix_slack_call_key_at", "slack_call")
    op.drop_table("slack_call")
    op.drop_index("ix_delivery_expires_at", "delivery")
    op.drop_table("delivery")
