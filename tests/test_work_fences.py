"""The fence on a kept command (storage/work.py): a worker stalled past its lease (an outage, a paused
process) whose command another worker took meanwhile stores nothing, deletes nothing, tells nobody of a
failure and does not stop the other's lease renewal; only the worker holding the command now acts for it."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import text

from bot import errors
from bot.worker import Workers
from storage import work
from storage.db import Database
from storage.errors import DatabaseUnavailable
from storage.work import Kept
from tests.test_work_queue import keep


def delivery_noted(db: Database, key: str) -> bool:
    with db.session() as session:
        found = session.execute(text("SELECT count(*) FROM delivery WHERE key = :key"), {"key": key})
        return bool(found.scalar_one())


def store_as(db: Database, kept: Kept, ref: str) -> None:
    """A unit of work storing an item for `kept` (a delivery key stands in for the item's rows)."""
    with work.running(kept), db.session() as session:
        session.execute(
            text("INSERT INTO delivery (key, seen_at, expires_at) VALUES (:key, :now, :now)"),
            {"key": f"item-{ref}", "now": db.clock()},
        )
        work.settle(session, ref)


def test_a_worker_stalled_past_its_lease_stores_nothing_once_another_has_its_command(db: Database) -> None:
    """Two workers hold one command: the first stalled (an outage, a paused process) past its lease and
    the second took it. Only the one holding it now may store its item; the other's store rolls back."""
    keep(db, 1)
    now = db.clock()
    stalled = work.take(db, now)
    assert stalled is not None
    current = work.take(db, now + work.LEASE + timedelta(seconds=1))
    assert current is not None and current.id == stalled.id and current.attempts == 2
    with pytest.raises(work.TakenOver):
        store_as(db, stalled, "R-1")
    assert not delivery_noted(db, "item-R-1"), "rolled back with the refusal"
    store_as(db, current, "R-2")
    assert delivery_noted(db, "item-R-2")
    with pytest.raises(work.TakenOver):  # nor after the current holder stored it
        store_as(db, stalled, "R-3")
    with pytest.raises(work.TakenOver):  # nor a second item for the same command by its current holder
        store_as(db, current, "R-4")
    work.done(db, current)
    with pytest.raises(work.TakenOver):  # nor once the command is done and its row gone
        store_as(db, stalled, "R-5")
    assert not any(delivery_noted(db, f"item-R-{n}") for n in (1, 3, 4, 5))


def test_a_command_on_a_reused_id_is_not_settled_by_the_worker_of_the_deleted_one(db: Database) -> None:
    """SQLite may give a deleted row's ID to the next command, taken at the same count of attempts: the
    key tells them apart."""
    keep(db, 1)
    now = db.clock()
    stalled = work.take(db, now)
    took_over = work.take(db, now + work.LEASE + timedelta(seconds=1))
    assert stalled is not None and took_over is not None
    work.done(db, took_over)
    keep(db, 2)
    newer = work.take(db, now + work.LEASE + timedelta(seconds=2))
    assert newer is not None and newer.attempts == stalled.attempts
    with pytest.raises(work.TakenOver):
        store_as(db, stalled, "R-1")
    store_as(db, newer, "R-2")
    assert [delivery_noted(db, f"item-R-{n}") for n in (1, 2)] == [False, True]


def test_a_stalled_worker_neither_holds_nor_deletes_the_command_another_took(db: Database) -> None:
    keep(db, 1)
    now = db.clock()
    stalled = work.take(db, now)
    assert stalled is not None and work.held(db, stalled)
    later = now + work.LEASE + timedelta(seconds=1)
    current = work.take(db, later)
    assert current is not None
    assert not work.held(db, stalled) and work.held(db, current)
    work.done(db, stalled)
    assert work.waiting(db) == 1, "the row is the current worker's to delete"
    assert work.take(db, later + timedelta(seconds=1)) is None, "and it still holds it"
    work.done(db, current)
    assert work.waiting(db) == 0 and not work.held(db, current)


def test_a_failure_of_a_command_another_worker_took_over_is_not_told(db: Database) -> None:
    """The stalled worker's failure (say the database was away) would contradict the answer of the worker
    that did the command: it is TakenOver, which its worker logs, and nobody is told."""
    with pytest.raises(work.TakenOver), errors.reported_to(None, still_ours=lambda: False):
        raise DatabaseUnavailable("Liaison can't reach its database right now; nothing was saved.")
    with errors.reported_to(None, still_ours=lambda: True):  # told (here to nobody): no exception
        raise DatabaseUnavailable("Liaison can't reach its database right now; nothing was saved.")


def test_a_worker_taken_over_by_a_sibling_leaves_the_siblings_lease_renewed(db: Database) -> None:
    """Two workers of one process hold one command: the first stalled past its lease (its renewals failed
    meanwhile), the second took it. The first's TakenOver must not stop the renewal of the second's."""
    later = [timedelta(0)]
    go_on = {1: threading.Event(), 2: threading.Event()}
    started = {1: threading.Event(), 2: threading.Event()}
    outcome: dict[int, str] = {}

    def do(kept: Kept) -> None:
        started[kept.attempts].set()
        assert go_on[kept.attempts].wait(30)
        try:
            store_as(db, kept, f"R-{kept.attempts}")
            outcome[kept.attempts] = "stored"
        except work.TakenOver:
            outcome[kept.attempts] = "taken over"
            raise

    workers = Workers(db, lambda: db.clock() + later[0], do, count=2)
    workers.start()
    try:
        keep(db, 1)
        workers.wake()
        assert started[1].wait(30)
        later[0] = work.LEASE + timedelta(seconds=5)  # no renewal came (RENEW_SECONDS is longer than this)
        workers.wake()
        assert started[2].wait(30), "the sibling took the command over"
        go_on[1].set()
        deadline = time.monotonic() + 30
        while 1 not in outcome and time.monotonic() < deadline:
            time.sleep(0.02)
        assert outcome.get(1) == "taken over"
        assert workers.in_hand() == {"key-1": 2}, "the sibling's lease is still renewed"
        go_on[2].set()
        deadline = time.monotonic() + 30
        while 2 not in outcome and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        for event in go_on.values():
            event.set()
        workers.stop()
    assert outcome == {1: "taken over", 2: "stored"}
    assert [delivery_noted(db, f"item-R-{n}") for n in (1, 2)] == [False, True]
