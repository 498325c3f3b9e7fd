"""Slack's rate budget, shared by every Liaison instance on one PostgreSQL database (bot/pacing.py): one
app's limits count every call it makes, whichever process makes it, so the instances, and `liaison tick`
run beside a bot, count their calls together. Each call takes a slot in a short transaction that holds
an advisory lock on its budget's key, counting by the database's clock, so the processes agree on time."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, text
from sqlmodel import col, select

from storage.db import Database
from storage.models import SlackCall


class SharedBudget:
    def __init__(self, db: Database) -> None:
        self.db = db

    def take(self, key: str, calls: int, seconds: float, *, wait_for_room: bool) -> float:
        """Take a slot in `key`'s budget (`calls` in any `seconds`) and return 0; or, when the budget is
        spent and the caller waits for room, take nothing and return how long until a slot frees. A caller
        that does not wait (a person's click) takes its slot anyway: it counts, it is never held back."""
        window = timedelta(seconds=seconds)
        with self.db.session() as session:
            session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})
            now = session.execute(select(func.clock_timestamp())).scalar_one()
            session.execute(
                delete(SlackCall).where(col(SlackCall.key) == key, col(SlackCall.at) <= now - window)
            )
            in_window = (col(SlackCall.key) == key, col(SlackCall.at) > now - window)
            taken = session.exec(select(func.count()).select_from(SlackCall).where(*in_window)).one()
            if taken < calls or not wait_for_room:
                session.add(SlackCall(key=key, at=now))
                return 0.0
            # A slot frees when enough of the oldest calls have left the window: read only that one call
            # (a busy minute holds thousands).
            oldest = select(SlackCall.at).where(*in_window).order_by(col(SlackCall.at))
            frees = session.exec(oldest.offset(taken - calls).limit(1)).one() + window
            wait: float = max((frees - now).total_seconds(), 0.001)
            return wait
