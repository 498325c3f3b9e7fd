"""What a kind of item is, to the domain: one `ItemKind` per kind (referral, consult, action item, ...),
defined in that kind's own module (storage/referrals.py and its like) and registered with the others in
`Kinds`. Generic code asks the kind, never the item's class: where it is stored, what it is called, its
state machine, who must act on it, what a partner's reply in its thread does, what text it holds.

The Slack side of a kind (its card, forms, words and command) is commands/kinds/; the two are registered
together there (commands/kinds/__init__.py)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlmodel import Session

from storage.item_tables import ItemBase
from storage.people import Person
from storage.states import Machine


@dataclass(frozen=True)
class Moments:
    """The times a digest's lists are drawn against."""

    now: datetime
    soon: datetime  # two business days ahead
    waiting_since: datetime  # two business days ago
    week_end: datetime


@dataclass(frozen=True)
class DigestList:
    """One of a kind's lists in the coordinators' digest: `key` names it (the Slack side words its title),
    `picks` says whether an open item belongs on it."""

    key: str
    picks: Callable[[ItemBase, Moments], bool]


@dataclass(frozen=True)
class Exported:
    """One of a kind's own columns in its CSV export, from an item and the partners' handles by ID."""

    header: str
    value: Callable[[ItemBase, Mapping[int, str]], str]


def at(moment: datetime | None) -> str:
    """A time as exports write it."""
    return moment.isoformat() if moment else ""


def own(column: str) -> Callable[[ItemBase, Mapping[int, str]], str]:
    """An export's value that is one of the kind's own columns, as text."""
    return lambda item, _handles: str(getattr(item, column) or "")


# SQL conditions (one per way a person can be on an item) selecting the items "theirs" for their Home tab.
Involving = Callable[[Person], Sequence[Any]]
MustAct = Callable[[Session, ItemBase], list[str]]
_REF = re.compile(r"^([A-Za-z]{1,3})-?([0-9]{1,9})$")  # R-12, r12, RS-4


def _nobody_else(_person: Person) -> Sequence[Any]:
    return ()


T = TypeVar("T", bound=ItemBase)


@dataclass(frozen=True)
class ItemKind(Generic[T]):
    """An item kind: its table (`T`), its rules, and what people call it."""

    name: str  # in audit entries, agreements' scope and action IDs: "referral", "advocacy"
    prefix: str  # R in R-12
    model: type[T]
    statuses: type[StrEnum]
    machine: Machine
    text_column: str  # the column holding its own words: "details", "question", "title"
    text_name: str  # what its words are called: "details", "question", "title"
    noun: str  # what people call one: "referral", "action item"
    plural: str  # what `export` calls them: "referrals", "advocacy"
    # Addressed to one partner about a client's matter (its items are AddressedItems); else owned by people
    # of any organization and never about a client.
    addressed: bool = True
    involving: Involving = _nobody_else  # who besides its requester it is "theirs": a taker, the owners
    must_act: MustAct | None = None  # whom a reminder names; None: the partner's contacts, or the owners
    answered: StrEnum | None = None  # the status the addressed partner's first reply in its thread gives
    purged: tuple[str, ...] = ()  # columns of client text removed after the retention period
    digest: tuple[DigestList, ...] = ()  # its lists in the coordinators' daily digest
    exported: tuple[Exported, ...] = ()  # its own columns in its CSV export, after the common ones
    columns: dict[str, str] = field(default_factory=dict)  # its own columns and what to call them

    def __post_init__(self) -> None:
        # The table knows its kind, so that an item's kind is one attribute away (storage/items.kind_of).
        self.model.item_kind = self

    @property
    def open_statuses(self) -> list[str]:
        """The statuses in which something is still awaited (what reminders, lists and Home look at)."""
        return [s.value for s in self.statuses if s not in self.machine.terminal]

    @property
    def closed_statuses(self) -> list[str]:
        return [str(s) for s in self.machine.terminal]

    @property
    def command(self) -> str:
        return f"/{self.name}"

    def is_open(self, item: ItemBase) -> bool:
        return item.status not in self.machine.terminal

    def words(self, item: ItemBase) -> str:
        """The item's own words (a referral's details, a consult's question, an action item's title)."""
        return str(getattr(item, self.text_column) or "")


AnyKind = ItemKind[Any]  # what generic code takes: a kind, whatever its table


class Kinds:
    """The kinds Liaison knows, looked up by an ID's prefix, by name or by an item's table."""

    def __init__(self, kinds: Sequence[AnyKind]) -> None:
        self._all = tuple(kinds)
        self._by_prefix = {k.prefix.upper(): k for k in self._all}
        self._by_model = {k.model: k for k in self._all}
        self._by_name = {k.name: k for k in self._all}
        if len(self._by_prefix) != len(self._all) or len(self._by_name) != len(self._all):
            raise ValueError("each kind needs its own prefix and name")

    def __iter__(self) -> Iterator[AnyKind]:
        return iter(self._all)

    def __len__(self) -> int:
        return len(self._all)

    def of(self, item: ItemBase) -> AnyKind:
        return self._by_model[type(item)]

    def named(self, name: str) -> AnyKind | None:
        return self._by_name.get(name)

    def exported(self, plural: str) -> AnyKind | None:
        return next((k for k in self._all if k.plural == plural), None)

    @property
    def names(self) -> list[str]:
        return [k.name for k in self._all]

    @property
    def addressed(self) -> list[AnyKind]:
        return [k for k in self._all if k.addressed]

    def by_ref(self, ref: str) -> tuple[AnyKind, int] | None:
        """The kind and number an ID names by its prefix (R-12: referrals, 12)."""
        match = _REF.match(ref.strip())
        if match is None:
            return None
        kind = self._by_prefix.get(match[1].upper())
        return (kind, int(match[2])) if kind else None
