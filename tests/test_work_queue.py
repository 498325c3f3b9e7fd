"""The queue of kept commands (storage/work.py, bot/worker.py) on its own: two sets of workers on one
PostgreSQL queue do every command once; a lease that runs out gives a command to the next worker."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.worker import Workers
from storage import crypto, work
from storage.crypto import Keyring
from storage.db import Database
from storage.work import Kept
from tests.databases import BACKENDS, database_url
from tests.office import DATA_KEY

COMMANDS = 120


def keep(db: Database, n: int) -> int:
    return work.keep(db, f"key-{n}", "/liaison", {"text": f"whoami {n}"}, db.clock())


def test_a_replayed_request_is_not_kept_twice_and_each_knows_how_many_wait_ahead(db: Database) -> None:
    assert [keep(db, n) for n in range(3)] == [0, 1, 2]
    with pytest.raises(work.Replayed):
        keep(db, 1)
    assert work.waiting(db) == 3


def test_a_batch_keeps_each_new_key_once_and_none_seen_before(db: Database) -> None:
    """A burst kept in one transaction: a key seen in an earlier batch, or earlier in this one, is a
    replay; the others wait in order behind what was there, and are taken in that order."""
    keep(db, 0)
    batch = [work.ToKeep(f"key-{n}", "/liaison", {"text": f"whoami {n}"}) for n in (5, 1, 0, 2, 1, 3, 4)]
    kept = work.keep_all(db, batch, db.clock(), tidy=False)
    assert kept.ahead == [1, 2, None, 3, None, 4, 5]
    assert kept.head is not None
    taken = []
    while (one := work.take(db, db.clock())) is not None:
        taken.append(one.body["text"])
    assert taken == [f"whoami {n}" for n in (0, 5, 1, 2, 3, 4)]
    assert work.keep_all(db, batch[:2], db.clock()).ahead == [None, None], "the batch's keys are noted"
    again = work.ToKeep("key-6", "/liaison", {"text": "whoami 6"})
    first, second = work.keep_all(db, [again, again], db.clock()).ahead
    assert first is not None and second is None, "the same one twice: kept once, then a replay"


def test_what_a_kept_command_holds_is_encrypted_in_the_database(db_url: str) -> None:
    """The command's text is the client's matter: it is kept as the other free text is (storage/crypto.py),
    on PostgreSQL too, where a batch goes in as arrays of one statement."""
    keyed = Database(db_url, Keyring([DATA_KEY]))
    keyed.upgrade()
    try:
        said = "need:housing Client sleeps at the Eastside shelter"
        work.keep(keyed, "key-secret", "/referral", {"text": said}, keyed.clock())
        with keyed.engine.connect() as conn:
            (stored,) = conn.execute(text("SELECT payload FROM work")).one()
        assert "Eastside" not in stored and stored.startswith(crypto.MARK), stored[:40]
        taken = work.take(keyed, keyed.clock())
        assert taken is not None and taken.body == {"text": said}
    finally:
        keyed.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_worker_processes_on_one_queue_do_each_command_once(tmp_path: Path, backend: str) -> None:
    """Two processes' workers (their own engines): on PostgreSQL woken by NOTIFY, taking with SKIP
    LOCKED; on SQLite woken through their pipes as the front wakes them, taking under its write lock."""
    with database_url(backend, tmp_path) as url:
        first, second = Database(url), Database(url)  # two processes' own engines
        first.upgrade()
        done: Counter[str] = Counter()
        by: dict[str, set[str]] = {"first": set(), "second": set()}
        changed = threading.Condition()
        pipes = [os.pipe() for _ in range(2)] if backend == "sqlite" else []

        def doing(name: str, db: Database, woken_by: int | None) -> Workers:
            def do(kept: Kept) -> None:  # its row is the worker's to delete, as it takes the next
                with changed:
                    done[kept.body["text"]] += 1
                    by[name].add(kept.body["text"])
                    changed.notify_all()

            return Workers(db, db.clock, do, count=3, woken_by=woken_by)

        sets = [
            doing(name, db, pipes[n][0] if pipes else None)
            for n, (name, db) in enumerate([("first", first), ("second", second)])
        ]
        for workers in sets:
            workers.start()
        try:
            for n in range(COMMANDS):
                keep(first, n)
                for _, wake in pipes:
                    os.write(wake, b"w")
            with changed:
                changed.wait_for(lambda: sum(done.values()) >= COMMANDS, timeout=60)
        finally:
            for workers in sets:
                workers.stop()
            for pipe in pipes:
                for end in reversed(pipe):  # the writer first: the reader sees its end
                    os.close(end)
            assert work.waiting(first) == 0
            first.dispose()
            second.dispose()
        assert len(done) == COMMANDS and set(done.values()) == {1}, "each command done once"
        assert by["first"] and by["second"], "both took their share"


def test_a_command_whose_worker_stopped_is_taken_again_once_its_lease_runs_out(db: Database) -> None:
    keep(db, 1)
    now = db.clock()
    taken = work.take(db, now)
    assert taken is not None and taken.attempts == 1
    assert work.take(db, now + work.LEASE - timedelta(seconds=1)) is None, "still leased"
    again = work.take(db, now + work.LEASE + timedelta(seconds=1))
    assert again is not None and (again.id, again.attempts) == (taken.id, 2)
    work.done(db, again)
    assert work.take(db, now + 2 * work.LEASE) is None and work.waiting(db) == 0


def test_the_queue_head_the_front_paces_by_passes_a_command_whose_worker_died(db: Database) -> None:
    """The front judges the workers' pace by how the head moves (bot/front.py Progress): a command held by
    a dead worker must not stand at the head for its lease while others are done, or everyone is told
    they are queued; once its lease runs out it is free, and the head again."""
    for n in range(3):
        keep(db, n)
    now = db.clock()
    dead = work.take(db, now)
    done = work.take(db, now)
    assert dead is not None and done is not None
    work.done(db, done)
    head = work.keep_all(db, [work.ToKeep("key-9", "/liaison", {"text": "whoami 9"})], now, tidy=False).head
    third = work.take(db, now)
    assert third is not None and head == third.id != dead.id
    later = now + work.LEASE + timedelta(seconds=1)
    again = work.keep_all(db, [work.ToKeep("key-10", "/liaison", {"text": "whoami 10"})], later, tidy=False)
    assert again.head == dead.id


def test_a_worker_deletes_the_command_it_did_as_it_takes_the_next(db: Database) -> None:
    keep(db, 1)
    keep(db, 2)
    now = db.clock()
    first = work.take(db, now)
    assert first is not None and first.body["text"] == "whoami 1"
    second = work.take(db, now, finished=first)
    assert second is not None and second.body["text"] == "whoami 2"
    assert work.waiting(db) == 1, "the first is gone with the taking of the second"
    assert work.take(db, now, finished=second) is None and work.waiting(db) == 0


def test_a_command_finished_after_its_lease_ran_out_is_deleted_not_taken_again(db: Database) -> None:
    """Its worker was slow past the lease (and no other took it meanwhile): done is done."""
    keep(db, 1)
    first = work.take(db, db.clock())
    assert first is not None
    later = db.clock() + work.LEASE + timedelta(seconds=1)
    assert work.take(db, later, finished=first) is None
    assert work.waiting(db) == 0


def test_workers_leave_no_row_of_what_they_did_when_they_stop(db: Database) -> None:
    done: list[str] = []
    changed = threading.Condition()

    def do(kept: Kept) -> None:
        with changed:
            done.append(kept.body["text"])
            changed.notify_all()

    workers = Workers(db, db.clock, do, count=2)
    workers.start()
    try:
        for n in range(5):
            keep(db, n)
            workers.wake()
        with changed:
            assert changed.wait_for(lambda: len(done) == 5, timeout=30), done
    finally:
        workers.stop()
    assert sorted(done) == [f"whoami {n}" for n in range(5)]
    assert work.waiting(db) == 0, "each row went as its worker took the next"


def test_a_command_done_before_a_long_outage_is_not_done_again_after_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Its row could not be deleted while the database was away, and its lease ran out meanwhile: the
    worker that takes it next (here, most likely a sibling of the one that did it) only deletes it."""
    with database_url("sqlite", tmp_path) as url:
        db = Database(url)
        db.upgrade()
        keep(db, 1)
        later = [timedelta(0)]
        away = sqlite3.connect(str(tmp_path / "liaison.db"), isolation_level=None, check_same_thread=False)
        done: Counter[str] = Counter()
        changed = threading.Condition()

        def do(kept: Kept) -> None:
            with changed:
                done[kept.body["text"]] += 1
                if done[kept.body["text"]] == 1:
                    away.execute("BEGIN EXCLUSIVE")  # the database goes away as the command is done
                changed.notify_all()

        def failed() -> bool:
            return any("database unreachable" in r.getMessage() for r in caplog.records)

        workers = Workers(db, lambda: db.clock() + later[0], do, count=4)
        workers.start()
        try:
            workers.wake()
            with changed:
                assert changed.wait_for(lambda: done["whoami 1"] == 1, timeout=30)
            deadline = time.monotonic() + 30
            while not failed() and time.monotonic() < deadline:  # its row's delete has failed
                time.sleep(0.05)
            later[0] = work.LEASE + timedelta(seconds=5)  # and the outage outlasts the lease
            away.execute("ROLLBACK")
            workers.wake(4)
            deadline = time.monotonic() + 30
            while work.waiting(db) and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            workers.stop()
            away.close()
            db.dispose()
        assert failed(), "the database was away when the row was to be deleted"
        assert done["whoami 1"] == 1, f"done {done['whoami 1']} times"


