"""`/consult`: ask a partner for input on a case, with a deadline, answered in the card's thread. What it
shares with the other item kinds is in commands/items.py."""

from __future__ import annotations

import json

from sqlmodel import Session

from commands import items as shared
from commands.cards import Button, Card
from commands.format import plain, when
from commands.forms import Field, Form
from commands.grammar import UsageError
from commands.invocation import Deps, Invocation, Reply
from commands.items import Draft
from commands.registry import ITEM_ID, SlashCommand, Subcommand, words_or_keys
from storage import consults, deadlines, items
from storage.audit import Actor
from storage.deadlines import parse_due, spoken
from storage.items import Item, Opening
from storage.models import Consult, ConsultStatus, Partner
from storage.people import Person, identify
from storage.permissions import Place
from storage.threads import Summary

OPEN_ARGUMENTS = "to:partner [due:friday] [case:24-CR-0113] question"
LIST_FILTERS = {
    "mine": shared.mine,
    "open": shared.still_open,
    "overdue": shared.overdue,
    "answered": lambda item, _user_id, _now: item.status == ConsultStatus.answered,
    "all": shared.any_item,
}
LIST_USAGE = "/consult list [mine|open|overdue|answered|all] [partner:handle] [page:2]"
FORM_CALLBACK = "consult.open"
EXTEND_CALLBACK = "consult.extend"
TAKE_ACTION = "consult.take"
EXTEND_ACTION = "consult.extend"


def ask(inv: Invocation) -> Reply:
    """`/consult ...`: send it when the question was typed, else open the form with what was typed."""
    assert inv.channel_id is not None
    args = inv.args
    draft = Draft(inv.channel_id, args.first("to"), args.text.strip(), args.first("due"), args.first("case"))
    if not draft.text or args.confirm:
        return Reply("", form=open_form(inv.deps, inv.actor, draft))
    return send(inv.deps, inv.actor, draft)


def send(deps: Deps, actor: Actor, draft: Draft) -> Reply:
    if not draft.text.strip():
        raise UsageError(f"A consult needs a question.\nUsage: `/consult {OPEN_ARGUMENTS}`")

    def store(session: Session, me: Person, new: Opening, place: Place) -> Item:
        return consults.open_consult(session, me, new, place, deps.today(), deps.detector)

    return shared.send(deps, actor, draft, store, card, "a question")


def open_form(deps: Deps, actor: Actor, draft: Draft) -> Form:
    return Form(
        callback_id=FORM_CALLBACK,
        title="New consult",
        submit="Ask",
        metadata=json.dumps({"channel": draft.channel_id}),
        fields=(
            *shared.where_fields(draft.channel_id),
            shared.partner_field(deps, actor, draft.channel_id, items.CONSULTS, draft.to),
            shared.text_field("question", "Your question", draft.text),
            shared.due_field(draft.due),
            shared.case_field(draft.case),
            shared.CONSENT_FIELD,
        ),
        notes=(shared.COPY_NOTE, "The partner answers in the card's thread; you are told when they do."),
    )


def form_errors(values: shared.FormValues) -> dict[str, str]:
    return shared.form_errors(values, "question")


def draft_from_form(metadata: str, values: shared.FormValues) -> Draft:
    return Draft(
        channel_id=shared.channel_of(metadata, values),
        to=shared.typed(values, "to"),
        text=shared.typed(values, "question") or "",
        due=shared.typed(values, "due"),
        case=shared.typed(values, "case"),
        consent=values.get("consent") is True,
    )


def card(consult: Item, partner: Partner, thread: Summary) -> Card:
    """The consult's card. Never the internal case number: the channel is shared with the partner."""
    assert isinstance(consult, Consult)
    fields = [
        ("Due", when(consult.due_at)),
        ("Status", consult.status),
        ("Asked by", f"<@{consult.requester_id}>"),
    ]
    if consult.taken_by:
        fields.append(("Taken by", f"<@{consult.taken_by}>"))
    fields.append(shared.thread_field(thread))
    extra: tuple[Button, ...] = ()
    if items.is_open(consult):
        value = json.dumps({"ref": consult.ref})
        extra = (Button("I'm on it", TAKE_ACTION, value), Button("Extend deadline…", EXTEND_ACTION, value))
    return Card(
        title=f"{consult.ref} · Consult with {partner.name}",
        fields=tuple(fields),
        body=plain(consult.question),
        notes=(f"{partner.name}: answer in this thread. Updates to {consult.ref} appear here.",),
        buttons=extra[:1] + shared.buttons(consult, "consult") + extra[1:],
    )


def take(deps: Deps, actor: Actor, ref: str) -> Reply:
    """ "I'm on it": the card shows who at the partner took the consult, and the thread says so."""
    with deps.db.session() as session:
        me = identify(session, actor, deps.home_team_id, deps.admins)
        consult, before = consults.take(session, me, ref)
        partner = items.partner_of(session, consult)
    line = f"<@{actor.user_id}> ({partner.name}) is on it."
    if before:
        line += f" (Taking it over from <@{before}>.)"
    return shared.show_change(deps, consult, card, line, f"You have taken {consult.ref}.")


