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

from sqlalchemy import Integer, String, bindparam, delete, func, insert, or_, text, update
from sqlalchemy.dialects import postgresql
from sqlmodel import Field, Session, SQLModel, col, select

from storage import deliveries
from storage.db import Database
from storage.lookups import LookupGeneration
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
    lookups: int | None = None  # the mark of the lookups when it was taken (storage/lookups.py)


class Replayed(Exception):
    """The command's delivery key was seen before: a replay of a request already acted on."""


class TakenOver(Exception):
    """The running command's lease ran out while its worker was stalled (an outage, a paused process)
    and another worker took it: this one stores nothing and says nothing; the other answers for it."""


@dataclass(frozen=True)
class ToKeep:
    key: str  # the request's delivery key
    command: str
    body: Mapping[str, Any]


@dataclass(frozen=True)
class Batch:
    ahead: list[int | None]  # for each command, how many wait ahead of it; None: a replay, not kept
    # The oldest command nobody holds before this batch (every one with a lower ID is taken or done): how
    # far the workers have got. Not the oldest waiting: a worker that died holding a command would keep
    # that one at the head for its lease, and the front would see no progress and tell everyone they
    # are queued. None: none was free.
    head: int | None


def keep(db: Database, key: str, command: str, body: Mapping[str, Any], now: datetime) -> int:
    """Keep one command: how many wait ahead of it; Replayed for a replay."""
    (ahead,) = keep_all(db, [ToKeep(key, command, body)], now).ahead
    if ahead is None:
        raise Replayed(key)
    return ahead


def keep_all(db: Database, commands: Sequence[ToKeep], now: datetime, *, tidy: bool = True) -> Batch:
    """Keep commands that arrived together, in one transaction (one commit for a burst), each with its
    delivery key; one whose key was noted before (or earlier in the batch) is a replay, not kept. The new
    ones wait in the order they came. `tidy`: delivery keys past their time are deleted first (a caller
    keeping batch after batch does it now and then).

    The front keeps every command this way and acknowledges once it is kept, so on PostgreSQL the batch
    is one statement, committed as it runs: a transaction of separate statements would add five round
    trips, each a wake-up of a server process on a machine busy with the work (under load it took twice
    as long)."""
    first: dict[str, int] = {}  # where each key came first: a repeat is a replay of it
    for n, command in enumerate(commands):
        first.setdefault(command.key, n)
    unique = [commands[n] for n in first.values()]
    rows: list[dict[str, Any]] = [
        {"key": c.key, "command": c.command, "payload": json.dumps(dict(c.body)), "kept_at": now}
        for c in unique
    ]
    if db.dialect == "postgresql":
        with db.statements() as conn:
            if tidy:
                deliveries.forget_expired(conn, now)
            waiting, head, noted, _woken = conn.execute(_KEEP_ALL_POSTGRESQL, _columns(rows, now)).one()
        new = set(noted or ())
    else:
        with db.statements() as conn:  # on SQLite one transaction
            if tidy:
                deliveries.forget_expired(conn, now)
            new = deliveries.note_new(conn, [row["key"] for row in rows], now, deliveries.REQUEST_KEPT)
            waiting, head = conn.execute(_WAITING, {"now": now}).one()
            if new:
                conn.execute(_KEEP, [{**row, "attempts": 0} for row in rows if row["key"] in new])
    ahead, results = int(waiting), list[int | None]()
    for n, command in enumerate(commands):
        if command.key in new and first[command.key] == n:
            results.append(ahead)
            ahead += 1
        else:
            results.append(None)
    return Batch(results, None if head is None else int(head))


def _columns(rows: Sequence[Mapping[str, Any]], now: datetime) -> dict[str, Any]:
    return {
        "keys": [row["key"] for row in rows],
        "commands": [row["command"] for row in rows],
        "payloads": [row["payload"] for row in rows],
        "now": now,
        "expires": now + deliveries.REQUEST_KEPT,
    }


def take(db: Database, now: datetime, *, finished: Kept | None = None) -> Kept | None:
    """The oldest command nobody holds, leased to the caller; None when there is none. On PostgreSQL
    several workers take at once and each gets a different row (SKIP LOCKED); on SQLite the statement
    runs under its one write lock, so of workers taking at once each gets a different row too.
    `finished`: the command the caller has just done, deleted first (on SQLite in the same transaction:
    one sync to disk for both). Not in the taking's statement (a WITH) on PostgreSQL: there the deletion
    may run after the taking, and a worker finishing at the same moment could take this row, done, if its
    lease had run out (an independent review measured it in most of 100 rounds of that race)."""
    with db.statements() as conn:
        if finished is not None:
            conn.execute(_DELETE, _done(finished))
        row = conn.execute(_TAKE, {"now": now, "until": now + LEASE}).first()
    if row is None:
        return None
    work_id, key, command, payload, attempts, saved, lookups = row
    return Kept(work_id, key, command, json.loads(payload), attempts, saved, lookups)


def renew(db: Database, keys: Sequence[str], now: datetime) -> None:
    """A fresh lease for commands still in hand (by their keys): one that takes longer than a lease (a
    slow Slack, a long Retry-After) is not taken by another worker meanwhile."""
    with db.session() as session:
        work = table_of(Work)
        session.execute(update(work).where(work.c.key.in_(keys)).values(lease_until=now + LEASE))


def done(db: Database, kept: Kept) -> None:
    with db.statements() as conn:
        conn.execute(_DELETE, _done(kept))


