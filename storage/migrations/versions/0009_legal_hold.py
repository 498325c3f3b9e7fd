"""Legal holds: cases whose items' text is kept past the retention period.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "legal_hold",
        sa.Column("case_number", sa.String(64), primary_key=True),
        sa.Column("placed_by", sa.String(32), nullable=False),
        sa.Column("placed_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("legal_hold")