def test_a_start_on_sqlite_gives_back_every_lease(tmp_path: Path) -> None:
    with database_url("sqlite", tmp_path) as url:
        db = Database(url)
        db.upgrade()
        keep(db, 1)
        assert work.take(db, db.clock()) is not None
        assert work.release_all(db) == 1
        again = work.take(db, db.clock())
        assert again is not None and again.attempts == 2
        db.dispose()


def test_the_store_that_saves_an_item_marks_the_running_command(db: Database) -> None:
    keep(db, 1)
    taken = work.take(db, db.clock())
    assert taken is not None
    with work.running(taken), db.session() as session:
        work.settle(session, "R-7")
    again = work.take(db, db.clock() + 2 * work.LEASE)
    assert again is not None and again.saved == "R-7"
    with db.session() as session:  # outside a worker nothing is marked
        work.settle(session, "R-8")
    last = work.take(db, db.clock() + 4 * work.LEASE)
    assert last is not None and last.saved == "R-7"


def test_a_command_still_in_hand_keeps_its_lease(db: Database) -> None:
    """A command slower than a lease (a long Retry-After) is not taken by another worker meanwhile."""
    keep(db, 1)
    now = db.clock()
    taken = work.take(db, now)
    assert taken is not None
    later = now + work.LEASE - timedelta(seconds=5)
    work.renew(db, [taken.key], later)
    assert work.take(db, now + work.LEASE + timedelta(seconds=5)) is None, "renewed: still in hand"
    assert work.take(db, later + work.LEASE + timedelta(seconds=1)) is not None, "until the renewal runs out"


