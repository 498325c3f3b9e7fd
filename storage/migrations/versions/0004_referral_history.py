"""Referral history, first responses, thread replies.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("referral") as batch:
        batch.add_column(sa.Column("first_response_at", UTCDateTime(), nullable=True))
    op.create_table(
        "referral_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("referral_id", sa.Integer(), sa.ForeignKey("referral.id"), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor_user_id", sa.String(32), nullable=False),
        sa.Column("actor_team_id", sa.String(32), nullable=True),
        sa.Column("from_status", sa.String(24), nullable=False),
        sa.Column("to_status", sa.String(24), nullable=False),
        sa.Column("reason_code", sa.String(40), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
    )
    op.create_index("ix_referral_event_referral_id", "referral_event", ["referral_id"])
    op.create_table(
        "thread_reply",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("item", sa.String(16), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("thread_ts", sa.String(32), nullable=False),
        sa.Column("ts", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=True),
        sa.Column("team_id", sa.String(32), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("edited_at", UTCDateTime(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("channel_id", "ts"),
    )
    op.create_index("ix_thread_reply_item", "thread_reply", ["item"])
    op.create_index("ix_thread_reply_thread", "thread_reply", ["channel_id", "thread_ts"])


def downgrade() -> None:
    op.drop_table("thread_reply")
    op.drop_table("referral_event")
    with op.batch_alter_table("referral") as batch:
        batch.drop_column("first_response_at")
