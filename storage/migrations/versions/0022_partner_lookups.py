"""The partner directory joins the read-mostly lookups: every change to partners, their Slack teams and
their channel links leaves a new mark too (storage/lookups.py), so a worker may remember them between
commands.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

TABLES = ("partner", "partner_team", "channel_link")  # added to storage/lookups.py FOLLOWED by this one
# Migration 0021's, as of then: a later change to it must not change what this one did.
SQLITE_MARK = "UPDATE lookup_generation SET value = random() WHERE id = 1"
POSTGRESQL_MARK = "UPDATE lookup_generation SET value = (random() * 9007199254740991)::bigint WHERE id = 1"


def new_mark() -> None:
    """Whatever a running worker remembered before the migration is forgotten: the directory may have
    changed meanwhile without the triggers (none were on its tables), or may change after a downgrade."""
    op.execute(POSTGRESQL_MARK if op.get_bind().dialect.name == "postgresql" else SQLITE_MARK)


def upgrade() -> None:
    new_mark()
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:  # the function migration 0021 made
            op.execute(
                f"CREATE TRIGGER {table}_lookups_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION liaison_lookups_changed()"
            )
        return
    for table in TABLES:
        for change in ("INSERT", "UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_{change.lower()}_lookups_changed AFTER {change} ON {table} "
                f"BEGIN {SQLITE_MARK}; END"
            )


def downgrade() -> None:
    new_mark()
    for table in TABLES:
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER {table}_lookups_changed ON {table}")
        else:
            for change in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {table}_{change}_lookups_changed")
