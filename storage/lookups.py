"""Read-mostly lookups remembered between a worker's commands: a person's role and the office's closures,
read for every new item. The database counts every change to their tables (a trigger bumps the one row of
`lookup_generation`, migration 0021, whichever process or path wrote), and a worker reads that count with
each command it takes, in the same statement (storage/work.py). A lookup remembered at the same count is
what the database holds, so it is used; at any other count it is read again. Nothing is remembered for
seconds on trust: a role taken away in another process counts from that process's commit.

Only a command a worker took carries a count (`as_of`); everything else reads the database as before. A
unit of work that has written anything reads the database too, so it sees its own changes."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, event
from sqlmodel import Field, Session, SQLModel

T = TypeVar("T")

# The tables whose changes the count follows (migration 0021 puts the triggers on them).
FOLLOWED = ("staff_role", "office_closure")
MOST = 10_000  # lookups remembered at one count, at most: past it they are forgotten and read again
_WROTE = "liaison wrote"  # session.info's key: the unit of work has flushed a change


class LookupGeneration(SQLModel, table=True):
    """How many changes the followed tables have had (one row, id 1)."""

    __tablename__ = "lookup_generation"

    id: int = Field(primary_key=True)
    value: int = Field(default=0)


_as_of: ContextVar[int | None] = ContextVar("liaison_lookups", default=None)


@contextmanager
def as_of(generation: int | None) -> Iterator[None]:
    """The lookups in this block may be remembered ones of `generation` (the count when the worker took
    its command); None: read the database."""
    token = _as_of.set(generation)
    try:
        yield
    finally:
        _as_of.reset(token)


class _Remembered:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.generation = -1
        self.values: dict[tuple[str, Hashable], object] = {}


_remembered: WeakKeyDictionary[Engine, _Remembered] = WeakKeyDictionary()
_registry_lock = threading.Lock()


def read(session: Session, name: str, key: Hashable, load: Callable[[], T]) -> T:
    """`load()`, or what it gave before at the current command's count."""
    generation = _as_of.get()
    if generation is None or session.info.get(_WROTE) or session.new or session.dirty or session.deleted:
        return load()
    engine = session.get_bind().engine
    with _registry_lock:
        remembered = _remembered.setdefault(engine, _Remembered())
    with remembered.lock:
        if generation > remembered.generation:  # changed since: what is remembered is of no use
            remembered.generation, remembered.values = generation, {}
        if generation == remembered.generation and (name, key) in remembered.values:
            return remembered.values[(name, key)]  # type: ignore[return-value]
    value = load()
    with remembered.lock:
        if generation == remembered.generation and len(remembered.values) < MOST:
            remembered.values[(name, key)] = value
    return value


@event.listens_for(Session, "after_flush")
def _wrote(session: Session, _context: object) -> None:
    session.info[_WROTE] = True