def extend_form(deps: Deps, actor: Actor, ref: str, channel_id: str) -> Form:
    """Asked only of someone who may move the deadline."""
    with deps.db.session() as session:
        consult = items.may_extend(
            session, identify(session, actor, deps.home_team_id, deps.admins), ref, items.CONSULTS
        )
    return Form(
        callback_id=EXTEND_CALLBACK,
        title=f"New deadline {consult.ref}",
        submit="Save",
        metadata=json.dumps({"ref": consult.ref, "channel": channel_id}),
        fields=(Field("due", "Due (friday, dec 3 5pm, 2026-12-04)"),),
        notes=(f"Now due {when(consult.due_at)}.",),
    )


def extend_form_errors(values: shared.FormValues) -> dict[str, str]:
    """A date Liaison cannot read at all, shown in the still-open form (the time zone comes later)."""
    typed = shared.typed(values, "due")
    problem = deadlines.unreadable(typed or "")
    return {"due": problem} if problem else {}


def extend(deps: Deps, actor: Actor, ref: str, typed: str) -> Reply:
    due = parse_due(typed, deps.zone_of(actor.user_id), deps.clock())
    with deps.db.session() as session:
        me = identify(session, actor, deps.home_team_id, deps.admins)
        consult = items.extend(session, me, ref, items.CONSULTS, due)
    line = f"<@{actor.user_id}> moved the deadline of {consult.ref} to {when(due)}."
    answer = "\n".join([f"{consult.ref} is now due {spoken(due)}.", *shared.due_notes(typed, due)])
    return shared.show_change(deps, consult, card, line, answer)


def show(inv: Invocation) -> Reply:
    if len(inv.args.words) != 1:
        raise UsageError("Name one consult, like `/consult show C-7`.")
    with inv.deps.db.session() as session:
        me = inv.person(session)
        consult = items.get(session, me, inv.args.words[0], items.CONSULTS)
        assert isinstance(consult, Consult)
        partner = items.partner_of(session, consult)
        taken = f", taken by <@{consult.taken_by}>" if consult.taken_by else ""
        lines = [
            f"*{consult.ref}* to {partner.name}: *{consult.status}*{taken}",
            f"Due {when(consult.due_at)}, asked by <@{consult.requester_id}> on {when(consult.created_at)}",
            f"> {plain(consult.question)}",
            *shared.details_lines(inv.deps, session, me, consult),
        ]
    return Reply("\n".join(lines))


def list_consults(inv: Invocation) -> Reply:
    def line(consult: Item, partner: Partner) -> str:
        return f"{partner.name}: {consult.status}"

    return shared.listing(inv, items.CONSULTS, LIST_FILTERS, LIST_USAGE, line)


def extend_command(inv: Invocation) -> Reply:
    due = inv.args.first("due")
    if len(inv.args.words) != 1 or not due:
        raise UsageError(
            'Name one consult and its new deadline.\nUsage: `/consult extend C-7 due:"dec 5 5pm"`'
        )
    return extend(inv.deps, inv.actor, inv.args.words[0], due)


COMMAND = SlashCommand(
    name="/consult",
    empty_is_default=True,
    description="Ask a partner organization for input on a case, with a deadline; they answer in the thread.",
    default=Subcommand(
        "ask",
        "ask a partner a question about a case; `to:` defaults to the channel's partner.",
        ask,
        arguments=OPEN_ARGUMENTS,
        keys=frozenset({"to", "due", "case"}),
        takes_text=True,
    ),
    subcommands=(
        shared.consent_subcommand(items.CONSULTS),
        Subcommand(
            "list",
            "consults, soonest due first (open ones unless you say otherwise).",
            list_consults,
            arguments="[mine|open|overdue|answered|all] [partner:handle] [page:2]",
            keys=frozenset({"partner", "page"}),
            takes_text=True,
            expects=words_or_keys(*LIST_FILTERS),
        ),
        Subcommand(
            "show",
            "one consult with its answers, and its internal case number for home staff.",
            show,
            arguments="C-7",
            takes_text=True,
            expects=ITEM_ID,
        ),
        Subcommand(
            "resolve",
            "close a consult you asked, with an optional note for its thread.",
            shared.mover(items.CONSULTS, ConsultStatus.resolved, "/consult resolve C-7 [note]", card),
            arguments="C-7 [note]",
            takes_text=True,
            expects=ITEM_ID,
        ),
        Subcommand(
            "withdraw",
            "take back a consult you asked, with an optional reason.",
            shared.mover(items.CONSULTS, ConsultStatus.withdrawn, "/consult withdraw C-7 [why]", card),
            arguments="C-7 [why]",
            takes_text=True,
            expects=ITEM_ID,
        ),
        Subcommand(
            "reopen",
            "open a resolved consult again.",
            shared.mover(items.CONSULTS, ConsultStatus.open, "/consult reopen C-7", card),
            arguments="C-7",
            takes_text=True,
            expects=ITEM_ID,
        ),
        Subcommand(
            "extend",
            "give a consult you asked a new deadline.",
            extend_command,
            arguments='C-7 due:"dec 5 5pm"',
            keys=frozenset({"due"}),
            takes_text=True,
            expects=ITEM_ID,
        ),
    ),
)
