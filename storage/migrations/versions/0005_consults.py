"""Consults; one history table for every item kind (referral_event becomes item_event, keyed by R-12).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_EVENT_COLUMNS = "at, actor_user_id, actor_team_id, from_status, to_status, reason_code, note"


def upgrade() -> None:
    op.create_table(
        "consult",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("partner_id", sa.Integer(), sa.ForeignKey("partner.id"), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("case_number", sa.String(64), nullable=True),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("requester_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("card_ts", sa.String(32), nullable=True),
        sa.Column("first_response_at", UTCDateTime(), nullable=True),
        sa.Column("taken_by", sa.String(32), nullable=True),
        sa.Column("taken_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_consult_partner_id", "consult", ["partner_id"])
    op.create_index("ix_consult_requester_id", "consult", ["requester_id"])
    op.create_index("ix_consult_status_due_at", "consult", ["status", "due_at"])
    op.create_table(
        "item_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("item", sa.String(16), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor_user_id", sa.String(32), nullable=False),
        sa.Column("actor_team_id", sa.String(32), nullable=True),
        sa.Column("from_status", sa.String(24), nullable=False),
        sa.Column("to_status", sa.String(24), nullable=False),
        sa.Column("reason_code", sa.String(40), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
    )
    op.create_index("ix_item_event_item", "item_event", ["item"])
    op.execute(
        f"INSERT INTO item_event (item, {_EVENT_COLUMNS}) "
        f"SELECT 'R-' || referral_id, {_EVENT_COLUMNS} FROM referral_event ORDER BY id"
    )
    op.drop_table("referral_event")


def downgrade() -> None:
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
    op.execute(
        f"INSERT INTO referral_event (referral_id, {_EVENT_COLUMNS}) "
        f"SELECT CAST(substr(item, 3) AS INTEGER), {_EVENT_COLUMNS} FROM item_event "
        "WHERE item LIKE 'R-%' ORDER BY id"
    )
    op.drop_table("item_event")
    op.drop_table("consult")
