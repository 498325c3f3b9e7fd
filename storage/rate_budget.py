"""Slack's rate budget, shared by every Liaison process on one database (bot/pacing.py): one app's limits
count every call it makes, whichever process makes it, so the instances on PostgreSQL (and `liaison tick`
run beside a bot), or the front and its worker process on SQLite, count their calls together. A paced
call (a bulk send) takes a slot in a short transaction that holds a lock: on PostgreSQL an advisory lock
on its budget's key, counting by the database's clock so that the machines agree on time; on SQLite the
database's one write lock, counting by this machine's clock, which every process on the file shares.

A person's command or click is never held back, so its calls need no answer from the budget: they are
counted together, in one insert at most every COUNT_SECONDS, rather than in a transaction of their own
before each call (two more transactions for every referral). A paced call writes them first, so its
own process's are always counted; another process's are seen at most COUNT_SECONDS late, which the
budget's 10% margin covers. Counts not yet written when a process stops, or while the database is away,
are lost: a call that then meets a 429 is waited out by the client's retry handler."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, insert, text
from sqlmodel import Session, col, select

from storage.db import Database
from storage.errors import LiaisonError
from storage.models import SlackCall
from storage.updates import table_of

log = logging.getLogger(__name__)

COUNT_SECONDS = 0.5


class SharedBudget:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._uncounted: list[str] = []  # the budgets of calls made and not yet written
        self._lock = threading.Lock()
        self._arrived = threading.Event()
        self._counter: threading.Thread | None = None
        self._closing = False
        self._longest = timedelta(minutes=1)  # the longest window asked for: older calls count for none

    def take(self, key: str, calls: int, seconds: float, *, wait_for_room: bool) -> float:
        """Take a slot in `key`'s budget (`calls` in any `seconds`) and return 0; or, when the budget is
        spent and the caller waits for room, take nothing and return how long until a slot frees. A caller
        that does not wait (a person's click) takes its slot anyway: it counts, it is never held back."""
        window = timedelta(seconds=seconds)
        self._longest = max(self._longest, window)
        if not wait_for_room:
            self._count_later(key)
            return 0.0
        self.count_now()
        with self.db.session() as session:
            if self.db.dialect == "postgresql":
                session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})
            now = self._now(session)
            session.execute(
                delete(SlackCall).where(col(SlackCall.key) == key, col(SlackCall.at) <= now - window)
            )
            if self.db.dialect == "sqlite":
                # That first write took the write lock: read the clock again, now that no other process
                # can take a slot before this one (one that did meanwhile has a later time than `now`).
                now = self._now(session)
            in_window = (col(SlackCall.key) == key, col(SlackCall.at) > now - window)
            taken = session.exec(select(func.count()).select_from(SlackCall).where(*in_window)).one()
            if taken < calls:
                session.add(SlackCall(key=key, at=now))
                return 0.0
            # A slot frees when enough of the oldest calls have left the window: read only that one call
            # (a busy minute holds thousands).
            oldest = select(SlackCall.at).where(*in_window).order_by(col(SlackCall.at))
            frees = session.exec(oldest.offset(taken - calls).limit(1)).one() + window
            wait: float = max((frees - now).total_seconds(), 0.001)
            return wait

    def count_now(self) -> None:
        """Write the calls made and not yet counted."""
        with self._lock:
            keys, self._uncounted = self._uncounted, []
        if not keys:
            return
        try:
            with self.db.session() as session:
                now = self._now(session)
                calls = table_of(SlackCall)
                session.execute(insert(calls), [{"key": key, "at": now} for key in keys])
                # Paced calls tidy their own budget's old calls; these budgets may have none.
                session.execute(delete(calls).where(calls.c.at <= now - self._longest))
        except LiaisonError:  # the database is away: these calls go uncounted (see the module's doc)
            log.warning("could not count %d Slack calls in the shared rate budget", len(keys))

    def _now(self, session: Session) -> datetime:
        if self.db.dialect == "postgresql":
            now: datetime = session.execute(select(func.clock_timestamp())).scalar_one()
            return now
        return datetime.now(UTC)

    def close(self) -> None:
        """Count what is left and stop counting in the background (a later call starts it again)."""
        with self._lock:
            counter, self._counter = self._counter, None
            self._closing = True
        if counter is not None:
            self._arrived.set()
            counter.join(timeout=5)
        with self._lock:
            self._closing = False
        self.count_now()

    def _count_later(self, key: str) -> None:
        with self._lock:
            self._uncounted.append(key)
            if self._counter is None and not self._closing:
                self._counter = threading.Thread(target=self._count, name="budget-count", daemon=True)
                self._counter.start()
        self._arrived.set()

    def _count(self) -> None:
        while self._arrived.wait():
            with self._lock:
                if self._closing:
                    return
            time.sleep(COUNT_SECONDS)  # the calls made meanwhile go in the same insert
            self._arrived.clear()
            try:
                self.count_now()
            except Exception:  # a bug or an unexpected database error: the next calls are counted again
                log.exception("could not count Slack calls in the shared rate budget")
