"""The referral state machine (after the HL7 Gravity SDOH referral task): which moves exist, who may make
them, and what each needs. Plain rules, no database."""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from storage.models import ReferralStatus as S


class Side(StrEnum):
    partner = "partner"  # the addressed partner's staff
    requester = "requester"  # the home staff who sent it (and coordinators and admins)


class ReasonCode(StrEnum):
    no_capacity = "no capacity"
    not_eligible = "not eligible"
    could_not_contact = "could not contact client"
    client_declined = "client declined"
    duplicate = "duplicate"
    other = "other"


MOVES: dict[S, frozenset[S]] = {
    S.requested: frozenset({S.accepted, S.rejected, S.cancelled}),
    S.accepted: frozenset({S.in_progress, S.on_hold, S.completed, S.failed, S.cancelled}),
    S.in_progress: frozenset({S.completed, S.failed, S.on_hold, S.cancelled}),
    S.on_hold: frozenset({S.in_progress, S.completed, S.failed, S.cancelled}),
}
TERMINAL = frozenset({S.rejected, S.cancelled, S.completed, S.failed, S.entered_in_error})
WHO: dict[S, frozenset[Side]] = {
    S.accepted: frozenset({Side.partner}),
    S.rejected: frozenset({Side.partner}),
    S.in_progress: frozenset({Side.partner}),
    S.on_hold: frozenset({Side.partner}),
    S.completed: frozenset({Side.partner}),
    S.failed: frozenset({Side.partner}),
    S.cancelled: frozenset({Side.requester}),
    S.entered_in_error: frozenset({Side.partner, Side.requester}),
}
NEEDS_REASON = frozenset({S.rejected, S.cancelled, S.on_hold, S.failed, S.entered_in_error})
NEEDS_OUTCOME = frozenset({S.completed})
# What each move is called on a button and in the thread.
VERB: dict[S, str] = {
    S.accepted: "accepted",
    S.rejected: "rejected",
    S.in_progress: "started work on",
    S.on_hold: "put on hold",
    S.completed: "completed",
    S.failed: "could not complete",
    S.cancelled: "cancelled",
    S.entered_in_error: "marked as entered in error",
}


def can_move(current: S, target: S) -> bool:
    """DESIGN: any state -> entered-in-error (so a wrongly completed referral can be corrected)."""
    if target == S.entered_in_error:
        return current != S.entered_in_error
    return current not in TERMINAL and target in MOVES[current]


BUTTON_ORDER = (
    S.accepted,
    S.in_progress,
    S.on_hold,
    S.completed,
    S.rejected,
    S.failed,
    S.cancelled,
    S.entered_in_error,
)


def next_moves(current: S, sides: Collection[Side] = tuple(Side)) -> list[S]:
    """The moves any of `sides` may make from `current`, in the order buttons show them."""
    return [t for t in BUTTON_ORDER if can_move(current, t) and WHO[t] & set(sides)]
