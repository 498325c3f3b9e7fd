"""`/referral`: refer a client's need to a partner organization and follow it to an outcome. Its spec
(`SPEC`) is what makes a referral a referral to the people who use it; what it shares with the other kinds
is in commands/items/, its domain half in storage/referrals.py."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlmodel import Session

from commands.cards import Card
from commands.format import plain, when
from commands.forms import Choice, Field, FieldKind, Form
from commands.grammar import Arguments, UsageError
from commands.invocation import Deps, Invocation, Reply
from commands.items import fields, reading, sending
from commands.items.cards import thread_field
from commands.items.consent import consent_subcommand
from commands.items.moving import apply_move, buttons
from commands.kinds.spec import FormSpec, FormValues, KindSpec, Shortcuts
from commands.registry import SlashCommand, Subcommand, on_an_item, words_or_keys
from storage import items, referrals
from storage.audit import Actor
from storage.item_tables import ItemBase, Priority, Referral, ReferralStatus
from storage.models import Partner
from storage.moves import Move
from storage.opening import Opening
from storage.people import Person
from storage.permissions import Place
from storage.referrals import KIND
from storage.states import ReasonCode
from storage.threads import Summary

OPEN_ARGUMENTS = (
    "to:partner need:category [due:friday] [priority:urgent] [case:24-CR-0113] [dnc:yes] [part2:yes] details"
)
# The notice 42 CFR 2.32 requires with every disclosure of Part 2 records.
PART2_NOTICE = (
    ":warning: *42 CFR Part 2.* This record which has been disclosed to you is protected by federal "
    "confidentiality rules (42 CFR part 2). These rules prohibit you from using or disclosing this record, "
    "or testimony that describes the information contained in this record, in any civil, criminal, "
    "administrative, or legislative proceedings by any Federal, State, or local authority, against the "
    "patient, unless authorized by the consent of the patient, except as provided at 42 CFR 2.12(c)(5) or as "
    "authorized by a court in accordance with 42 CFR 2.64 or 2.65. In addition, the federal rules prohibit "
    "you from making any further disclosure of this record unless authorized by the written consent of the "
    "person to whom it pertains, or as otherwise permitted by 42 CFR part 2. A general authorization for the "
    "release of medical or other information is NOT sufficient for this purpose (see 42 CFR 2.31)."
)
LIST_FILTERS = reading.filters()


@dataclass(frozen=True)
class Draft(sending.Draft):
    """A new referral also names the need and its priority."""

    need: str | None = None
    priority: str | None = None
    need_confirmed: bool = False  # send even though the partner does not list the need
    do_not_contact: bool = False
    part2: bool = False


def wants_form(args: Arguments) -> bool:
    """Whether `/referral ...` opens the form: the need or the details are missing, or it is to be
    confirmed there."""
    return not (args.first("need") and args.text.strip()) or args.confirm


def open_referral(inv: Invocation) -> Reply:
    """`/referral ...`: send it when everything needed was typed, else open the form with what was typed."""
    args = inv.args
    assert inv.channel_id is not None
    draft = Draft(
        channel_id=inv.channel_id,
        to=args.first("to"),
        need=args.first("need"),
        text=args.text.strip(),
        due=args.first("due"),
        priority=args.first("priority"),
        case=args.first("case"),
        need_confirmed=_yes(args.first("confirm")),
        do_not_contact=_yes(args.first("dnc")),
        part2=_yes(args.first("part2")),
    )
    if wants_form(args):
        return Reply("", form=open_form(inv.deps, inv.actor, draft))
    return send(inv.deps, inv.actor, draft)


def send(deps: Deps, actor: Actor, draft: Draft) -> Reply:
    if not (draft.need and draft.text):
        raise UsageError(f"A referral needs `need:` and the details.\nUsage: `{COMMAND.usage_of()}`")
    priority, need = _priority(draft.priority), draft.need.lower()

    def store(session: Session, me: Person, new: Opening, place: Place) -> ItemBase:
        partner = new.partner
        if partner.services and need not in partner.services and not draft.need_confirmed:
            raise UsageError(
                f"{partner.name} does not list `{need}` among its services ({', '.join(partner.services)}). "
                "Check that it is the right partner; to send it anyway, add `confirm:yes` (or tick the box "
                "in the form)."
            )
        flags = referrals.Flags(draft.do_not_contact, draft.part2)
        return referrals.open_referral(
            session, me, new, need, priority, place, deps.today(), deps.detector, flags
        )

    return sending.send(deps, actor, draft, store, need)


def open_form(deps: Deps, actor: Actor, draft: Draft) -> Form:
    return Form(
        callback_id=FORM_CALLBACK,
        title="New referral",
        submit="Send",
        metadata=json.dumps({"channel": draft.channel_id}),
        fields=(
            *fields.where_fields(draft.channel_id),
            fields.partner_field(deps, actor, draft.channel_id, KIND, draft.to),
            Field("need", "Need (housing, benefits, immigration...)", value=draft.need, max_length=40),
            fields.text_field("details", "What the partner should know", draft.text),
            fields.due_field(draft.due),
            Field(
                "priority",
                "Priority",
                FieldKind.choice,
                draft.priority or Priority.routine.value,
                choices=tuple(Choice(p.value, p.value) for p in Priority),
            ),
            fields.case_field(draft.case),
            fields.CONSENT_FIELD,
            fields.checkbox(
                "confirm", "Send even if the partner does not list this need.", draft.need_confirmed
            ),
            fields.checkbox(
                "dnc", "Do not contact the client directly: go through me.", draft.do_not_contact
            ),
            fields.checkbox(
                "part2",
                "From substance-use treatment records (42 CFR Part 2): the partner may not pass it on.",
                draft.part2,
            ),
        ),
        notes=(fields.COPY_NOTE,),
    )


def form_errors(values: FormValues) -> dict[str, str]:
    """What the form can be told before it closes (field: message)."""
    errors = fields.form_errors(values, "details")
    need = values.get("need")
    if isinstance(need, str) and not referrals.NEED.match(need.lower()):
        errors["need"] = "A category in letters, like housing or mental-health."
    return errors


def submitted(deps: Deps, actor: Actor, metadata: str, values: FormValues) -> Reply:
    """The new-referral form, sent."""
    typed = fields.typed
    draft = Draft(
        channel_id=fields.channel_of(metadata, values),
        to=typed(values, "to"),
        need=typed(values, "need"),
        text=typed(values, "details") or "",
        due=typed(values, "due"),
        priority=typed(values, "priority"),
        case=typed(values, "case"),
        consent=fields.ticked(values, "consent"),
        need_confirmed=fields.ticked(values, "confirm"),
        do_not_contact=fields.ticked(values, "dnc"),
        part2=fields.ticked(values, "part2"),
        source=fields.source_of(deps, metadata),
    )
    return send(deps, actor, draft)


FORM_CALLBACK = "referral.open"


def card(referral: Referral, partner: Partner, thread: Summary) -> Card:
    """The referral's card. Never the internal case number: the channel is shared with the partner."""
    warnings = []
    if referral.do_not_contact:
        warnings.append(
            f":no_entry: *Do not contact the client directly.* Go through <@{referral.requester_id}>."
        )
    if referral.part2:
        warnings.append(PART2_NOTICE)
    return Card(
        title=f"{referral.ref} · Referral to {partner.name}",
        warnings=tuple(warnings),
        fields=(
            ("Need", referral.need),
            ("Priority", referral.priority),
            ("Due", when(referral.due_at)),
            ("Status", referral.status),
            ("Requested by", f"<@{referral.requester_id}>"),
            thread_field(thread),
        ),
        body=plain(referral.details),
        notes=(f"{partner.name}: reply in this thread. Updates to {referral.ref} appear here.",),
        buttons=buttons(referral),
    )


