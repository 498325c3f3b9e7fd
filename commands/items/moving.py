"""Moves through an item's states, whatever its kind: the buttons a card offers, the form a move asks
for first (a coded reason, a note, the outcome), the same move typed as a command, and what the channel
is told of it."""

from __future__ import annotations

import json
from collections.abc import Callable
from enum import StrEnum

from commands.cards import Button
from commands.format import plain
from commands.forms import Choice, Field, FieldKind, Form
from commands.grammar import UsageError
from commands.invocation import Deps, Invocation, Reply
from commands.items.changes import show_change
from commands.items.fields import UNREADABLE, written_by_liaison
from commands.kinds.spec import FormValues
from storage import items, moves
from storage.audit import Actor
from storage.errors import LiaisonError
from storage.item_tables import ItemBase
from storage.kinds import AnyKind, Kinds
from storage.moves import NOTE_LIMIT, Move
from storage.states import OPTIONAL_NOTE, ReasonCode

MOVE_FORM_CALLBACK = "item.move"
MOVE_ACTION = "move"  # a move button's action ID is "<kind>.move.<target status>"


def buttons(item: ItemBase) -> tuple[Button, ...]:
    """Every status change either side may make next (a channel message looks the same to everyone; each
    click is checked against who clicked)."""
    kind = items.kind_of(item)
    found = []
    for target in kind.machine.next_moves(item.status):
        label, style = kind.machine.button(item.status, target)
        value = json.dumps({"ref": item.ref, "from": str(item.status), "to": str(target)})
        found.append(Button(label, f"{kind.name}.{MOVE_ACTION}.{target}", value, style))
    return tuple(found)


def move_of(kinds: Kinds, value: str) -> Move:
    """The move a button's value describes (`{"ref", "from", "to"}`)."""
    data = written_by_liaison(value)
    try:
        kind = kind_of_ref(kinds, data["ref"])
        return Move(data["ref"], kind.statuses(data["from"]), kind.statuses(data["to"]))
    except (KeyError, ValueError):
        raise LiaisonError(UNREADABLE) from None


def kind_of_ref(kinds: Kinds, ref: str) -> AnyKind:
    """The kind an ID's prefix names."""
    found = kinds.by_ref(ref)
    if found is None:
        raise LiaisonError(f"`{ref}` is not an item Liaison knows.")
    return found[0]


def move_form(kinds: Kinds, change: Move, channel_id: str) -> Form:
    """What a move asks for before it is made: a coded reason, a note, or the outcome."""
    machine = kind_of_ref(kinds, change.ref).machine
    fields: list[Field] = []
    if change.target in machine.needs_reason:
        choices = tuple(Choice(r.value, r.value) for r in ReasonCode)
        fields.append(Field("reason", "Reason", FieldKind.choice, choices=choices))
    note = machine.notes.get(change.target, OPTIONAL_NOTE)
    fields.append(
        Field("note", note.label, FieldKind.long_text, optional=not note.required, max_length=NOTE_LIMIT)
    )
    value = {"ref": change.ref, "from": str(change.expected), "to": str(change.target), "channel": channel_id}
    return Form(
        callback_id=MOVE_FORM_CALLBACK,
        title=f"{machine.form_titles.get(change.target, str(change.target).capitalize())} {change.ref}",
        submit="Save",
        metadata=json.dumps(value),
        fields=tuple(fields),
        notes=(
            f"This goes into {change.ref}'s thread, which other organizations' workspaces keep a copy of. "
            "Leave out client names and other identifying details.",
        ),
    )


def move_from_form(kinds: Kinds, metadata: str, values: FormValues) -> Move:
    change = move_of(kinds, metadata)
    code, note = values.get("reason"), values.get("note")
    if isinstance(code, str) and code not in set(ReasonCode):
        raise LiaisonError(UNREADABLE)
    return Move(
        change.ref,
        change.expected,
        change.target,
        ReasonCode(code) if isinstance(code, str) else None,
        note if isinstance(note, str) and note.strip() else None,
    )


def apply_move(deps: Deps, actor: Actor, change: Move) -> Reply:
    """Make the move, then show it: the card updated in place and a line in its thread for the requester."""
    with deps.db.session() as session:
        me = deps.person(session, actor)
        item = moves.move(session, deps.kinds, me, change, deps.detector, deps.today())
        who = "the office" if me.partner is None else me.partner.name
    line = f"<@{actor.user_id}> ({who}) {items.kind_of(item).machine.verb[change.target]} {item.ref}"
    if change.reason_code:
        line += f": {change.reason_code.value}"
    if change.note:
        line += f"\n> {plain(change.note)}"
    if actor.user_id != item.requester_id:
        line += f"\n<@{item.requester_id}>, {item.ref} is now *{item.status}*."
    return show_change(deps, item, line, f"{item.ref} is now *{item.status}*.")


def mover(kind: AnyKind, target: StrEnum) -> Callable[[Invocation], Reply]:
    """The handler of `/consult resolve C-7 [note]`, `/advocacy drop A-3 why`...: the move its button
    makes, with the rest of the text as its note where the move takes one."""
    return lambda inv: _move_by_command(inv, kind, target)


def _move_by_command(inv: Invocation, kind: AnyKind, target: StrEnum) -> Reply:
    parts = inv.args.text.strip().split(maxsplit=1)
    if not parts:
        raise UsageError(f"Name one {kind.noun}.\nUsage: `{inv.usage}`")
    note = parts[1].strip() if len(parts) > 1 else None
    if note and target not in kind.machine.notes:
        raise UsageError(f"`{inv.usage}` takes only the {kind.noun}; say why in its thread.")
    with inv.deps.db.session() as session:
        item = items.get(session, inv.deps.kinds, inv.person(session), parts[0], kind)
        status = kind.statuses(item.status)
    return apply_move(inv.deps, inv.actor, Move(item.ref, status, target, note=note))
