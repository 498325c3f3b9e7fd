"""`/consult`: ask a partner for input on a case, with a deadline, answered in the card's thread. Its spec
is `SPEC`; what it shares with the other kinds is in commands/items/, its domain half in
storage/consults.py."""

from __future__ import annotations

import json

from sqlmodel import Session

from commands.cards import Button, Card
from commands.format import plain, when
from commands.forms import Field, Form
from commands.grammar import Arguments, UsageError
from commands.invocation import Deps, Invocation, Reply
from commands.items import fields, reading, sending
from commands.items.cards import thread_field
from commands.items.changes import show_change
from commands.items.consent import consent_subcommand
from commands.items.moving import buttons, mover
from commands.items.sending import Draft
from commands.kinds.spec import CardAction, FormSpec, FormValues, KindSpec, Shortcuts
from commands.registry import SlashCommand, Subcommand, on_an_item, words_or_keys
from storage import consults, deadlines, items, moves
from storage.audit import Actor
from storage.consults import KIND
from storage.deadlines import parse_due, spoken
from storage.item_tables import Consult, ConsultStatus, ItemBase
from storage.models import Partner
from storage.opening import Opening
from storage.people import Person
from storage.permissions import Place
from storage.threads import Summary

OPEN_ARGUMENTS = "to:partner [due:friday] [case:24-CR-0113] question"
LIST_FILTERS = reading.filters(answered=reading.in_status(ConsultStatus.answered))
FORM_CALLBACK = "consult.open"
EXTEND_CALLBACK = "consult.extend"
TAKE_ACTION = "consult.take"
EXTEND_ACTION = "consult.extend"


def wants_form(args: Arguments) -> bool:
    """Whether `/consult ...` opens the form: no question, or it is to be confirmed there."""
    return not args.text.strip() or args.confirm


def ask(inv: Invocation) -> Reply:
    """`/consult ...`: send it when the question was typed, else open the form with what was typed."""
    assert inv.channel_id is not None
    args = inv.args
    draft = Draft(inv.channel_id, args.first("to"), args.text.strip(), args.first("due"), args.first("case"))
    if wants_form(args):
        return Reply("", form=open_form(inv.deps, inv.actor, draft))
    return send(inv.deps, inv.actor, draft)


def send(deps: Deps, actor: Actor, draft: Draft) -> Reply:
    if not draft.text.strip():
        raise UsageError(f"A consult needs a question.\nUsage: `{COMMAND.usage_of()}`")

    def store(session: Session, me: Person, new: Opening, place: Place) -> ItemBase:
        return consults.open_consult(session, me, new, place, deps.today(), deps.detector)

    return sending.send(deps, actor, draft, store, "a question")


def open_form(deps: Deps, actor: Actor, draft: Draft) -> Form:
    return Form(
        callback_id=FORM_CALLBACK,
        title="New consult",
        submit="Ask",
        metadata=json.dumps({"channel": draft.channel_id}),
        fields=(
            *fields.where_fields(draft.channel_id),
            fields.partner_field(deps, actor, draft.channel_id, KIND, draft.to),
            fields.text_field("question", "Your question", draft.text),
            fields.due_field(draft.due),
            fields.case_field(draft.case),
            fields.CONSENT_FIELD,
        ),
        notes=(fields.COPY_NOTE, "The partner answers in the card's thread; you are told when they do."),
    )


def form_errors(values: FormValues) -> dict[str, str]:
    return fields.form_errors(values, "question")


def submitted(deps: Deps, actor: Actor, metadata: str, values: FormValues) -> Reply:
    """The new-consult form, sent."""
    draft = Draft(
        channel_id=fields.channel_of(metadata, values),
        to=fields.typed(values, "to"),
        text=fields.typed(values, "question") or "",
        due=fields.typed(values, "due"),
        case=fields.typed(values, "case"),
        consent=fields.ticked(values, "consent"),
        source=fields.source_of(deps, metadata),
    )
    return send(deps, actor, draft)


def card(consult: Consult, partner: Partner, thread: Summary) -> Card:
    """The consult's card. Never the internal case number: the channel is shared with the partner."""
    shown = [
        ("Due", when(consult.due_at)),
        ("Status", consult.status),
        ("Asked by", f"<@{consult.requester_id}>"),
    ]
    if consult.taken_by:
        shown.append(("Taken by", f"<@{consult.taken_by}>"))
    shown.append(thread_field(thread))
    extra: tuple[Button, ...] = ()
    if items.is_open(consult):
        value = json.dumps({"ref": consult.ref})
        extra = (Button("I'm on it", TAKE_ACTION, value), Button("Extend deadline…", EXTEND_ACTION, value))
    return Card(
        title=f"{consult.ref} · Consult with {partner.name}",
        fields=tuple(shown),
        body=plain(consult.question),
        notes=(f"{partner.name}: answer in this thread. Updates to {consult.ref} appear here.",),
        buttons=extra[:1] + buttons(consult) + extra[1:],
    )


def take(deps: Deps, actor: Actor, ref: str, _channel_id: str = "") -> Reply:
    """ "I'm on it": the card shows who at the partner took the consult, and the thread says so."""
    with deps.db.session() as session:
        me = deps.person(session, actor)
        consult, before = consults.take(session, deps.kinds, me, ref)
        partner = items.addressee(session, consult)
    line = f"<@{actor.user_id}> ({partner.name}) is on it."
    if before:
        line += f" (Taking it over from <@{before}>.)"
    return show_change(deps, consult, line, f"You have taken {consult.ref}.")