def _done(kept: Kept) -> dict[str, Any]:
    return {"done_id": kept.id, "done_key": kept.key, "done_attempts": kept.attempts}


def held(db: Database, kept: Kept) -> bool:
    """Whether the command is still the caller's: not taken over by another worker after the caller
    stalled past its lease, nor done and deleted by that other worker."""
    with db.statements() as conn:
        found = conn.execute(
            _HELD, {"held_id": kept.id, "held_key": kept.key, "held_attempts": kept.attempts}
        ).first()
    return found is not None


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
_generation = table_of(LookupGeneration)
_free = or_(_work.c.lease_until.is_(None), _work.c.lease_until < bindparam("now", type_=UTCDateTime))
_oldest_free = select(_work.c.id).where(_free).order_by(_work.c.id).limit(1).with_for_update(skip_locked=True)
# Only by the worker holding the row now: one stalled past its lease leaves the row to the one that took it.
_DELETE = delete(_work).where(
    _work.c.id == bindparam("done_id"),
    _work.c.key == bindparam("done_key"),
    _work.c.attempts == bindparam("done_attempts"),
)
_HELD = select(_work.c.id).where(
    _work.c.id == bindparam("held_id"),
    _work.c.key == bindparam("held_key"),
    _work.c.attempts == bindparam("held_attempts"),
)
_TAKE = (
    update(_work)
    .where(_work.c.id == _oldest_free.scalar_subquery())
    .values(lease_until=bindparam("until", type_=UTCDateTime), attempts=_work.c.attempts + 1)
    .returning(
        _work.c.id,
        _work.c.key,
        _work.c.command,
        _work.c.payload,
        _work.c.attempts,
        _work.c.saved,
        # Read with the taking, not in a statement of its own: the mark its lookups are as of.
        select(_generation.c.value).where(_generation.c.id == 1).scalar_subquery(),
    )
)
_WAITING = (
    select(func.count(), func.min(_work.c.id).filter(_free)).select_from(_work).where(_work.c.saved.is_(None))
)
_KEEP = insert(_work)
# keep_all on PostgreSQL, one statement: the keys noted, in the order of the keys (two instances keeping
# batches that share keys, a replay arriving at each, then wait on each other's keys in one order and
# cannot deadlock); the commands whose keys were new kept in the order they came (their IDs are the order
# workers take them in); the workers woken at commit; and what waited before (a statement's reads do not
# see its own writes).
_KEEP_ALL_POSTGRESQL = (
    text(
        f"""
    WITH incoming AS (
        SELECT key, command, payload, n
        FROM unnest(:keys, :commands, :payloads) WITH ORDINALITY AS i(key, command, payload, n)
    ), noted AS (
        INSERT INTO delivery (key, seen_at, expires_at) SELECT key, :now, :expires FROM incoming
        ORDER BY key
        ON CONFLICT (key) DO NOTHING
        RETURNING key
    ), kept AS (
        INSERT INTO work (key, command, payload, kept_at, attempts)
        SELECT key, command, payload, :now, 0 FROM incoming WHERE key IN (SELECT key FROM noted) ORDER BY n
        RETURNING id
    ), woken AS (
        SELECT pg_notify('{CHANNEL}', '') WHERE EXISTS (SELECT FROM kept)
    )
    SELECT count(*), min(id) FILTER (WHERE lease_until IS NULL OR lease_until < :now),
        (SELECT array_agg(key) FROM noted), (SELECT count(*) FROM woken)
    FROM work WHERE saved IS NULL
    """
    )
    .bindparams(
        bindparam("keys", type_=postgresql.ARRAY(String)),
        bindparam("commands", type_=postgresql.ARRAY(String)),
        bindparam("payloads", type_=postgresql.ARRAY(EncryptedText)),
        bindparam("now", type_=UTCDateTime),
        bindparam("expires", type_=UTCDateTime),
    )
    .columns(count=Integer, head=Integer, noted=postgresql.ARRAY(String), woken=Integer)
)
# The row's attempts are the fence: a worker whose lease ran out and was taken again holds an older count.
# Its key too, since SQLite may give a deleted row's ID to a new command.
_SETTLE = (
    update(_work)
    .where(
        _work.c.id == bindparam("work_id"),
        _work.c.key == bindparam("work_key"),
        _work.c.attempts == bindparam("held_attempts"),
        _work.c.saved.is_(None),
    )
    .values(saved=bindparam("ref"))
)

# The command a worker is running in this thread: the transaction that stores its item records it.
_running: ContextVar[Kept | None] = ContextVar("liaison_work", default=None)


@contextmanager
def running(kept: Kept) -> Iterator[None]:
    token = _running.set(kept)
    try:
        yield
    finally:
        _running.reset(token)


def settle(session: Session, ref: str) -> None:
    """Record in the caller's transaction (the one storing item `ref`) that the running command stored
    it, so that it is stored once even if its worker dies before the command is done. TakenOver, and the
    caller's transaction is rolled back, when the command is no longer this worker's: two workers holding
    one command (the first stalled past its lease) must not both store its item."""
    kept = _running.get()
    if kept is None:
        return
    marked = session.connection().execute(
        _SETTLE, {"work_id": kept.id, "work_key": kept.key, "held_attempts": kept.attempts, "ref": ref}
    )
    if marked.rowcount != 1:
        raise TakenOver(kept.key)