def show(inv: Invocation) -> Reply:
    return reading.one(inv, KIND, "R-12", _shown)


def _shown(referral: Referral, partner: Partner) -> list[str]:
    flags = [
        f
        for f, on in (
            ("do not contact the client", referral.do_not_contact),
            ("42 CFR Part 2", referral.part2),
        )
        if on
    ]
    return [
        f"*{referral.ref}* to {partner.name}: {referral.need}, {referral.priority}, *{referral.status}*"
        + (f" · :no_entry: {', '.join(flags)}" if flags else ""),
        f"Due {when(referral.due_at)}, sent by <@{referral.requester_id}> on {when(referral.created_at)}",
        f"> {plain(referral.details)}",
    ]


def list_referrals(inv: Invocation) -> Reply:
    need = (inv.args.first("need") or "").lower() or None

    def line(referral: Referral, partner: Partner) -> str:
        return f"{partner.name}: {referral.need}, {referral.status}"

    def keep(referral: Referral) -> bool:
        return need is None or referral.need == need

    return reading.listing(inv, KIND, LIST_FILTERS, line, keep)


def cancel(inv: Invocation) -> Reply:
    if len(inv.args.words) != 1 or not inv.args.first("reason"):
        raise UsageError(f"Name one referral and why.\nUsage: `{inv.usage}`")
    text = inv.args.first("reason") or ""
    code = next(
        (c for c in ReasonCode if c.value == text.lower() or c.name == text.lower()), ReasonCode.other
    )
    note = None if code != ReasonCode.other or text.lower() == "other" else text
    with inv.deps.db.session() as session:
        referral = items.get(session, inv.deps.kinds, inv.person(session), inv.args.words[0], KIND)
        status = ReferralStatus(referral.status)
    change = Move(referral.ref, status, ReferralStatus.cancelled, code, note)
    return apply_move(inv.deps, inv.actor, change)


