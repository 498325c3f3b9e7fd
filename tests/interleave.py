"""Transactions on PostgreSQL run side by side a statement at a time, in an order the caller chooses: each
on a connection and thread of its own, so one may wait on another's lock while the caller goes on. What
two writers do to each other (wait, or deadlock) is then shown, not left to timing. Used by the tests of
the lookups' mark (tests/test_lookup_marks.py) and by `bench writers`."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Mapping
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from storage.db import Database

WAITING = "SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = :pid"
_COMMIT = "commit"


class Transaction(threading.Thread):
    def __init__(self, db: Database) -> None:
        super().__init__(daemon=True)
        self.db = db
        self.conn = db.engine.connect()
        self.pid = self.conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        self.conn.commit()
        self.failure: DBAPIError | None = None  # a deadlock, say: the transaction was rolled back
        self._steps: queue.Queue[tuple[str, Mapping[str, Any]] | None] = queue.Queue()
        self._given = 0  # steps given
        self._done = 0  # steps run, or given up on after a failure
        self._changed = threading.Condition()
        self.start()

    def step(self, sql: str, params: Mapping[str, Any] | None = None) -> None:
        """Run `sql` in the transaction, returning once it has run (or failed) or waits on a lock."""
        with self._changed:
            self._given += 1
            wanted = self._given
        self._steps.put((sql, params or {}))
        deadline = time.monotonic() + 30
        while True:
            with self._changed:
                if self._changed.wait_for(lambda: self._done >= wanted, timeout=0.01):
                    return
            if self._waits_on_a_lock():
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"a statement neither ran nor waited: {sql}")

    def commit(self) -> None:
        self.step(_COMMIT)

    def finish(self) -> DBAPIError | None:
        """Until every step has run; what failed, if anything. Once more: the same answer."""
        if self.is_alive():
            self._steps.put(None)
        self.join(timeout=30)
        assert not self.is_alive(), "a transaction was still waiting after 30 s"
        self.conn.close()
        return self.failure

    def run(self) -> None:
        while (step := self._steps.get()) is not None:
            sql, params = step
            try:
                if self.failure is None:
                    self.conn.commit() if sql == _COMMIT else self.conn.execute(text(sql), params)
            except DBAPIError as error:
                self.failure = error
                self.conn.rollback()
            finally:
                with self._changed:
                    self._done += 1
                    self._changed.notify_all()

    def _waits_on_a_lock(self) -> bool:
        with self.db.engine.connect() as conn:
            return bool(conn.execute(text(WAITING), {"pid": self.pid}).scalar())
