"""Commands kept for the workers: the durable hand-off between the front that acknowledges Slack and the
workers that do what was asked (bot/worker.py). Slack never retries a slash command, so a command is
acknowledged only once it is kept here, in the same transaction that notes its delivery key (a replay
of the same request then finds the key and is not kept twice).

A row is taken with a lease; a worker that dies leaves it to be taken again once the lease runs out. The
transaction that stores a new item also records the item on its row (`settle`), so a command whose
worker died after storing is not done twice: the next worker only tells the person what was saved. A
row is deleted once its command is done: it holds what the person typed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, or_, text, update
from sqlmodel import Field, Session, SQLModel, col, select

from storage import deliveries
from storage.db import Database
from storage.types import EncryptedText, UTCDateTime
from storage.updates import table_of

LEASE = timedelta(seconds=60)  # renewed every RENEW_SECONDS while its worker is at it (bot/worker.py)
GIVE_UP_AFTER = 5  # a command whose worker stopped this often is not tried again (it may be what kills it)
CHANNEL = "liaison_work"  # PostgreSQL's NOTIFY channel: a worker waiting on it wakes for a new row


class Work(SQLModel, table=True):
    __tablename__ = "work"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=80, unique=True)  # the request's delivery key (storage/deliveries.py)
    command: str = Field(max_length=32)
    payload: str = Field(sa_type=EncryptedText, nullable=False)  # Slack's request, as JSON
    kept_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    attempts: int = 0
    saved: str | None = Field(default=None, max_length=16)  # the item its command stored (`R-12`)


@dataclass(frozen=True)
class Kept:
    """A command as a worker takes it."""

    id: int
    key: str  # the request's delivery key: the row's for good (SQLite may give a deleted row's ID again)
    command: str
    body: dict[str, Any]
    attempts: int  # counting this one
    saved: str | None  # set: a worker stored this item and stopped before it was done


class Replayed(Exception):
    """The command's delivery key was seen before: a replay of a request already acted on."""


@dataclass(frozen=True)
class ToKeep:
    key: str  # the request's delivery key
    command: str
    body: Mapping[str, Any]


@dataclass(frozen=True)
class Batch:
    ahead: list[int | None]  # for each command, how many wait ahead of it; None: a replay, not kept
    # The oldest command still waiting before this batch (every one with a lower ID is done): how far the
    # workers have got. None: none was waiting.
    head: int | None


def keep(session: Session, key: str, command: str, body: Mapping[str, Any], now: datetime) -> int:
    """Keep one command in the caller's transaction: how many wait ahead of it; Replayed for a replay."""
    (ahead,) = keep_all(session, [ToKeep(key, command, body)], now).ahead
    if ahead is None:
        raise Replayed(key)
    return ahead


def keep_all(session: Session, commands: Sequence[ToKeep], now: datetime, *, tidy: bool = True) -> Batch:
    """Keep commands that arrived together, in the caller's transaction (one commit for a burst), each
    with its delivery key; one whose key was noted before (or earlier in the batch) is a replay, not
    kept. `tidy`: delivery keys past their time are deleted first (a caller keeping batch after batch
    does it now and then).

    Core statements on the session's connection, one of each per batch: the front runs this for every
    command, and on PostgreSQL each is a round trip the acknowledgement waits for."""
    conn = session.connection()
    if tidy:
        deliveries.forget_expired(session, now)
    new = deliveries.note_new(session, [c.key for c in commands], now, deliveries.REQUEST_KEPT)
    count, first = conn.execute(_WAITING).one()
    ahead = int(count)
    results: list[int | None] = []
    rows: list[dict[str, Any]] = []
    for command in commands:
        if command.key not in new:
            results.append(None)
            continue
        new.discard(command.key)  # the same key again in this batch is a replay of this one
        payload = json.dumps(dict(command.body))
        rows.append({"key": command.key, "command": command.command, "payload": payload, "kept_at": now})
        results.append(ahead)
        ahead += 1
    if rows:
        conn.execute(_KEEP, [{**row, "attempts": 0} for row in rows])
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"NOTIFY {CHANNEL}"))  # sent at commit, not before
    return Batch(results, None if first is None else int(first))


