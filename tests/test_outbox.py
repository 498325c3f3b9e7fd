"""The outbox's rows on SQLite and PostgreSQL: taken once, retried with growing waits, and a card redraw
asked for while an older one is being sent is sent again rather than lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import outbox
from storage.db import Database
from storage.models import OutboxKind

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def _due(db: Database, at: datetime) -> list[str]:
    with db.session() as session:
        return [row.key for row in outbox.due(session, at)]


def test_a_row_is_taken_once_and_done_removes_it(db: Database) -> None:
    assert outbox.keep(db, OutboxKind.card, "card:R-1", "C1", NOW, item="R-1")
    assert not outbox.keep(db, OutboxKind.card, "card:R-1", "C1", NOW, item="R-1"), "one row per key"
    with db.session() as session:
        (row,) = outbox.due(session, NOW)
    with db.session() as session:  # another instance's tick read it too
        (other,) = outbox.due(session, NOW)
    with db.session() as session:
        assert outbox.take(session, row, NOW)
    with db.session() as session:
        assert not outbox.take(session, other, NOW), "a second taker finds it gone"
    with db.session() as session:
        outbox.done(session, row)
    assert _due(db, NOW + timedelta(days=1)) == []


def test_a_redraw_asked_for_while_one_is_being_sent_is_sent_again(db: Database) -> None:
    outbox.keep(db, OutboxKind.card, "card:R-2", "C1", NOW, item="R-2")
    with db.session() as session:
        (row,) = outbox.due(session, NOW)
        assert outbox.take(session, row, NOW)
    # While that redraw is drawn from the item as it was, the item changes and its card fails again:
    later = NOW + timedelta(seconds=1)
    assert not outbox.keep(db, OutboxKind.card, "card:R-2", "C1", later, item="R-2")
    with db.session() as session:
        outbox.done(session, row)
    assert _due(db, later) == ["card:R-2"], "the newer state is still to be drawn"


def test_failures_wait_longer_each_time_and_a_final_one_gives_up(db: Database) -> None:
    outbox.keep(db, OutboxKind.thread, "thread:R-3:a", "C1", NOW, item="R-3", thread_ts="1.2", text="hi")
    at = NOW
    for wait in (1, 2, 4):
        with db.session() as session:
            (row,) = outbox.due(session, at)
            assert outbox.take(session, row, at)
            assert outbox.failed(session, row, at, "internal_error", final=False)
        assert _due(db, at + timedelta(minutes=wait) - timedelta(seconds=1)) == []
        at += timedelta(minutes=wait)
        assert _due(db, at) == ["thread:R-3:a"]
    with db.session() as session:
        (row,) = outbox.due(session, at)
        assert outbox.take(session, row, at)
        assert not outbox.failed(session, row, at, "is_archived", final=True)
    assert _due(db, at + timedelta(days=1)) == []
