"""The office's own closures (storage/court_calendar.py): weekdays it does not work though no public
holiday falls on them, with the reason people are told when a deadline moves off one.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "office_closure",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("closed_by", sa.String(32), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("office_closure")
