"""The rate budget several instances share on PostgreSQL (storage/rate_budget.py): a person's calls are
counted without a transaction each, yet a bulk send after them finds them counted."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from storage.db import Database
from storage.models import SlackCall
from storage.rate_budget import COUNT_SECONDS, SharedBudget
from storage.updates import table_of
from tests.databases import database_url


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """Only PostgreSQL: on SQLite, the one process counts its calls itself (bot/pacing.py)."""
    with database_url("postgresql", tmp_path) as url:
        yield url


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
    with db.session() as session:
        now = session.execute(select(func.clock_timestamp())).scalar_one()
        old = {"key": "conversations.info", "at": now - timedelta(minutes=2)}
        session.execute(insert(table_of(SlackCall)), [old])
    budget = SharedBudget(db)
    budget.take("conversations.info", 45, 60.0, wait_for_room=False)
    budget.count_now()
    assert counted(db, "conversations.info") == 1, "the old call is gone, the new one counted"
