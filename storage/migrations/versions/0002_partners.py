"""Partner directory, partner teams, channel links, unknown-team notices.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "partner",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("handle", sa.String(40), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("contact_channels", sa.JSON(), nullable=False),
        sa.Column("contacts", sa.JSON(), nullable=False),
        sa.Column("mou_ref", sa.String(100), nullable=True),
        sa.Column("mou_starts", sa.Date(), nullable=True),
        sa.Column("mou_expires", sa.Date(), nullable=True),
        sa.Column("scope", sa.JSON(), nullable=False),
        sa.Column("identifying_allowed", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("on_slack", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "partner_team",
        sa.Column("team_id", sa.String(32), primary_key=True),
        sa.Column("partner_id", sa.Integer(), sa.ForeignKey("partner.id"), nullable=False),
    )
    op.create_index("ix_partner_team_partner_id", "partner_team", ["partner_id"])
    op.create_table(
        "channel_link",
        sa.Column("channel_id", sa.String(32), primary_key=True),
        sa.Column("partner_id", sa.Integer(), sa.ForeignKey("partner.id"), primary_key=True),
        sa.Column("linked_at", UTCDateTime(), nullable=False),
        sa.Column("linked_by", sa.String(32), nullable=False),
    )
    op.create_table(
        "unknown_team_notice",
        sa.Column("channel_id", sa.String(32), primary_key=True),
        sa.Column("team_id", sa.String(32), primary_key=True),
        sa.Column("noticed_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("unknown_team_notice")
    op.drop_table("channel_link")
    op.drop_table("partner_team")
    op.drop_table("partner")
