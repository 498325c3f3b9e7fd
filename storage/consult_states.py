"""The consult state machine (DESIGN: open -> answered -> resolved | withdrawn; resolved can reopen).

`answered` is reached only by a reply in the thread from the addressed partner's staff, never by a
button. A reopened consult is open again: the partner's next reply answers it again."""

from __future__ import annotations

from storage.models import ConsultStatus as S
from storage.states import OPTIONAL_NOTE, Machine, Side

_PARTNER, _REQUESTER = frozenset({Side.partner}), frozenset({Side.requester})

CONSULT = Machine(
    moves={
        S.open: frozenset({S.answered, S.resolved, S.withdrawn}),
        S.answered: frozenset({S.resolved, S.withdrawn}),
        S.resolved: frozenset({S.open}),
    },
    terminal=frozenset({S.resolved, S.withdrawn}),
    who={S.answered: _PARTNER, S.resolved: _REQUESTER, S.withdrawn: _REQUESTER, S.open: _REQUESTER},
    verb={S.answered: "answered", S.resolved: "resolved", S.withdrawn: "withdrew", S.open: "reopened"},
    buttons={S.resolved: ("Mark resolved…", "primary"), S.open: ("Reopen", None)},
    notes={S.resolved: OPTIONAL_NOTE, S.withdrawn: OPTIONAL_NOTE},
    error_status=S.withdrawn,
    form_titles={S.resolved: "Resolve"},
)