def take(db: Database, now: datetime, *, finished: Kept | None = None) -> Kept | None:
    """The oldest command nobody holds, leased to the caller; None when there is none. On PostgreSQL
    several workers take at once and each gets a different row (SKIP LOCKED); on SQLite the statement
    runs under its one write lock, so of workers taking at once each gets a different row too.
    `finished`: the command the caller has just done, deleted in the same transaction (one commit per
    command instead of two, when the queue is busy)."""
    with db.statements() as conn:  # the deletion and the taking need not go together
        if finished is not None:
            conn.execute(_DELETE, {"id": finished.id, "key": finished.key})
        row = conn.execute(_TAKE, {"now": now, "until": now + LEASE}).first()
    if row is None:
        return None
    work_id, key, command, payload, attempts, saved = row
    return Kept(work_id, key, command, json.loads(payload), attempts, saved)


def renew(db: Database, keys: Sequence[str], now: datetime) -> None:
    """A fresh lease for commands still in hand (by their keys): one that takes longer than a lease (a
    slow Slack, a long Retry-After) is not taken by another worker meanwhile."""
    with db.session() as session:
        work = table_of(Work)
        session.execute(update(work).where(work.c.key.in_(keys)).values(lease_until=now + LEASE))


def done(db: Database, kept: Kept) -> None:
    with db.statements() as conn:
        conn.execute(_DELETE, {"id": kept.id, "key": kept.key})


def release_all(db: Database) -> int:
    """Every lease given back: a start on SQLite, which serves one instance (bot/running.py holds a lock
    on it) whose workers died with its last front, so whatever a row's lease says, its worker is gone.
    Returns how many were held."""
    with db.session() as session:
        result = session.execute(
            update(Work).where(col(Work.lease_until).is_not(None)).values(lease_until=None)
        )
        return int(getattr(result, "rowcount", 0) or 0)


def waiting(db: Database) -> int:
    with db.session() as session:
        return int(session.exec(select(func.count()).select_from(Work)).one())


# The front and the workers run these for every command: built once, since building and keying a
# statement cost more than running it. One statement takes a row, without loading it into the session.
_work = table_of(Work)
_oldest_free = (
    select(_work.c.id)
    .where(or_(_work.c.lease_until.is_(None), _work.c.lease_until < bindparam("now", type_=UTCDateTime)))
    .order_by(_work.c.id)
    .limit(1)
    .with_for_update(skip_locked=True)
)
_TAKE = (
    update(_work)
    .where(_work.c.id == _oldest_free.scalar_subquery())
    .values(lease_until=bindparam("until", type_=UTCDateTime), attempts=_work.c.attempts + 1)
    .returning(_work.c.id, _work.c.key, _work.c.command, _work.c.payload, _work.c.attempts, _work.c.saved)
)
_WAITING = select(func.count(), func.min(_work.c.id)).select_from(_work).where(_work.c.saved.is_(None))
_KEEP = insert(_work)
_DELETE = delete(_work).where(_work.c.id == bindparam("id"), _work.c.key == bindparam("key"))
_SETTLE = update(_work).where(_work.c.id == bindparam("work_id")).values(saved=bindparam("ref"))

# The command a worker is running in this thread: the transaction that stores its item records it.
_running: ContextVar[int | None] = ContextVar("liaison_work", default=None)


@contextmanager
def running(work_id: int) -> Iterator[None]:
    token = _running.set(work_id)
    try:
        yield
    finally:
        _running.reset(token)


def settle(session: Session, ref: str) -> None:
    """Record in the caller's transaction (the one storing item `ref`) that the running command stored
    it, so that it is stored once even if its worker dies before the command is done."""
    work_id = _running.get()
    if work_id is not None:
        session.connection().execute(_SETTLE, {"work_id": work_id, "ref": ref})
