"""Which process runs the scheduler: on PostgreSQL the one holding a session-level advisory lock, on a
connection of its own; when that process dies or loses its connection the lock goes with it, and the next
process to ask takes it. Sends are idempotent by their database claims anyway; one scheduler keeps several
instances from doing every pass several times over. On SQLite there is one process."""

from __future__ import annotations

import logging

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from storage.db import Database

log = logging.getLogger(__name__)

# The advisory lock's key: the same in every instance of one office, which share a schema. Advisory locks
# belong to the whole database, so the key names the schema too: two offices (or two test schemas) in one
# database each have their own scheduler.
LOCK = "SELECT pg_try_advisory_lock(hashtextextended('liaison scheduler ' || current_schema(), 0))"


class Leadership:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._held: Connection | None = None

    def held(self) -> bool:
        """Whether this process leads now, taking the lead when nobody holds it."""
        if self.db.dialect != "postgresql":
            return True
        if self._held is not None:
            try:
                self._held.execute(text("SELECT 1"))
                return True
            except DBAPIError:
                log.warning("lost the scheduler's lock with its connection; asking again")
                self.release()
        try:
            conn = self.db.engine.connect()
        except DBAPIError:
            return False
        try:
            if conn.execute(text(LOCK)).scalar_one():
                conn.commit()
                self._held = conn
                log.info("this instance runs the scheduler")
                return True
        except DBAPIError:
            pass
        conn.close()
        return False

    def release(self) -> None:
        if self._held is not None:
            try:
                self._held.invalidate()  # the session ends, and the lock with it
            finally:
                self._held = None
