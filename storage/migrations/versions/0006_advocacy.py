"""Advocacy action items.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "advocacy",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("campaign", sa.String(40), nullable=True),
        sa.Column("owners", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("requester_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("card_ts", sa.String(32), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_advocacy_campaign", "advocacy", ["campaign"])
    op.create_index("ix_advocacy_requester_id", "advocacy", ["requester_id"])
    op.create_index("ix_advocacy_status_due_at", "advocacy", ["status", "due_at"])


def downgrade() -> None:
    op.drop_table("advocacy")
