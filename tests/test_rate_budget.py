"""The rate budget several processes share on one database (storage/rate_budget.py): instances on
PostgreSQL, the front and its worker process on SQLite. A person's calls are counted without a transaction
each, yet a bulk send after them finds them counted."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select

from storage.db import Database
from storage.models import SlackCall
from storage.rate_budget import COUNT_SECONDS, SharedBudget
from storage.updates import table_of


def counted(db: Database, key: str) -> int:
    with db.session() as session:
        query = select(func.count()).select_from(SlackCall).where(SlackCall.key == key)
        return int(session.execute(query).scalar_one())


def test_a_bulk_send_finds_the_calls_people_just_made_counted(db: Database) -> None:
    budget = SharedBudget(db)
    for _ in range(3):
        assert budget.take("chat.postMessage:C1", 3, 5.0, wait_for_room=False) == 0.0
    wait = budget.take("chat.postMessage:C1", 3, 5.0, wait_for_room=True)
    assert 0 < wait <= 5.0, "the three calls fill the budget, so the bulk send waits for room"
    assert counted(db, "chat.postMessage:C1") == 3


def test_a_persons_calls_are_counted_soon_without_a_bulk_send(db: Database) -> None:
    budget, other = SharedBudget(db), SharedBudget(db)  # two processes' budgets
    budget.take("views.open", 81, 60.0, wait_for_room=False)
    budget.take("views.open", 81, 60.0, wait_for_room=False)
    deadline = time.monotonic() + 20 * COUNT_SECONDS
    while counted(db, "views.open") < 2 and time.monotonic() < deadline:
        time.sleep(COUNT_SECONDS / 5)
    assert counted(db, "views.open") == 2, "written by the counter, with no call of the other kind"
    assert other.take("views.open", 2, 60.0, wait_for_room=True) > 0, "the other process sees them"


def test_calls_older_than_every_window_are_forgotten(db: Database) -> None:
    old = {"key": "conversations.info", "at": datetime.now(UTC) - timedelta(minutes=2)}
    with db.session() as session:
        session.execute(insert(table_of(SlackCall)), [old])
    budget = SharedBudget(db)
    budget.take("conversations.info", 45, 60.0, wait_for_room=False)
    budget.count_now()
    assert counted(db, "conversations.info") == 1, "the old call is gone, the new one counted"


def test_processes_taking_slots_at_once_never_take_more_than_the_budget(db: Database) -> None:
    """Each Database is a process's own engine and connections; the lock (advisory on PostgreSQL, the write
    lock on SQLite) lets exactly `calls` of the many tries in one window through."""
    engines = [Database(db.url) for _ in range(2)]
    budgets = [SharedBudget(engine) for engine in engines]
    taken: list[float] = []

    def take_some(budget: SharedBudget) -> None:
        for _ in range(6):
            taken.append(budget.take("chat.postMessage:C9", 5, 60.0, wait_for_room=True))

    try:
        threads = [threading.Thread(target=take_some, args=(b,)) for b in budgets for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(taken) == 24
        assert taken.count(0.0) == 5, taken
        assert all(0 < wait <= 60.0 for wait in taken if wait), taken
        assert counted(engines[0], "chat.postMessage:C9") == 5
    finally:
        for engine in engines:
            engine.dispose()
