"""Which process runs the scheduler: on PostgreSQL the one holding a session-level advisory lock, on a
connection of its own; when that process dies or loses its connection the lock goes with it, and the next
process to ask takes it. Sends are idempotent by their database claims anyway; one scheduler keeps several
instances from doing every pass several times over. On SQLite there is one process."""

from __future__ import annotations

import logging

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from storage.db import Database

log = logging.getLogger(__name__)

# The advisory lock's key: the same in every instance of one office, which share a schema. Advisory locks
# belong to the whole database, so the key names the schema too: two offices (or two test schemas) in one
# database each have their own scheduler.
_KEY = "hashtextextended('liaison scheduler ' || current_schema(), 0)"
LOCK = f"SELECT pg_try_advisory_lock({_KEY})"
UNLOCK = f"SELECT pg_advisory_unlock({_KEY})"


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
                self._held.commit()  # not left idle in a transaction, which a server may time out
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
        """Give the lead up at once. Closing the connection alone would leave the lock to the server, which
        lets it go only when it notices the socket closed, a moment later; the next process asking in that
        moment would be refused."""
        if self._held is None:
            return
        try:
            self._held.execute(text(UNLOCK))
            self._held.commit()
        except SQLAlchemyError:
            pass  # the connection is gone already, and the lock with its session
        finally:
            try:
                self._held.invalidate()
            finally:
                self._held = None
