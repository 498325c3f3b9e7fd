"""PostgreSQL: the mark of the lookups' tables is set as a write to them commits, not at the write.

A trigger that set it at the write held the mark's one row until the writer committed, so any two
transactions writing the directory, roles or closures waited on each other whole; and two that also met on
one row in opposite orders (an import beside a `partner edit`) deadlocked, one of them told that nothing
was saved. Deferred to the commit, the mark is the last lock a writer takes, held while it commits, and
waits for nothing: writers wait on each other only for the rows they share. A reader still sees the mark
and the changes together, at the commit. TRUNCATE cannot have a deferred trigger; it keeps the one it had
(it locks its whole table anyway). SQLite has one writer at a time and is unchanged.

The mark is set once a transaction (not for every row it wrote: a statement changing 40,000 rows took
12 s to commit that way), and its wait for the mark's row is bounded by a lock timeout: PostgreSQL does
not apply statement_timeout to a commit's own work, so without one a commit waiting on a long writer
would be cut by the watchdog, the person told that nothing was saved, and the change then committed.

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
# The function the triggers run, made by migration 0021: from now on it leaves the mark alone once this
# transaction has set it (the row's xmin is then its own), and waits at most 4 s for the mark's row (a
# statement gets 5, storage/db.py; PostgreSQL answers with 55P03, told as a busy database).
ONCE = (
    "CREATE OR REPLACE FUNCTION liaison_lookups_changed() RETURNS trigger LANGUAGE plpgsql "
    "SET lock_timeout = '4s' AS $$ BEGIN EXECUTE format('UPDATE %I.lookup_generation "
    "SET value = (random() * 9007199254740991)::bigint WHERE id = 1 AND xmin <> pg_current_xact_id()::xid', "
    "TG_TABLE_SCHEMA); RETURN NULL; END $$"
)
AT_EACH = (  # migration 0021's, as it was
    "CREATE OR REPLACE FUNCTION liaison_lookups_changed() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN EXECUTE format('UPDATE %I.lookup_generation SET value = (random() * 9007199254740991)::bigint "
    "WHERE id = 1', TG_TABLE_SCHEMA); RETURN NULL; END $$"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(POSTGRESQL_MARK)
    op.execute(ONCE)
    for table in TABLES:
        op.execute(f"DROP TRIGGER {table}_lookups_changed ON {table}")
        # Row by row: a deferred trigger cannot be for each statement.
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
    op.execute(AT_EACH)
    for table in TABLES:
        op.execute(f"DROP TRIGGER {table}_lookups_truncated ON {table}")
        op.execute(f"DROP TRIGGER {table}_lookups_changed ON {table}")
        op.execute(
            f"CREATE TRIGGER {table}_lookups_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION liaison_lookups_changed()"
        )
