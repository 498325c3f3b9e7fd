"""Acting on each delivery once. Slack never retries a slash command or a click, so the same signed
request arriving twice is a replay (an attacker's, or a proxy's), and a journalled event is applied once
however often the journal is replayed. The first to insert a key acts; everyone after it does nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, delete, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from storage.db import Database
from storage.models import Delivery
from storage.types import UTCDateTime
from storage.updates import table_of

# Bolt refuses a signature older than five minutes, so a request key can't be replayed after that.
REQUEST_KEPT = timedelta(minutes=10)
# A journal entry may wait out a long outage, and a crash may leave it to be replayed days later.
JOURNAL_KEPT = timedelta(days=30)


def first_time(db: Database, key: str, now: datetime, kept: timedelta = REQUEST_KEPT) -> bool:
    """Whether this is the first time `key` is seen (and, from now on, it has been)."""
    try:
        with db.session() as session:
            note(session, key, now, kept)
    except IntegrityError:
        return False
    return True


def note(session: Session, key: str, now: datetime, kept: timedelta, *, tidy: bool = True) -> None:
    """Record `key` in the caller's transaction (IntegrityError at commit when it is already there), so a
    delivery is marked done exactly when its work is; keys past their time go at the same time (`tidy`),
    unless the caller forgets them itself."""
    if tidy:
        forget_expired(session.connection(), now)
    session.add(Delivery(key=key, seen_at=now, expires_at=now + kept))
    session.flush()


def note_new(conn: Connection, keys: Sequence[str], now: datetime, kept: timedelta) -> set[str]:
    """On SQLite: record those of `keys` not noted before, in the caller's transaction and one statement,
    and say which they were. (PostgreSQL's front notes them in the statement that keeps its commands:
    storage/work.py.)"""
    rows = [{"key": key, "seen_at": now, "expires_at": now + kept} for key in dict.fromkeys(keys)]
    return set(conn.execute(_NOTE_NEW_SQLITE, rows).scalars().all())


def forget_expired(conn: Connection, now: datetime) -> None:
    conn.execute(_FORGET, {"now": now})


# The front runs these for every batch of commands it keeps: built once (building and keying a statement
# cost more than running it).
_delivery = table_of(Delivery)
_FORGET = delete(_delivery).where(_delivery.c.expires_at < bindparam("now", type_=UTCDateTime))
# INSERT OR IGNORE rather than ON CONFLICT DO NOTHING: SQLAlchemy cannot cache a statement with the
# latter, and compiled it anew for every batch (a third of what keeping a command cost the front). The
# table's only other constraints are NOT NULLs every row here meets.
_NOTE_NEW_SQLITE = insert(_delivery).prefix_with("OR IGNORE", dialect="sqlite").returning(_delivery.c.key)
