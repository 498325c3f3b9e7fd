"""A kind of item that exists only in this test: a "note" (`/note text due:...`), owned by whoever wrote
it. It is one spec with its table, registered here; generic code gives it a card with its buttons, moves
by button and by command, a listing, reminders and a Home tab, without knowing it exists. If any of that
needed a change outside this module, the house would not be built as commands/kinds/ says."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import ClassVar

import pytest
from sqlalchemy import String, Text
from sqlmodel import Field, Session

from bot.sandbox import Message, Sandbox, visible_text
from commands.cards import Card
from commands.format import plain, when
from commands.forms import Field as FormField
from commands.forms import FieldKind, Form
from commands.grammar import UsageError
from commands.invocation import Deps, Reply
from commands.items import fields, reading, sending
from commands.items.cards import publish, thread_field
from commands.items.moving import buttons, mover
from commands.kinds import standard
from commands.kinds.spec import FormSpec, FormValues, KindSpec
from commands.registry import SlashCommand, Subcommand, on_an_item, words_or_keys
from storage import disclosure, opening
from storage.audit import Actor
from storage.item_tables import ItemBase
from storage.kinds import ItemKind
from storage.models import Partner
from storage.states import Machine, Side
from storage.threads import Summary
from tests.inprocess import InProcessBot, in_process_bot
from tests.office import ADMIN, DEFENDER, OFFICE_CHANNEL, office
from tests.office import command as typed

# ---- the domain half: its table, states and rules ------------------------------------------------------


class NoteStatus(StrEnum):
    open = "open"
    done = "done"


class Note(ItemBase, table=True):
    __tablename__ = "test_note"
    prefix: ClassVar[str] = "N"

    text: str = Field(sa_type=Text)
    status: NoteStatus = Field(default=NoteStatus.open, sa_type=String(24))


NOTE_MACHINE = Machine(
    moves={NoteStatus.open: frozenset({NoteStatus.done}), NoteStatus.done: frozenset({NoteStatus.open})},
    terminal=frozenset({NoteStatus.done}),
    who={NoteStatus.done: frozenset({Side.requester}), NoteStatus.open: frozenset({Side.requester})},
    verb={NoteStatus.done: "marked done", NoteStatus.open: "reopened"},
    buttons={NoteStatus.done: ("Done", "primary"), NoteStatus.open: ("Reopen", None)},
    error_status=NoteStatus.done,
)


def _its_writer(_session: Session, note: ItemBase) -> list[str]:
    return [note.requester_id]


KIND = ItemKind(
    name="note",
    prefix="N",
    model=Note,
    statuses=NoteStatus,
    machine=NOTE_MACHINE,
    text_column="text",
    text_name="text",
    noun="note",
    plural="notes",
    addressed=False,
    must_act=_its_writer,
)

# ---- the Slack half: its command, card and form ---------------------------------------------------------

COLLEAGUE = "U0COL"  # home staff, not the note's writer, no role


def write(deps: Deps, actor: Actor, channel_id: str, text: str, due: str | None) -> Reply:
    if not text.strip():
        raise UsageError("A note needs its text.")
    with sending.new_item(deps, actor, channel_id, due) as new:
        disclosure.screen_shared(deps.detector, new.me, text, channel_id, what="text")
        note = opening.store(new.session, new.me, KIND, new.place, new.due, "a note", text=text.strip())
    publish(deps, actor, note)
    return Reply(f"Noted *{note.ref}*, due {when(note.due_at)}.")


def card(note: Note, _partner: Partner | None, thread: Summary) -> Card:
    return Card(
        title=f"{note.ref} · Note",
        fields=(("Status", note.status), ("Due", when(note.due_at)), thread_field(thread)),
        body=plain(note.text),
        buttons=buttons(note),
    )


def new_form(deps: Deps, actor: Actor, channel_id: str) -> Form:
    sending.may_send(deps, actor, channel_id or OFFICE_CHANNEL)
    return Form(
        callback_id="note.open",
        title="New note",
        submit="Save",
        fields=(*fields.where_fields(channel_id), FormField("text", "The note", FieldKind.long_text)),
        metadata=json.dumps({"channel": channel_id}),
    )


def submitted(deps: Deps, actor: Actor, metadata: str, values: FormValues) -> Reply:
    channel = fields.channel_of(metadata, values)
    return write(deps, actor, channel, fields.typed(values, "text") or "", None)


COMMAND = SlashCommand(
    name="/note",
    description="Keep a note with a deadline.",
    empty_is_default=True,
    default=Subcommand(
        "add",
        "write a note",
        lambda inv: write(inv.deps, inv.actor, inv.channel_id or "", inv.args.text, inv.args.first("due")),
        arguments="text [due:friday]",
        keys=frozenset({"due"}),
        takes_text=True,
    ),
    subcommands=(
        Subcommand(
            "list",
            "notes, soonest due first",
            lambda inv: reading.listing(inv, KIND, reading.filters(), _line),
            arguments="[mine|open|overdue|all] [page:2]",
            keys=frozenset({"page", "partner"}),
            takes_text=True,
            expects=words_or_keys(*reading.filters()),
        ),
        on_an_item(
            "done",
            "mark a note done",
            mover(KIND, NoteStatus.done),
            arguments="N-1",
        ),
    ),
)


def _line(note: Note, _partner: Partner | None) -> str:
    return f"{plain(note.text[:40])}: {note.status}"


def _mine(user_id: str, note: Note) -> bool:
    return note.requester_id == user_id


SPEC = KindSpec(
    kind=KIND,
    card=card,
    command=COMMAND,
    new_form=new_form,
    new_label="New note",
    forms=(FormSpec("note.open", submitted),),
    awaits=_mine,
)

# ---- the tests -------------------------------------------------------------------------------------------


@pytest.fixture
def bot(tmp_path: Path) -> Iterator[tuple[Sandbox, InProcessBot]]:
    with office() as slack, in_process_bot(slack, tmp_path, specs=standard(SPEC)) as running:
        yield slack, running


def _card(slack: Sandbox, ref: str) -> Message:
    return next(m for m in slack.messages(OFFICE_CHANNEL) if m.text.startswith(f"{ref} · Note"))


def _buttons(message: Message) -> list[str]:
    return [e["text"]["text"] for b in message.blocks or [] if b["type"] == "actions" for e in b["elements"]]


def test_a_note_gets_a_card_with_its_moves(bot: tuple[Sandbox, InProcessBot]) -> None:
    slack, running = bot
    answer = typed(
        slack, running, DEFENDER, OFFICE_CHANNEL, "/note", "Call the clerk about the docket due:friday"
    )
    assert answer.startswith("Noted *N-1*"), answer
    card = _card(slack, "N-1")
    shown = visible_text(card)
    assert "Call the clerk about the docket" in shown and "Status open" in shown.replace(":", "")
    assert _buttons(card) == ["Done"]

    clicked = slack.click(DEFENDER, OFFICE_CHANNEL, card.ts, "note.move.done")
    assert clicked.acked
    slack.wait_for(
        lambda: "done" in visible_text(_card(slack, "N-1")).split("Status")[1][:12], message="done"
    )
    assert _buttons(_card(slack, "N-1")) == ["Reopen"]
    thread = slack.wait_for(lambda: slack.messages(OFFICE_CHANNEL, thread_ts=card.ts), message="thread line")
    assert "marked done N-1" in visible_text(thread[-1])


def test_a_note_is_listed_and_moved_by_command(bot: tuple[Sandbox, InProcessBot]) -> None:
    slack, running = bot
    for text in ("First note due:friday", "Second note due:monday"):
        typed(slack, running, DEFENDER, OFFICE_CHANNEL, "/note", text)
    listed = typed(slack, running, DEFENDER, OFFICE_CHANNEL, "/note", "list")
    assert listed.splitlines()[0] == "*Notes (open)*: 2, soonest due first, page 1 of 1"
    assert "N-1* First note: open" in listed and "N-2* Second note: open" in listed
    assert "N-2 is now *done*." in typed(slack, running, DEFENDER, OFFICE_CHANNEL, "/note", "done N-2")
    assert "N-2" not in typed(slack, running, DEFENDER, OFFICE_CHANNEL, "/note", "list")
    assert "N-2* Second note: done" in typed(slack, running, DEFENDER, OFFICE_CHANNEL, "/note", "list all")
    slack.add_user(COLLEAGUE, "cole", real_name="Cole Colleague")
    slack.add_member(OFFICE_CHANNEL, COLLEAGUE)
    refused = typed(slack, running, COLLEAGUE, OFFICE_CHANNEL, "/note", "done N-1")
    assert refused.startswith("Only the person who sent it or a coordinator can"), refused
    assert "N-1* First note: open" in typed(slack, running, ADMIN, OFFICE_CHANNEL, "/note", "list")


def test_an_overdue_note_is_reminded_in_its_thread_once(bot: tuple[Sandbox, InProcessBot]) -> None:
    slack, running = bot
    typed(slack, running, DEFENDER, OFFICE_CHANNEL, "/note", "File the motion due:2026-11-25")
    card = _card(slack, "N-1")
    late = datetime.fromisoformat("2026-11-27T15:00:00+00:00")  # Friday: Thanksgiving is no working day
    done = running.tick(late)
    assert "sent due reminder for N-1 to U0DEF" in done, done
    (reminder,) = slack.messages(OFFICE_CHANNEL, thread_ts=card.ts)
    assert visible_text(reminder).startswith("<@U0DEF> :warning: *N-1* is past due: it was due <!date^")
    assert "Snooze 1 day" in visible_text(reminder)
    assert not any("reminder for N-1" in line for line in running.tick(late + timedelta(minutes=1)))


def test_a_note_shows_on_its_writers_home_tab_waiting_on_them(bot: tuple[Sandbox, InProcessBot]) -> None:
    slack, running = bot
    typed(slack, running, DEFENDER, OFFICE_CHANNEL, "/note", "Read the brief due:friday")
    slack.open_app_home(DEFENDER)
    home = slack.wait_for(lambda: slack.home_view(DEFENDER), message="the Home tab")
    shown = visible_text(home).splitlines()
    assert shown[:5] == ["Liaison", "New referral", "New consult", "New action item", "New note"]
    assert shown[6].startswith("• *waiting on you* · *N-1* notes, open, due <!date^"), shown
