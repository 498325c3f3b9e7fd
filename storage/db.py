"""The database: engine, units of work, health check and migrations."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import NullPool
from sqlmodel import Session, create_engine

from storage.clock import REAL, Clock, running
from storage.crypto import Keyring
from storage.errors import ChangedMeanwhile, DatabaseBusy, DatabaseUnavailable, PermissionDenied
from storage.sqlite_writes import WriteTurns
from storage.types import KEYRING
from storage.watchdog import EXEMPT, WATCHDOG

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"

# How long Liaison waits for its database before telling the person nothing was saved. A statement (a
# lock held by another writer included) gets STATEMENT_SECONDS: PostgreSQL's statement_timeout, SQLite's
# busy timeout. A new PostgreSQL connection gets CONNECT_SECONDS (libpq's smallest). A free connection
# in the pool is waited for POOL_SECONDS; an event that gets none waits in the journal (bot/journal.py).
STATEMENT_SECONDS = 5
CONNECT_SECONDS = 2
POOL_SECONDS = 10
HEALTH_SECONDS = 1.5  # /healthz answers within 2 s, whatever the database does
# A call on an open PostgreSQL connection that has not come back this long after statement_timeout
# should have ended it is one the server is not answering: the watchdog cuts it.
WATCHDOG_SECONDS = STATEMENT_SECONDS + 5


# PostgreSQL's SQLSTATEs for a transaction it rolled back over a conflict with another: a deadlock, a
# serialization failure. Not an outage: the person is told someone changed the same records meanwhile.
ROLLED_BACK = ("40P01", "40001")
# A lock not had within lock_timeout (the lookups' mark at a commit, migration 0023): a busy database.
LOCK_TIMEOUT = "55P03"


# How the migrations' one transaction runs on PostgreSQL: a migration may rewrite a big table, so with no
# time limit; and with deferred triggers (the lookups' mark, migration 0023) fired at each statement, since
# PostgreSQL refuses to ALTER a table that has trigger events pending (a backfill, then a NOT NULL).
MIGRATING = ("SET LOCAL statement_timeout = 0", "SET CONSTRAINTS ALL IMMEDIATE")


def _busy(exc: DBAPIError) -> DatabaseBusy | None:
    """What to tell of a transaction PostgreSQL gave up over another writer (rolled back for a conflict,
    or out of time waiting for a lock); None for any other error. Checked before _is_unreachable: psycopg
    raises these as OperationalErrors too."""
    state = getattr(exc.orig, "sqlstate", None)
    if state in ROLLED_BACK:
        log.info("a transaction was rolled back for a conflict with another (SQLSTATE %s)", state)
        return ChangedMeanwhile()
    if state == LOCK_TIMEOUT:
        log.info("a transaction gave up waiting for a lock another writer held")
        return DatabaseBusy()
    return None


def _is_unreachable(exc: DBAPIError) -> bool:
    # OperationalError covers refused connections, a server going away and a locked SQLite file;
    # connection_invalidated is set when the pool noticed the server dropped us.
    return isinstance(exc, OperationalError) or exc.connection_invalidated


class Database:
    """One per process. Services take a Session from `session()`; nothing else holds connections."""

    def __init__(self, url: str, keyring: Keyring | None = None, clock: Clock = REAL) -> None:
        """`keyring`: how stored free text is encrypted (None: it is stored as written). `clock`: what
        "now" is for the rows written (storage/clock.py)."""
        self.url = url
        self.clock = clock
        self.engine = _create_engine(url)
        self.keyring = keyring
        setattr(self.engine.dialect, KEYRING, keyring)  # read by EncryptedText (storage/types.py)
        self._health: Engine | None = None  # a connection of its own each check (PostgreSQL)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def file(self) -> str | None:
        """The SQLite database's file (None: PostgreSQL, or SQLite in memory)."""
        path = self.engine.url.database if self.dialect == "sqlite" else None
        return path if path and path != ":memory:" else None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back whole if anything fails.

        An unreachable database surfaces as DatabaseUnavailable so the person is told that nothing was
        saved, instead of seeing a timeout. A refusal rolls the work back but keeps its audit row: the
        only thing a refused action leaves behind.
        """
        try:
            with self._told(), running(self.clock), Session(self.engine, expire_on_commit=False) as session:
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

    @contextmanager
    def statements(self) -> Iterator[Connection]:
        """For statements that each stand alone, needing no transaction around them (the work queue's,
        a card's ts): on PostgreSQL each is committed as it runs, without the round trips of BEGIN and
        COMMIT; on SQLite they share one transaction (one sync to disk). An unreachable database is told
        as session() tells it."""
        with self._told(), running(self.clock):
            if self.dialect == "postgresql":
                with self.engine.connect() as conn:
                    yield conn.execution_options(isolation_level="AUTOCOMMIT")
            else:
                with self.engine.begin() as conn:
                    yield conn

    @contextmanager
    def _told(self) -> Iterator[None]:
        """An unreachable or saturated database, or a transaction rolled back over a conflict, as the errors
        the person is told (nothing was saved)."""
        try:
            yield
        except DBAPIError as exc:
            if (busy := _busy(exc)) is not None:
                raise busy from exc
            if _is_unreachable(exc):
                log.error("database unreachable: %s", exc.orig)
                raise DatabaseUnavailable(self.describe()) from exc
            raise
        except PoolTimeout as exc:  # every connection busy for longer than the pool waits
            log.error("no database connection free: %s", exc)
            raise DatabaseBusy() from exc

    def ping(self) -> bool:
        """Whether the database answers now. On PostgreSQL over a new connection, as another instance or
        a restarted one would need: a pooled one can still answer while the server takes no new ones
        (its postmaster frozen). Bounded by CONNECT_SECONDS and a one-second statement timeout; the
        caller bounds it again (bot/server.py), since a frozen server answers no timeout at all."""
        try:
            if self.dialect == "sqlite":
                with self.engine.connect() as conn:
                    conn.execute(text("SELECT 1"))
                return True
            if self._health is None:
                self._health = _create_engine(self.url, pooled=False)
            with self._health.connect() as conn:
                conn.execute(text("SET statement_timeout = 1000"))
                conn.execute(text("SELECT 1"))
            return True
        except DBAPIError as exc:
            log.warning("database ping failed: %s", type(exc.orig).__name__)
            return False

    def upgrade(self, revision: str = "head") -> None:
        """Bring the schema to the newest migration, or to `revision` (safe to run from several instances
        at once)."""
        try:
            with self.engine.begin() as conn:
                if self.dialect == "postgresql":
                    conn.info[EXEMPT] = True
                    for setting in MIGRATING:
                        conn.execute(text(setting))
                try:
                    config = alembic_config()
                    config.attributes["connection"] = conn
                    command.upgrade(config, revision)
                finally:
                    conn.info.pop(EXEMPT, None)  # the pool's connection serves others next
        except DBAPIError as exc:
            if (busy := _busy(exc)) is not None:  # a migration that writes a followed table, say
                raise busy from exc
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
        if self._health is not None:
            self._health.dispose()


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names, absolute; None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser().resolve()


def newest_revision() -> str | None:
    """The newest migration this code knows."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _create_engine(url: str, *, pooled: bool = True) -> Engine:
    parsed = make_url(url)
    # hide_parameters: an error about a statement must not quote the client's words it carried.
    kwargs: dict[str, Any] = {"pool_pre_ping": True, "pool_timeout": POOL_SECONDS, "hide_parameters": True}
    turns: WriteTurns | None = None  # a SQLite file's writers take turns (storage/sqlite_writes.py)
    if parsed.drivername.startswith("sqlite"):
        # Bolt runs listeners on worker threads; SQLite's own check would refuse that.
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": STATEMENT_SECONDS}
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            turns = WriteTurns.for_file(Path(parsed.database).expanduser(), STATEMENT_SECONDS)
            kwargs["connect_args"]["factory"] = turns.connection_class()
        else:  # in memory: one connection per thread (SQLAlchemy's SingletonThreadPool), none to wait for
            del kwargs["pool_timeout"]
        kwargs["pool_pre_ping"] = False  # a file is not a server that may have dropped the connection
    else:
        kwargs["connect_args"] = {"connect_timeout": CONNECT_SECONDS, "application_name": application_name()}
        kwargs["pool_size"] = 10
    if not pooled:
        kwargs = {"poolclass": NullPool, "connect_args": kwargs["connect_args"], "hide_parameters": True}
    engine = create_engine(url, **kwargs)
    if parsed.drivername.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
        if turns is not None:
            turns.install(engine)
    else:
        event.listen(engine, "connect", _postgresql_timeouts)
        if pooled:
            WATCHDOG.install(engine, WATCHDOG_SECONDS, CONNECT_SECONDS)
    return engine


def application_name() -> str:
    """What this process's connections are called in pg_stat_activity: which Liaison process holds one."""
    return f"liaison-{os.getpid()}"


def _postgresql_timeouts(dbapi_connection: Any, _record: Any) -> None:
    """Set on each new connection rather than in the URL's `options`, which may carry the search_path."""
    cursor = dbapi_connection.cursor()
    cursor.execute(f"SET statement_timeout = {STATEMENT_SECONDS * 1000}")
    cursor.close()
    dbapi_connection.commit()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (health checks, digests) run beside a writer; foreign keys are off by default.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={STATEMENT_SECONDS * 1000}")
    cursor.close()
