"""The advocacy action item state machine (DESIGN: open -> done | dropped; reopen allowed). Its owners, in
any organization, its creator, and coordinators make every move."""

from __future__ import annotations

from storage.item_tables import AdvocacyStatus as S
from storage.states import Machine, Note, Side

_ANYONE_ON_IT = frozenset({Side.owner, Side.requester})

ADVOCACY = Machine(
    moves={
        S.open: frozenset({S.done, S.dropped}),
        S.done: frozenset({S.open}),
        S.dropped: frozenset({S.open}),
    },
    terminal=frozenset({S.done, S.dropped}),
    who={S.done: _ANYONE_ON_IT, S.dropped: _ANYONE_ON_IT, S.open: _ANYONE_ON_IT},
    verb={S.done: "marked done", S.dropped: "dropped", S.open: "reopened"},
    buttons={S.done: ("Done…", "primary"), S.dropped: ("Drop…", None), S.open: ("Reopen", None)},
    notes={
        S.done: Note("Link to the result: the filed comment, the letter (optional)", column="result"),
        S.dropped: Note("Why it was dropped", required=True),
    },
    error_status=S.dropped,
    resets={S.open: ("result",)},  # a reopened item's old result no longer stands
    form_titles={S.done: "Done", S.dropped: "Drop"},
)
