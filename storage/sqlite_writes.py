"""One writer at a time on a SQLite file, across Liaison's processes, handed over as soon as it is free.

SQLite lets one connection write at a time. A connection that finds the file locked sleeps in SQLite's
busy handler, 1, 2, 5, 10, then up to 100 ms between tries, and learns nothing when the lock is freed.
With the front and its worker processes writing a few times per command, the writers ended up asleep
while the file was free: the machine was a third idle and referrals queued (`bench path`). So a
connection takes its *turn* before the first write of a transaction and gives it back when the
transaction ends: a thread waits on a lock of its own process, which wakes it at once, and one thread
per process waits on an flock of `<database>.writes`, tried every few milliseconds.

The turn is held exactly while SQLite's own write lock is (the sqlite3 module begins a transaction just
before the first write, and reads before it run outside one, holding nothing), so waiting for it cannot
deadlock with SQLite. A write never waits longer than the database's own timeout in all: a writer that
does not get its turn by then goes on, and SQLite's busy handler decides in what is left of it. A thread
that already holds the turn through another connection does not wait for itself.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
import time
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

SUFFIX = ".writes"
FIRST_WAIT = 0.00005  # seconds between tries of the flock, doubling up to LONGEST_WAIT
LONGEST_WAIT = 0.001
READS = ("SELECT", "PRAGMA", "EXPLAIN")  # anything else may write, and takes the turn


class WriteTurns:
    """The turns of one SQLite file's writers, in this process: one per file and timeout, shared by the
    engines on it (`for_file`), so a thread holding the turn through one never waits for itself."""

    @classmethod
    def for_file(cls, database: Path, timeout: float) -> WriteTurns:
        with _OPENING:
            key = (str(database.resolve()), timeout)
            turns = _OPEN.get(key)
            if turns is None:
                turns = _OPEN[key] = cls(database, timeout)
            return turns

    def __init__(self, database: Path, timeout: float) -> None:
        self.timeout = timeout
        self._fd = os.open(f"{database}{SUFFIX}", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        weakref.finalize(self, os.close, self._fd)  # once no engine on the file is left
        self._process = threading.Lock()  # one of this process's threads holds the flock
        self._holder: int | None = None  # that thread

    def install(self, engine: Engine) -> None:
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        event.listen(engine, "handle_error", lambda context: self._after(context.connection))

    def connection_class(self) -> type[sqlite3.Connection]:
        """sqlite3.connect's `factory`: connections that give the turn back when their transaction ends."""
        turns = self

        class TurnTaking(sqlite3.Connection):
            holds_turn = False
            waited = False  # its busy timeout is shortened by the time it waited for a turn

            def commit(self) -> None:
                try:
                    super().commit()
                finally:
                    turns.end(self)

            def rollback(self) -> None:
                try:
                    super().rollback()
                finally:
                    turns.end(self)

            def close(self) -> None:
                self.waited = False  # nothing to restore on a closed connection
                try:
                    super().close()
                finally:
                    turns.end(self)

        return TurnTaking

    def end(self, connection: Any) -> None:
        if connection.waited:
            connection.waited = False
            connection.execute(f"PRAGMA busy_timeout = {round(self.timeout * 1000)}")
        if connection.holds_turn:
            connection.holds_turn = False
            self._holder = None
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            self._process.release()

    def _before(self, conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        raw = conn.connection.dbapi_connection
        # Only a transaction's first write asks. One already writing without the turn (it went on after
        # its timeout) holds SQLite's lock: waiting now for a turn whose holder waits on that lock would
        # stall both, and every writer behind them, for a timeout each.
        if raw.holds_turn or raw.in_transaction or statement.lstrip()[:7].upper().startswith(READS):
            return
        if self._holder == threading.get_ident():  # a write nested in another: SQLite's timeout decides
            return
        started = time.monotonic()
        raw.holds_turn = self._take()
        if not raw.holds_turn:  # SQLite decides, in what is left of the one timeout a statement gets
            left = max(0.0, self.timeout - (time.monotonic() - started))
            raw.execute(f"PRAGMA busy_timeout = {round(left * 1000)}")
            raw.waited = True

    def _after(self, conn: Any, *_args: Any) -> None:
        """A write outside a transaction (autocommit), or one that failed before SQLite began one: no
        commit() or rollback() may come."""
        raw = conn.connection.dbapi_connection if conn is not None else None
        if raw is not None and (raw.holds_turn or raw.waited) and not raw.in_transaction:
            self.end(raw)

    def _take(self) -> bool:
        deadline = time.monotonic() + self.timeout
        if not self._process.acquire(timeout=self.timeout):
            return False
        try:
            wait = FIRST_WAIT
            while True:
                try:
                    fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    self._holder = threading.get_ident()
                    return True
                except BlockingIOError:
                    if time.monotonic() + wait > deadline:
                        break
                    time.sleep(wait)
                    wait = min(wait * 2, LONGEST_WAIT)
        except OSError:  # the file system refuses locks (ENOLCK): no turns, SQLite decides as it did
            log.warning("SQLite writers cannot take turns here: flock is refused", exc_info=True)
        except BaseException:
            self._process.release()
            raise
        self._process.release()
        return False


# Each file's turns in this process, while an engine on it is left.
_OPEN: weakref.WeakValueDictionary[tuple[str, float], WriteTurns] = weakref.WeakValueDictionary()
_OPENING = threading.Lock()