def _yes(value: str | None) -> bool:
    return (value or "").lower() in ("yes", "true", "1")


def _priority(value: str | None) -> Priority:
    if value is None:
        return Priority.routine
    if value.lower() not in {p.value for p in Priority}:
        raise UsageError(f"`priority:{value}` must be `routine` or `urgent`.")
    return Priority(value.lower())


COMMAND = SlashCommand(
    name="/referral",
    empty_is_default=True,
    description="Refer a client's need to a partner organization and follow it to an outcome.",
    default=Subcommand(
        "open",
        "refer a client's need to a partner; `to:` defaults to the channel's partner.",
        open_referral,
        arguments=OPEN_ARGUMENTS,
        keys=frozenset({"to", "need", "due", "priority", "case", "confirm", "dnc", "part2"}),
        takes_text=True,
        opens_form=wants_form,
    ),
    subcommands=(
        consent_subcommand(KIND, "R-12"),
        Subcommand(
            "list",
            "referrals, soonest due first (open ones unless you say otherwise).",
            list_referrals,
            arguments="[mine|open|overdue|all] [partner:handle] [need:category] [page:2]",
            keys=frozenset({"partner", "need", "page"}),
            takes_text=True,
            expects=words_or_keys(*LIST_FILTERS),
        ),
        on_an_item(
            "cancel",
            "cancel a referral you sent; the reason goes into its thread.",
            cancel,
            arguments='R-12 reason:"client moved away"',
            keys=frozenset({"reason"}),
        ),
        on_an_item(
            "show",
            "one referral, with its internal case number for home staff.",
            show,
            arguments="R-12",
        ),
    ),
)


def _new_form(deps: Deps, actor: Actor, channel_id: str) -> Form:
    return open_form(deps, actor, Draft(channel_id=channel_id))


def _from_message(deps: Deps, actor: Actor, channel_id: str, text: str) -> Form:
    return open_form(deps, actor, Draft(channel_id=channel_id, text=text))


def _do_not_contact(referral: Referral) -> str:
    return " :no_entry: Do not contact the client directly." if referral.do_not_contact else ""


SPEC = KindSpec(
    kind=KIND,
    card=card,
    command=COMMAND,
    new_form=_new_form,
    new_label="New referral",
    forms=(FormSpec(FORM_CALLBACK, submitted, form_errors),),
    digest_titles={"unanswered_referrals": "Referrals waiting over two business days for the partner"},
    reminder_note=_do_not_contact,
    shortcuts=Shortcuts(
        "Refer to a partner",
        "Refer a client's need to the partner in this channel, starting from this message.",
        _from_message,
        "details",
    ),
)
