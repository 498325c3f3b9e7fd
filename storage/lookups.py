"""Read-mostly lookups remembered between a worker's commands: a person's role, the office's closures and
the partner directory (partners, their Slack teams, their channel links), read for every new item. The
database marks every change to their tables (a trigger sets the one row of `lookup_generation` to a new
random number, migrations 0021 to 0023, whichever process or path wrote; on PostgreSQL as the write
commits, so that writers do not wait on each other for the mark's row), and a worker reads that mark
with each command it takes, in the same statement (storage/work.py). A lookup remembered under the same
mark is what the database holds, so it is used; under any other mark everything remembered is forgotten.
Random, not a count: a database restored from a backup, or migrated down and up, would count again
through numbers already seen. Nothing is remembered for seconds on trust: a role taken away, a partner
paused or a channel unlinked in another process is in force from the next command taken after that
commit.

Only a command a worker took carries a mark (`as_of`); everything else reads the database. A command that
writes anything reads the database from then on, so it sees its own changes, and whatever it might roll
back is never remembered."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import BigInteger, Engine, event, select
from sqlalchemy.orm import class_mapper, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Field, Session, SQLModel, col

T = TypeVar("T")
M = TypeVar("M", bound=SQLModel)

# The tables whose changes the mark follows (migrations 0021 to 0023 put the triggers on them; a test
# checks).
FOLLOWED = ("staff_role", "office_closure", "partner", "partner_team", "channel_link")
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
    session.info[_USED] = generation
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


def confirm(session: Session) -> bool:
    """Before a decision that must rest on the database as it is now, not as it was when the command was
    taken (who reads a channel, before a client's matters go there: the command may have waited on Slack
    meanwhile): whether what this session was given from memory still stands. The mark is read again,
    once in a session, and only if the session was given anything from memory. If it changed, the rest of
    the command reads the database, and the caller reads again what it holds."""
    used = session.info.get(_USED)
    if used is None or session.info.get(_CONFIRMED) == used:
        return True
    if session.execute(_MARK).scalar() == used:
        session.info[_CONFIRMED] = used
        return True
    _as_of.set(None)
    del session.info[_USED]
    return False


_MARK = select(col(LookupGeneration.value)).where(col(LookupGeneration.id) == 1)
# session.info's keys: the mark under which the session was given lookups (read) and the one confirmed.
_USED, _CONFIRMED = "liaison lookups used", "liaison lookups confirmed"


def instances(
    session: Session, name: str, key: Hashable, model: type[M], load: Callable[[], Sequence[M]]
) -> list[M]:
    """`load()`'s rows of `model`, or, under the current command's mark, the same rows rebuilt in this
    session without a statement. What is remembered is their column values, never an instance: each
    session gets instances of its own (the one it holds already, if any), clean, as if it had loaded them,
    so a change it makes to one is an ordinary change, and a list in one is not shared with another."""
    columns = class_mapper(model).column_attrs
    rows = read(
        session, name, key, lambda: [{c.key: _own(getattr(o, c.key)) for c in columns} for o in load()]
    )
    return [_in_session(session, model, row) for row in rows]


def _own(value: object) -> object:
    """A list of its own, not one an instance may change in place (a partner's other columns hold
    strings, numbers and dates, which cannot change)."""
    return list(value) if isinstance(value, list) else value


def _in_session(session: Session, model: type[M], row: Mapping[str, object]) -> M:
    mapper = class_mapper(model)
    key = tuple(row[mapper.get_property_by_column(c).key] for c in mapper.primary_key)
    identity = mapper.identity_key_from_primary_key(key)
    held = session.identity_map.get(identity)
    if held is not None:
        return held
    instance = mapper.class_manager.new_instance()  # as the ORM makes one it loads
    for attribute, value in row.items():
        set_committed_value(instance, attribute, _own(value))
    make_transient_to_detached(instance)
    session.add(instance)
    return instance


@event.listens_for(Engine, "before_cursor_execute")
def _writing(_conn: object, _cursor: object, statement: str, *_: object) -> None:
    """Any statement but a SELECT in a command that carries a mark: the rest of the command reads the
    database (it may have changed what it would read, and may yet roll it back)."""
    if _as_of.get() is not None and not statement.lstrip()[:6].upper().startswith("SELECT"):
        _as_of.set(None)
