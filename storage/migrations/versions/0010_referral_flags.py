"""Referral flags: do not contact the client directly; 42 CFR Part 2 (substance-use treatment records).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("referral") as batch:
        batch.add_column(sa.Column("do_not_contact", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("part2", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("referral") as batch:
        batch.drop_column("part2")
        batch.drop_column("do_not_contact")
