"""SQLite writers take turns (storage/sqlite_writes.py): the turn is held from a transaction's first write
to its end, a waiting writer goes on the moment it is given back, and no writer waits past its timeout
or for itself. The turn is an flock on `<database>.writes`, which the tests try from outside."""

from __future__ import annotations

import errno
import fcntl
import gc
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from storage import sqlite_writes
from storage.db import Database
from storage.sqlite_writes import SUFFIX, WriteTurns


@contextmanager
def engine_on(path: Path, timeout: float = 5.0) -> Iterator[Engine]:
    turns = WriteTurns.for_file(path, timeout)
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"check_same_thread": False, "timeout": timeout, "factory": turns.connection_class()},
    )
    turns.install(engine)
    try:
        yield engine
    finally:
        engine.dispose()


def turn_is_free(path: Path) -> bool:
    """Whether a writer of another process could take the turn now."""
    fd = os.open(f"{path}{SUFFIX}", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing the descriptor gives the flock back


@pytest.fixture
def path(tmp_path: Path) -> Path:
    path = tmp_path / "turns.db"
    with engine_on(path) as engine, engine.begin() as conn:
        conn.execute(text("PRAGMA journal_mode=WAL"))
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    return path


def test_the_turn_is_held_from_the_first_write_to_the_commit(path: Path) -> None:
    with engine_on(path) as engine:
        with engine.connect() as conn:
            conn.execute(text("SELECT count(*) FROM t"))
            assert turn_is_free(path), "a read takes no turn"
            conn.execute(text("INSERT INTO t VALUES (1)"))
            assert not turn_is_free(path)
            conn.execute(text("UPDATE t SET n = 2"))
            conn.commit()
            assert turn_is_free(path)
            conn.execute(text("DELETE FROM t"))
            assert not turn_is_free(path)
            conn.rollback()
            assert turn_is_free(path)
            conn.execute(text("INSERT INTO t VALUES (3)"))
        assert turn_is_free(path), "a connection given back to the pool mid-transaction is rolled back"
        with engine.connect() as conn:
            assert conn.execute(text("SELECT n FROM t")).scalars().all() == [2]


def test_a_failed_write_gives_the_turn_back(path: Path) -> None:
    with engine_on(path) as engine, engine.connect() as conn:
        with pytest.raises(OperationalError):
            conn.execute(text("INSERT INTO no_such_table VALUES (1)"))
        conn.rollback()
        assert turn_is_free(path)


def test_a_database_session_holds_the_turn_only_while_it_writes(path: Path) -> None:
    db = Database(f"sqlite:///{path}")
    try:
        with db.session() as session:
            session.execute(text("INSERT INTO t VALUES (1)"))
            assert not turn_is_free(path)
        assert turn_is_free(path)
        with pytest.raises(ZeroDivisionError), db.session() as session:
            session.execute(text("INSERT INTO t VALUES (2)"))
            1 / 0  # noqa: B018 - the unit of work fails after its write
        assert turn_is_free(path)
    finally:
        db.dispose()


def test_writers_of_two_engines_wait_for_each_other_and_all_their_writes_land(path: Path) -> None:
    """Two engines stand for two processes (each has its own flock): 4 threads each, 50 transactions
    per thread of a read and two writes; none fails with "database is locked", none is lost."""
    failures: list[BaseException] = []

    def write(engine: Engine, n: int) -> None:
        try:
            for k in range(50):
                with engine.begin() as conn:
                    conn.execute(text("SELECT count(*) FROM t")).scalar_one()
                    conn.execute(text("INSERT INTO t VALUES (:n)"), {"n": n * 1000 + k})
                    conn.execute(text("UPDATE t SET n = n WHERE n = :n"), {"n": n * 1000 + k})
        except BaseException as exc:
            failures.append(exc)

    with engine_on(path) as first, engine_on(path) as second:
        threads = [
            threading.Thread(target=write, args=(engine, n)) for n, engine in enumerate([first, second] * 4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not failures, failures
        with first.connect() as conn:
            assert conn.execute(text("SELECT count(DISTINCT n) FROM t")).scalar_one() == 8 * 50
    assert turn_is_free(path)


def test_a_writer_whose_turn_does_not_come_goes_on_after_its_timeout(path: Path) -> None:
    """The turn held by a process that is not writing (here the test's own descriptor): the writer waits
    its timeout, then writes, since SQLite itself is free; it never waits for ever."""
    fd = os.open(f"{path}{SUFFIX}", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        with engine_on(path, timeout=0.3) as engine:
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO t VALUES (7)"))
            with engine.connect() as conn:
                assert conn.execute(text("SELECT n FROM t")).scalars().all() == [7]
    finally:
        os.close(fd)


def test_a_transaction_that_went_on_without_its_turn_does_not_ask_for_it_again(path: Path) -> None:
    """It holds SQLite's lock: asking for the turn mid-transaction, while the turn's next holder waits on
    that lock, stalled both for a timeout each, and every writer behind them (a bot whose worker had been
    stopped and continued never recovered)."""
    fd = os.open(f"{path}{SUFFIX}", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    with engine_on(path, timeout=0.2) as engine, engine.connect() as conn:
        conn.execute(text("INSERT INTO t VALUES (1)"))  # waits out its turn, then writes without it
        os.close(fd)  # the turn is free now
        conn.execute(text("INSERT INTO t VALUES (2)"))
        assert turn_is_free(path), "the second write took the turn in the middle of the transaction"
        conn.commit()
        assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == 2


def test_a_write_nested_in_another_of_the_same_thread_fails_rather_than_waiting_for_itself(
    path: Path,
) -> None:
    """A bug, but one that must end: the inner write does not wait for the turn its own thread holds;
    SQLite's busy timeout refuses it, and the outer transaction is unharmed."""
    with engine_on(path, timeout=0.3) as engine, engine.connect() as outer:
        outer.execute(text("INSERT INTO t VALUES (1)"))
        with pytest.raises(OperationalError, match="locked"), engine.connect() as inner:
            inner.execute(text("INSERT INTO t VALUES (2)"))
        outer.commit()
        assert outer.execute(text("SELECT n FROM t")).scalars().all() == [1]
    assert turn_is_free(path)


def test_a_writer_that_waited_out_its_turn_gets_only_what_is_left_of_its_timeout_from_sqlite(
    path: Path,
) -> None:
    """One timeout in all (the database's 5 s): the wait for the turn and SQLite's busy handler share it,
    and the connection's own timeout is whole again once its transaction ends."""
    fd = os.open(f"{path}{SUFFIX}", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        with engine_on(path, timeout=0.3) as engine, engine.connect() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))  # the turn never came; SQLite was free
            assert conn.execute(text("PRAGMA busy_timeout")).scalar_one() < 300
            conn.commit()
            assert conn.execute(text("PRAGMA busy_timeout")).scalar_one() == 300
    finally:
        os.close(fd)


def test_a_file_system_that_refuses_locks_leaves_sqlite_to_decide_and_holds_nothing(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """flock failing with ENOLCK (some network file systems): the write goes on without a turn, and the
    process's own lock is not left held, so the next writer does not wait out a timeout."""
    refused = OSError(errno.ENOLCK, "No locks available")

    def no_locks(_fd: int, _operation: int) -> None:
        raise refused

    with engine_on(path) as engine:
        monkeypatch.setattr(sqlite_writes.fcntl, "flock", no_locks)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
        monkeypatch.undo()
        turns = WriteTurns.for_file(path, 5.0)
        assert not turns._process.locked()
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (2)"))
            assert not turn_is_free(path), "turns are taken again once flock works"


def test_engines_on_one_file_share_its_turns_and_none_is_left_open_once_they_are_gone(
    tmp_path: Path,
) -> None:
    def descriptors() -> int:
        return len(os.listdir("/proc/self/fd"))

    before = descriptors()
    for n in range(30):
        db = Database(f"sqlite:///{tmp_path / f'd{n % 3}.db'}")
        with db.session() as session:
            session.execute(text("CREATE TABLE IF NOT EXISTS t (n INTEGER)"))
            session.execute(text("INSERT INTO t VALUES (1)"))
        db.dispose()
        del db
    gc.collect()
    assert descriptors() <= before + 1, "each Database left its .writes file open"
