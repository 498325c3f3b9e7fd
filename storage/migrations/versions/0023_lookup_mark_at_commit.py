"""PostgreSQL: the mark of the lookups' tables is set as a write to them commits, not at the write.

A trigger that set it at the write held the mark's one row until the writer committed, so any two
transactions writing the directory, roles or closures waited on each other whole; and two that also met on
one row in opposite orders (an import beside a `partner edit`) deadlocked, one of them told that nothing
was saved. Deferred to the commit, the mark is the last lock a writer takes, held while it commits, and
waits for nothing: writers wait on each other only for the rows they share. A reader still sees the mark
and the changes together, at the commit. TRUNCATE cannot have a deferred trigger; it keeps the one it had
(it locks its whole table anyway). SQLite has one writer at a time and is unchanged.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

TABLES = ("staff_role", "office_closure", "partner", "partner_team", "channel_link")  # as of this migration
# As migration 0022's: whatever a running worker remembered is forgotten.
POSTGRESQL_MARK = "UPDATE lookup_generation SET value = (random() * 9007199254740991)::bigint WHERE id = 1"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(POSTGRESQL_MARK)
    for table in TABLES:  # liaison_lookups_changed(): migration 0021's function
        op.execute(f"DROP TRIGGER {table}_lookups_changed ON {table}")
        # Row by row (a deferred trigger cannot be for each statement): a mark for each row written, all
        # at the commit, in a transaction that holds the mark's row after the first.
        op.execute(
            f"CREATE CONSTRAINT TRIGGER {table}_lookups_changed AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION liaison_lookups_changed()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_lookups_truncated AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION liaison_lookups_changed()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(POSTGRESQL_MARK)
    for table in TABLES:
        op.execute(f"DROP TRIGGER {table}_lookups_truncated ON {table}")
        op.execute(f"DROP TRIGGER {table}_lookups_changed ON {table}")
        op.execute(
            f"CREATE TRIGGER {table}_lookups_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION liaison_lookups_changed()"
        )