def extend_form(deps: Deps, actor: Actor, ref: str, channel_id: str) -> Form:
    """Asked only of someone who may move the deadline."""
    with deps.db.session() as session:
        consult = moves.may_extend(session, deps.kinds, deps.person(session, actor), ref, KIND)
    return Form(
        callback_id=EXTEND_CALLBACK,
        title=f"New deadline {consult.ref}",
        submit="Save",
        metadata=json.dumps({"ref": consult.ref, "channel": channel_id}),
        fields=(Field("due", "Due (friday, dec 3 5pm, 2026-12-04)"),),
        notes=(f"Now due {when(consult.due_at)}.",),
    )


def extend_form_errors(values: FormValues) -> dict[str, str]:
    """A date Liaison cannot read at all, shown in the still-open form (the time zone comes later)."""
    typed = fields.typed(values, "due")
    problem = deadlines.unreadable(typed or "")
    return {"due": problem} if problem else {}


def extend(deps: Deps, actor: Actor, ref: str, typed: str) -> Reply:
    with deps.db.session() as session:
        due = parse_due(typed, deps.zone_of(actor.user_id), deps.clock(), deps.calendar(session))
        consult = moves.extend(session, deps.kinds, deps.person(session, actor), ref, KIND, due.at)
    line = f"<@{actor.user_id}> moved the deadline of {consult.ref} to {when(due.at)}."
    now_due = f"{consult.ref} is now due {spoken(due.at, deps.clock())}."
    answer = "\n".join([now_due, *sending.due_notes(typed, due)])
    return show_change(deps, consult, line, answer)


def extended(deps: Deps, actor: Actor, metadata: str, values: FormValues) -> Reply:
    """The Extend… form, sent."""
    return extend(deps, actor, fields.ref_in(metadata), fields.typed(values, "due") or "")


def show(inv: Invocation) -> Reply:
    return reading.one(inv, KIND, "C-7", _shown)


def _shown(consult: Consult, partner: Partner) -> list[str]:
    taken = f", taken by <@{consult.taken_by}>" if consult.taken_by else ""
    return [
        f"*{consult.ref}* to {partner.name}: *{consult.status}*{taken}",
        f"Due {when(consult.due_at)}, asked by <@{consult.requester_id}> on {when(consult.created_at)}",
        f"> {plain(consult.question)}",
    ]


def list_consults(inv: Invocation) -> Reply:
    def line(consult: Consult, partner: Partner) -> str:
        return f"{partner.name}: {consult.status}"

    return reading.listing(inv, KIND, LIST_FILTERS, line)


def extend_command(inv: Invocation) -> Reply:
    due = inv.args.first("due")
    if due and len(inv.args.words) > 1:  # `due:Dec 4` without quotes: `4` is a word of its own
        extra = " ".join(inv.args.words[1:])
        raise UsageError(
            f"`{extra}` after the consult is not read: a new deadline with spaces goes in quotes, like "
            f'`due:"{due} {extra}"`.\nUsage: `{inv.usage}`'
        )
    if len(inv.args.words) != 1 or not due:
        raise UsageError(f"Name one consult and its new deadline.\nUsage: `{inv.usage}`")
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
        opens_form=wants_form,
    ),
    subcommands=(
        consent_subcommand(KIND, "C-7"),
        Subcommand(
            "list",
            "consults, soonest due first (open ones unless you say otherwise).",
            list_consults,
            arguments="[mine|open|overdue|answered|all] [partner:handle] [page:2]",
            keys=frozenset({"partner", "page"}),
            takes_text=True,
            expects=words_or_keys(*LIST_FILTERS),
        ),
        on_an_item(
            "show",
            "one consult with its answers, and its internal case number for home staff.",
            show,
            arguments="C-7",
        ),
        on_an_item(
            "resolve",
            "close a consult you asked, with an optional note for its thread.",
            mover(KIND, ConsultStatus.resolved),
            arguments="C-7 [note]",
        ),
        on_an_item(
            "withdraw",
            "take back a consult you asked, with an optional reason.",
            mover(KIND, ConsultStatus.withdrawn),
            arguments="C-7 [why]",
        ),
        on_an_item(
            "reopen",
            "open a resolved consult again.",
            mover(KIND, ConsultStatus.open),
            arguments="C-7",
        ),
        on_an_item(
            "extend",
            "give a consult you asked a new deadline.",
            extend_command,
            arguments='C-7 due:"dec 5 5pm"',
            keys=frozenset({"due"}),
        ),
    ),
)


def _new_form(deps: Deps, actor: Actor, channel_id: str) -> Form:
    return open_form(deps, actor, Draft(channel_id=channel_id))


def _from_message(deps: Deps, actor: Actor, channel_id: str, text: str) -> Form:
    return open_form(deps, actor, Draft(channel_id=channel_id, text=text))


def _answered_to_me(user_id: str, consult: Consult) -> bool:
    return consult.status == ConsultStatus.answered and consult.requester_id == user_id


SPEC = KindSpec(
    kind=KIND,
    card=card,
    command=COMMAND,
    new_form=_new_form,
    new_label="New consult",
    forms=(
        FormSpec(FORM_CALLBACK, submitted, form_errors),
        FormSpec(EXTEND_CALLBACK, extended, extend_form_errors),
    ),
    actions=(CardAction(TAKE_ACTION, take), CardAction(EXTEND_ACTION, extend_form)),
    awaits=_answered_to_me,
    digest_titles={"unanswered_consults": "Consults waiting for a first answer"},
    shortcuts=Shortcuts(
        "Ask a partner",
        "Ask the partner in this channel for input on a case, starting from this message.",
        _from_message,
        "question",
    ),
)
