"""Consent records: a client's consent to share identifying details with a partner, for a case.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consent",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_number", sa.String(64), nullable=False),
        sa.Column("partner_id", sa.Integer(), sa.ForeignKey("partner.id"), nullable=False),
        sa.Column("purpose", sa.String(200), nullable=False),
        sa.Column("scope", sa.String(200), nullable=False),
        sa.Column("given_by", sa.String(32), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_by", sa.String(32), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_consent_case_partner", "consent", ["case_number", "partner_id"])


def downgrade() -> None:
    op.drop_table("consent")