def test_two_instances_keeping_the_same_keys_in_opposite_orders_never_deadlock(tmp_path: Path) -> None:
    """A replay of each of a batch's requests reaching another instance at the same moment, in the other
    order (PostgreSQL; SQLite has one writer): each key is kept once, and neither batch fails (a deadlock
    would tell every person in it that nothing was saved)."""
    with database_url("postgresql", tmp_path) as url:
        first, second = Database(url), Database(url)
        first.upgrade()
        failures: list[BaseException] = []
        kept: Counter[str] = Counter()
        try:
            for round_ in range(150):
                keys = [f"r{round_}-k{n}" for n in range(12)]
                start = threading.Barrier(2)

                def keep_in(db: Database, order: list[str], start: threading.Barrier = start) -> None:
                    start.wait()
                    try:
                        batch = work.keep_all(
                            db, [work.ToKeep(k, "/liaison", {"text": k}) for k in order], db.clock()
                        )
                        kept.update(
                            k for k, ahead in zip(order, batch.ahead, strict=True) if ahead is not None
                        )
                    except BaseException as error:  # the test's verdict, below
                        failures.append(error)

                threads = [
                    threading.Thread(target=keep_in, args=(first, keys)),
                    threading.Thread(target=keep_in, args=(second, keys[::-1])),
                ]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
        finally:
            first.dispose()
            second.dispose()
        assert failures == [], failures[:3]
        assert len(kept) == 150 * 12 and set(kept.values()) == {1}, "each key kept once, by one instance"
