"""The consult state machine (DESIGN: open -> answered -> resolved | withdrawn; resolved can reopen).

`answered` is reached only by a reply in the thread from the addressed partner's staff, never by a
button. A reopened consult is open again: the partner's next reply answers it again."""

from __future__ import annotations

from storage.item_tables import ConsultStatus as S
from storage.states import OPTIONAL_NOTE, Machine, Side

_PARTNER, _REQUESTER, _SENDER = (
    frozenset({Side.partner}),
    frozenset({Side.requester}),
    frozenset({Side.sender}),
)

CONSULT = Machine(
    moves={
        S.open: frozenset({S.answered, S.resolved, S.withdrawn}),
        S.answered: frozenset({S.resolved, S.withdrawn}),
        S.resolved: frozenset({S.open}),
    },
    terminal=frozenset({S.resolved, S.withdrawn}),
    # The issue: resolved by the requester or a coordinator, withdrawn by the requester alone.
    who={S.answered: _PARTNER, S.resolved: _REQUESTER, S.withdrawn: _SENDER, S.open: _REQUESTER},
    verb={S.answered: "answered", S.resolved: "resolved", S.withdrawn: "withdrew", S.open: "reopened"},
    buttons={S.resolved: ("Mark resolved…", "primary"), S.open: ("Reopen", None)},
    notes={S.resolved: OPTIONAL_NOTE, S.withdrawn: OPTIONAL_NOTE},
    error_status=S.withdrawn,
    interchangeable=frozenset({S.open, S.answered}),
    form_titles={S.resolved: "Resolve"},
)
