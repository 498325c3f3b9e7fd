"""What every item kind's state machine says: which moves exist, who may make them, what each needs and
what it is called. Each kind fills one `Machine` (referral_states.py, consult_states.py); the services
and the cards read it, so a kind's rules live in one place."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Side(StrEnum):
    partner = "partner"  # the addressed partner's staff
    requester = "requester"  # the home staff who sent it, and coordinators and admins acting for them
    sender = "sender"  # only the person who sent it
    owner = "owner"  # an advocacy item's owners, in any organization


class ReasonCode(StrEnum):
    no_capacity = "no capacity"
    not_eligible = "not eligible"
    could_not_contact = "could not contact client"
    client_declined = "client declined"
    duplicate = "duplicate"
    other = "other"


@dataclass(frozen=True)
class Note:
    """The free text a move's form asks for."""

    label: str  # "Outcome: what happened for the client"
    required: bool = False
    column: str | None = None  # the item's column that also keeps it (an advocacy item's result)


OPTIONAL_NOTE = Note("Note (optional)")


@dataclass(frozen=True)
class Machine:
    moves: Mapping[str, frozenset[str]]  # status -> where it may go next
    terminal: frozenset[str]  # nothing is awaited any more (no reminders, not "open")
    who: Mapping[str, frozenset[Side]]  # target -> the sides that may move an item there
    verb: Mapping[str, str]  # "R-12 was <verb>", as the thread says it
    buttons: Mapping[str, tuple[str, str | None]]  # target -> (label, style), in the order shown
    needs_reason: frozenset[str] = frozenset()  # a coded reason is required
    notes: Mapping[str, Note] = field(default_factory=dict)  # target -> the note its form asks for
    from_anywhere: frozenset[str] = frozenset()  # reachable from every other status
    error_status: str | None = None  # where an item whose card was never posted is closed
    form_titles: Mapping[str, str] = field(default_factory=dict)
    relabel: Mapping[tuple[str, str], str] = field(default_factory=dict)  # (from, to) -> label
    # Statuses that are the same to someone choosing a move: a consult answered while its requester was
    # resolving it is resolved all the same.
    interchangeable: frozenset[str] = frozenset()
    resets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # target -> columns it clears

    def can_move(self, current: str, target: str) -> bool:
        if target in self.from_anywhere:
            return current != target
        return target in self.moves.get(current, frozenset())

    def next_moves(self, current: str, sides: Collection[Side] = tuple(Side)) -> list[str]:
        """The moves any of `sides` may make from `current` that have a button, in the buttons' order."""
        return [
            t for t in self.buttons if self.can_move(current, t) and self.who.get(t, frozenset()) & set(sides)
        ]

    def as_seen(self, current: str, seen: str) -> bool:
        """Whether an item now in `current` is still what the person saw when it was in `seen`."""
        return current == seen or {current, seen} <= self.interchangeable

    def button(self, current: str, target: str) -> tuple[str, str | None]:
        label, style = self.buttons[target]
        return self.relabel.get((current, target), label), style

    def asks_first(self, target: str) -> bool:
        """Whether a click on this move opens a form before the move is made."""
        return target in self.needs_reason or target in self.notes
