"""A mark of the latest change to the tables of read-mostly lookups (roles, closures): a new random number
each time, set by triggers so that no path that writes them can forget it. A worker remembers lookups
only while the mark stands (storage/lookups.py).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

TABLES = ("staff_role", "office_closure")  # storage/lookups.py FOLLOWED, as of this migration
# PostgreSQL: the changed table's own schema, not the writer's search_path, names the mark's table.
POSTGRESQL_MARK = (
    "EXECUTE format('UPDATE %I.lookup_generation SET value = (random() * 9007199254740991)::bigint "
    "WHERE id = 1', TG_TABLE_SCHEMA)"
)
SQLITE_MARK = "UPDATE lookup_generation SET value = random() WHERE id = 1"


def upgrade() -> None:
    op.create_table(
        "lookup_generation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("value", sa.BigInteger(), nullable=False),
    )
    # A random first mark too: one migrated down and up again must not start from the mark it had.
    first = (
        "(random() * 9007199254740991)::bigint" if op.get_bind().dialect.name == "postgresql" else "random()"
    )
    op.execute(f"INSERT INTO lookup_generation (id, value) VALUES (1, {first})")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION liaison_lookups_changed() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {POSTGRESQL_MARK}; RETURN NULL; END $$"
        )
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_lookups_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION liaison_lookups_changed()"
            )
        return
    for table in TABLES:  # SQLite's triggers are for each row, one event each
        for change in ("INSERT", "UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_{change.lower()}_lookups_changed AFTER {change} ON {table} "
                f"BEGIN {SQLITE_MARK}; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_lookups_changed ON {table}")
        op.execute("DROP FUNCTION liaison_lookups_changed()")
    else:
        for table in TABLES:
            for change in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {table}_{change}_lookups_changed")
    op.drop_table("lookup_generation")
