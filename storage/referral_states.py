"""The referral state machine (after the HL7 Gravity SDOH referral task): which moves exist, who may make
them, and what each needs. Plain rules, no database."""

from __future__ import annotations

from storage.item_tables import ReferralStatus as S
from storage.states import OPTIONAL_NOTE, Machine, Note, ReasonCode, Side

__all__ = ["REFERRAL", "ReasonCode", "Side"]

_PARTNER, _REQUESTER = frozenset({Side.partner}), frozenset({Side.requester})

REFERRAL = Machine(
    moves={
        S.requested: frozenset({S.accepted, S.rejected, S.cancelled}),
        S.accepted: frozenset({S.in_progress, S.on_hold, S.completed, S.failed, S.cancelled}),
        S.in_progress: frozenset({S.completed, S.failed, S.on_hold, S.cancelled}),
        S.on_hold: frozenset({S.in_progress, S.completed, S.failed, S.cancelled}),
    },
    terminal=frozenset({S.rejected, S.cancelled, S.completed, S.failed, S.entered_in_error}),
    who={
        S.accepted: _PARTNER,
        S.rejected: _PARTNER,
        S.in_progress: _PARTNER,
        S.on_hold: _PARTNER,
        S.completed: _PARTNER,
        S.failed: _PARTNER,
        S.cancelled: _REQUESTER,
        S.entered_in_error: _PARTNER | _REQUESTER,
    },
    verb={
        S.accepted: "accepted",
        S.rejected: "rejected",
        S.in_progress: "started work on",
        S.on_hold: "put on hold",
        S.completed: "completed",
        S.failed: "could not complete",
        S.cancelled: "cancelled",
        S.entered_in_error: "marked as entered in error",
    },
    buttons={
        S.accepted: ("Accept", "primary"),
        S.in_progress: ("Start", None),
        S.on_hold: ("Put on hold…", None),
        S.completed: ("Complete…", "primary"),
        S.rejected: ("Reject…", "danger"),
        S.failed: ("Could not complete…", None),
        S.cancelled: ("Cancel referral…", "danger"),
        S.entered_in_error: ("Entered in error…", None),
    },
    needs_reason=frozenset({S.rejected, S.cancelled, S.on_hold, S.failed, S.entered_in_error}),
    notes={
        S.completed: Note("Outcome: what happened for the client", required=True),
        **{
            target: OPTIONAL_NOTE
            for target in (S.rejected, S.cancelled, S.on_hold, S.failed, S.entered_in_error)
        },
    },
    from_anywhere=frozenset({S.entered_in_error}),  # DESIGN: so a wrongly completed referral can be corrected
    error_status=S.entered_in_error,
    relabel={(S.on_hold, S.in_progress): "Resume"},
    form_titles={
        S.rejected: "Reject",
        S.on_hold: "Put on hold",
        S.completed: "Complete",
        S.failed: "Could not complete",
        S.cancelled: "Cancel",
        S.entered_in_error: "Entered in error",
    },
)
