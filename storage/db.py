"""The database: engine, units of work, health check and migrations."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session, create_engine

from storage.crypto import Keyring
from storage.errors import DatabaseBusy, DatabaseUnavailable, PermissionDenied
from storage.types import KEYRING

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"


def _is_unreachable(exc: DBAPIError) -> bool:
    # OperationalError covers refused connections, a server going away and a locked SQLite file;
    # connection_invalidated is set when the pool noticed the server dropped us.
    return isinstance(exc, OperationalError) or exc.connection_invalidated


class Database:
    """One per process. Services take a Session from `session()`; nothing else holds connections."""

    def __init__(self, url: str, keyring: Keyring | None = None) -> None:
        """`keyring`: how stored free text is encrypted (None: it is stored as written)."""
        self.url = url
        self.engine = _create_engine(url)
        self.keyring = keyring
        setattr(self.engine.dialect, KEYRING, keyring)  # read by EncryptedText (storage/types.py)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back whole if anything fails.

        An unreachable database surfaces as DatabaseUnavailable so the person is told that nothing was
        saved, instead of seeing a timeout. A refusal rolls the work back but keeps its audit row: the
        only thing a refused action leaves behind.
        """
        try:
            with Session(self.engine, expire_on_commit=False) as session:
                try:
                    yield session
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise
        except PermissionDenied as refused:
            if refused.refusal is not None:
                with Session(self.engine) as session:
                    session.add(refused.refusal)
                    session.commit()
            raise
        except DBAPIError as exc:
            if _is_unreachable(exc):
                log.error("database unreachable: %s", exc.orig)
                raise DatabaseUnavailable(self.describe()) from exc
            raise
        except PoolTimeout as exc:  # every connection busy for longer than the pool waits
            log.error("no database connection free: %s", exc)
            raise DatabaseBusy() from exc

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except DBAPIError as exc:
            log.warning("database ping failed: %s", exc.orig)
            return False

    def upgrade(self, revision: str = "head") -> None:
        """Bring the schema to the newest migration, or to `revision` (safe to run from several instances
        at once)."""
        try:
            with self.engine.begin() as conn:
                config = _alembic_config()
                config.attributes["connection"] = conn
                command.upgrade(config, revision)
        except DBAPIError as exc:
            if _is_unreachable(exc):
                raise DatabaseUnavailable(self.describe()) from exc
            raise

    def revisions(self) -> tuple[str | None, str | None]:
        """(the schema's current migration, the newest this code knows)."""
        head = newest_revision()
        try:
            with self.engine.connect() as conn:
                return MigrationContext.configure(conn).get_current_revision(), head
        except DBAPIError as exc:
            if _is_unreachable(exc):
                raise DatabaseUnavailable(self.describe()) from exc
            raise

    def describe(self) -> str:
        """The URL without its password, for messages."""
        return make_url(self.url).render_as_string(hide_password=True)

    def dispose(self) -> None:
        self.engine.dispose()


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names, absolute; None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser().resolve()


def newest_revision() -> str | None:
    """The newest migration this code knows."""
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _create_engine(url: str) -> Engine:
    parsed = make_url(url)
    # pool_timeout stays SQLAlchemy's 30 s: an event (a thread reply) waits that long for a connection
    # rather than be dropped; a command still gets its "busy" answer after it (DatabaseBusy).
    # hide_parameters: an error about a statement must not quote the client's words it carried.
    kwargs: dict[str, Any] = {"pool_pre_ping": True, "hide_parameters": True}
    if parsed.drivername.startswith("sqlite"):
        # Bolt runs listeners on worker threads; SQLite's own check would refuse that.
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 15}
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    else:
        # Fail fast when PostgreSQL is down: the person is waiting for an answer.
        kwargs["connect_args"] = {"connect_timeout": 3}
        kwargs["pool_size"] = 10
    engine = create_engine(url, **kwargs)
    if parsed.drivername.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (health checks, digests) run beside a writer; foreign keys are off by default.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()
