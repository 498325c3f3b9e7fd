"""Failing fast when PostgreSQL stops answering on a connection that is already open. Its own timeouts
(statement_timeout) run on the server, so a server that is frozen (its processes stopped, its disk hung)
never fires them; and the kernel still acknowledges what is sent, so TCP's timeouts never fire either.
The watchdog gives each call on a connection a deadline and, past it, shuts the connection's socket:
the waiting driver wakes with "server closed the connection", and the person is told nothing was saved
instead of waiting for ever. The deadline is well past statement_timeout, so a live server always
answers (or cancels) first."""

from __future__ import annotations

import logging
import select
import socket
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)
FRESH_SECONDS = 1.0  # a connection given back this recently is not pinged again before its next use
EXEMPT = "liaison_no_watchdog"  # in a connection's info: a migration, which may take as long as it takes


class Watchdog:
    """One per process: a thread, started on first use, looking four times a second."""

    def __init__(self) -> None:
        self._watched: dict[int, tuple[Any, float]] = {}  # id(dbapi connection) -> (it, when to cut)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def watch(self, dbapi_connection: Any, seconds: float) -> None:
        with self._lock:
            when = time.monotonic() + seconds
            self._watched[id(dbapi_connection)] = (dbapi_connection, when)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="db-watchdog", daemon=True)
                self._thread.start()

    def release(self, dbapi_connection: Any) -> None:
        with self._lock:
            self._watched.pop(id(dbapi_connection), None)

    @contextmanager
    def watching(self, dbapi_connection: Any, seconds: float) -> Iterator[None]:
        self.watch(dbapi_connection, seconds)
        try:
            yield
        finally:
            self.release(dbapi_connection)

    def _run(self) -> None:
        while True:
            time.sleep(0.25)
            now = time.monotonic()
            with self._lock:
                late = [conn for conn, when in self._watched.values() if when <= now]
                for conn in late:
                    self._watched.pop(id(conn), None)
            for conn in late:
                _cut(conn)

    def install(self, engine: Engine, seconds: float, ping_seconds: float) -> None:
        """Give every statement, commit and rollback on the engine's connections `seconds`, and the pool's
        ping before each checkout (a SELECT 1) `ping_seconds`; a connection given back within
        FRESH_SECONDS is not pinged."""

        def busy(conn: Any, *_args: Any) -> None:
            # An invalidated connection (the server dropped it mid-transaction) has nothing to watch, and
            # asking for its info raises: the rollback that follows would fail, and its error would hide
            # the database's (a partner's reply in the journal was dropped instead of kept).
            if not conn.invalidated and not conn.info.get(EXEMPT):
                self.watch(conn.connection.dbapi_connection, seconds)

        def idle(conn: Any, *_args: Any) -> None:
            if not conn.invalidated:
                self.release(conn.connection.dbapi_connection)

        event.listen(engine, "before_cursor_execute", busy)
        event.listen(engine, "after_cursor_execute", idle)
        event.listen(engine, "commit", busy)
        event.listen(engine, "rollback", busy)
        event.listen(engine, "handle_error", lambda context: _release_failed(self, context))
        # Returned to the pool, a connection is rolled back (after "reset") and then checked in.
        event.listen(engine.pool, "reset", lambda dbapi_connection, *_: self.watch(dbapi_connection, seconds))
        event.listen(engine.pool, "checkin", lambda dbapi_connection, *_: self.release(dbapi_connection))
        ping = engine.dialect.do_ping
        given_back: weakref.WeakKeyDictionary[Any, float] = weakref.WeakKeyDictionary()

        def note_given_back(dbapi_connection: Any, *_: Any) -> None:
            if dbapi_connection is not None:  # None: it was invalidated, and is not pooled again
                given_back[dbapi_connection] = time.monotonic()

        def watched_ping(dbapi_connection: Any) -> bool:
            # A connection given back a moment ago answered then (its reset's rollback), and one the
            # server has dropped since has something to read (its goodbye, or the end of the stream):
            # asking again was one round trip more for each of a command's transactions. Otherwise the
            # ping finds a server that went away meanwhile, and the pool reconnects.
            recent = time.monotonic() - given_back.get(dbapi_connection, -FRESH_SECONDS) < FRESH_SECONDS
            if recent and not _has_news(dbapi_connection):
                return True
            with self.watching(dbapi_connection, ping_seconds):
                return bool(ping(dbapi_connection))

        event.listen(engine.pool, "checkin", note_given_back)

        # The pool's pre-ping calls the dialect's do_ping before each checkout; it has no event to hook.
        engine.dialect.do_ping = watched_ping  # type: ignore[method-assign]  # (the hook is this assignment)


def _has_news(dbapi_connection: Any) -> bool:
    """Whether the server has sent anything on an idle connection: only a dropped one's does."""
    try:
        readable, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
    except (OSError, ValueError):  # closed meanwhile
        return True
    return bool(readable)


def _release_failed(watchdog: Watchdog, context: Any) -> None:
    if context.connection is not None and context.connection.connection is not None:
        watchdog.release(context.connection.connection.dbapi_connection)


def _cut(dbapi_connection: Any) -> None:
    """Shut the connection's socket (a duplicate of its descriptor, so the driver still owns and closes
    the original): whoever waits on it wakes with an error."""
    try:
        if getattr(dbapi_connection, "closed", False):
            return
        descriptor = dbapi_connection.fileno()
        with socket.socket(fileno=socket.dup(descriptor)) as sock:
            sock.shutdown(socket.SHUT_RDWR)
        log.error("the database did not answer on an open connection in time; it was cut")
    except (OSError, ValueError) as exc:  # already closed meanwhile
        log.warning("could not cut a database connection that did not answer: %s", exc)


WATCHDOG = Watchdog()
