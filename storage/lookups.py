"""Read-mostly lookups remembered between a worker's commands: a person's role and the office's closures,
read for every new item. The database marks every change to their tables (a trigger sets the one row of
`lookup_generation` to a new random number, migration 0021, whichever process or path wrote), and a
worker reads that mark with each command it takes, in the same statement (storage/work.py). A lookup
remembered under the same mark is what the database holds, so it is used; under any other mark everything
remembered is forgotten. Random, not a count: a database restored from a backup, or migrated down and up,
would count again through numbers already seen. Nothing is remembered for seconds on trust: a role taken
away in another process is in force from the next command taken after that commit.

Only a command a worker took carries a mark (`as_of`); everything else reads the database. A command that
writes anything reads the database from then on, so it sees its own changes, and whatever it might roll
back is never remembered."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import BigInteger, Engine, event
from sqlmodel import Field, Session, SQLModel

T = TypeVar("T")

# The tables whose changes the mark follows (migration 0021 puts the triggers on them; a test checks).
FOLLOWED = ("staff_role", "office_closure")
MOST = 10_000  # lookups remembered under one mark, at most: past it, more are read but not remembered


class LookupGeneration(SQLModel, table=True):
    """The mark of the followed tables' latest change (one row, id 1): a random number each time."""

    __tablename__ = "lookup_generation"

    id: int = Field(primary_key=True)
    value: int = Field(default=0, sa_type=BigInteger)


_as_of: ContextVar[int | None] = ContextVar("liaison_lookups", default=None)


@contextmanager
def as_of(generation: int | None) -> Iterator[None]:
    """The lookups in this block may be remembered ones of `generation` (the mark when the worker took
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
    """`load()`, or what it gave before under the current command's mark."""
    generation = _as_of.get()
    if generation is None or session.new or session.dirty or session.deleted:  # not flushed: read it
        return load()
    engine = session.get_bind().engine
    with _registry_lock:
        remembered = _remembered.setdefault(engine, _Remembered())
    with remembered.lock:
        # Another mark: changed since (or, for a command taken just before a change, since then).
        if generation != remembered.generation:
            remembered.generation, remembered.values = generation, {}
        if (name, key) in remembered.values:
            return remembered.values[(name, key)]  # type: ignore[return-value]
    value = load()
    with remembered.lock:
        if generation == remembered.generation and len(remembered.values) < MOST:
            remembered.values[(name, key)] = value
    return value


@event.listens_for(Engine, "before_cursor_execute")
def _writing(_conn: object, _cursor: object, statement: str, *_: object) -> None:
    """Any statement but a SELECT in a command that carries a mark: the rest of the command reads the
    database (it may have changed what it would read, and may yet roll it back)."""
    if _as_of.get() is not None and not statement.lstrip()[:6].upper().startswith("SELECT"):
        _as_of.set(None)
