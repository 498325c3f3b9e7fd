"""A monthly report claimed per person and version: a contact of two partners gets each partner's report,
where (month, user_id) alone let only the first through. `version` is the partner's id, or 0 for the
office's own version (a NULL partner_id would not collide in a unique key, so two instances could both
send the office's).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

# PostgreSQL's own names for the unnamed unique keys (as migration 0017 made the first).
OLD_KEY, NEW_KEY = "report_sent_month_user_id_key", "report_sent_month_user_id_version_key"


def _unkeyed() -> sa.Table:
    """report_sent with `version` and no unique key: SQLite's copy of the table starts from this, since an
    unnamed unique key read back from SQLite cannot be dropped by name."""
    return sa.Table(
        "report_sent",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("partner_id", sa.Integer(), sa.ForeignKey("partner.id"), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("sent", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )


def upgrade() -> None:
    op.add_column("report_sent", sa.Column("version", sa.Integer(), nullable=False, server_default="0"))
    op.execute("UPDATE report_sent SET version = COALESCE(partner_id, 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("report_sent", "version", server_default=None)
        op.drop_constraint(OLD_KEY, "report_sent", type_="unique")
        op.create_unique_constraint(NEW_KEY, "report_sent", ["month", "user_id", "version"])
        return
    with op.batch_alter_table("report_sent", recreate="always", copy_from=_unkeyed()) as table:
        table.create_unique_constraint(NEW_KEY, ["month", "user_id", "version"])


def downgrade() -> None:
    # Back to one report per person and month: the first of each person's kept.
    op.execute(
        "DELETE FROM report_sent WHERE id NOT IN (SELECT MIN(id) FROM report_sent GROUP BY month, user_id)"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(NEW_KEY, "report_sent", type_="unique")
        op.create_unique_constraint(OLD_KEY, "report_sent", ["month", "user_id"])
        op.drop_column("report_sent", "version")
        return
    with op.batch_alter_table("report_sent", recreate="always", copy_from=_unkeyed()) as table:
        table.drop_column("version")
        table.create_unique_constraint(OLD_KEY, ["month", "user_id"])
