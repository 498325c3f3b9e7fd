"""Alembic environment: run by Database.upgrade() with an open connection (see storage/db.py)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text
from sqlmodel import SQLModel

import storage.tables  # noqa: F401  (every table, registered with SQLModel's metadata)

# Two instances starting together against one PostgreSQL must not both run a migration.
_PG_LOCK_KEY = 0x4C494149  # "LIAI"


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations with `liaison db upgrade`, which provides the connection")
    is_pg = connection.dialect.name == "postgresql"
    if is_pg:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
