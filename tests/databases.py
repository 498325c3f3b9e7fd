"""Test databases: a fresh SQLite file, or a fresh schema in the PostgreSQL at TEST_DATABASE_URL.

PostgreSQL tests are skipped, with the reason shown, when no server answers; with REQUIRE_POSTGRES=1
(as .ci/run sets) an unreachable server fails the run instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = ("sqlite", "postgresql")


def _require_postgres() -> None:
    engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        reason = (
            f"PostgreSQL not reachable at {POSTGRES_URL} ({type(exc.orig).__name__}); set TEST_DATABASE_URL"
        )
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"REQUIRE_POSTGRES=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    finally:
        engine.dispose()


@contextmanager
def database_url(backend: str, folder: Path) -> Iterator[str]:
    """A URL to an empty database of `backend`, removed afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'liaison.db'}"
        return
    _require_postgres()
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
