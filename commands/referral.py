"""`/referral`: refer a client's need to a partner organization and follow it to an outcome."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from commands.cards import Button, Card
from commands.format import when
from commands.forms import Choice, Field, Form, Kind
from commands.grammar import UsageError, page_number
from commands.invocation import Deps, Invocation, Reply, SlackRefused
from commands.registry import SlashCommand, Subcommand
from storage import cards, partners, referrals, threads
from storage.audit import Actor
from storage.deadlines import business_days_after, parse_due, spoken
from storage.errors import LiaisonError
from storage.models import ItemKind, Partner, Priority, Referral, ReferralStatus
from storage.people import Affiliation, identify
from storage.permissions import Action, check, require
from storage.referral_states import NEEDS_OUTCOME, NEEDS_REASON, TERMINAL, VERB, ReasonCode, next_moves
from storage.referrals import Move, NewReferral

log = logging.getLogger("liaison")
NOT_THERE = ("not_in_channel", "channel_not_found")
# A live send posts within a minute even through Slack's retries; a claim older than this was abandoned.
UNPOSTED_AFTER = timedelta(minutes=5)  # longer than any live post, retries and 429 waits included
OPEN_ARGUMENTS = "to:partner need:category [due:friday] [priority:urgent] [case:24-CR-0113] details"
DEFAULT_BUSINESS_DAYS = 5
LIST_FILTERS = ("mine", "open", "overdue", "all")
LIST_USAGE = "/referral list [mine|open|overdue|all] [partner:handle] [need:category] [page:2]"
CANCEL_USAGE = '/referral cancel R-12 reason:"client moved away"'
PAGE_SIZE = 20
SHOWN_REPLIES = 10


@dataclass(frozen=True)
class Draft:
    """What a person has said so far about a new referral, on the command line or in the form."""

    channel_id: str
    to: str | None = None
    need: str | None = None
    details: str = ""
    due: str | None = None
    priority: str | None = None
    case: str | None = None
    consent: bool = False  # "the client agreed to share this with the partner"
    need_confirmed: bool = False  # send even though the partner does not list the need


def open_referral(inv: Invocation) -> Reply:
    """`/referral ...`: send it when everything needed was typed, else open the form with what was typed."""
    args = inv.args
    assert inv.channel_id is not None
    draft = Draft(
        channel_id=inv.channel_id,
        to=args.first("to"),
        need=args.first("need"),
        details=args.text.strip(),
        due=args.first("due"),
        priority=args.first("priority"),
        case=args.first("case"),
        need_confirmed=(args.first("confirm") or "").lower() == "yes",
    )
    if not (draft.need and draft.details):
        return Reply("", form=open_form(inv.deps, inv.actor, draft))
    return send(inv.deps, inv.actor, draft)


def send(deps: Deps, actor: Actor, draft: Draft) -> Reply:
    """Check and store a referral, then post its card. A referral whose card Slack refuses is removed
    again, so none is left that nobody can see; one left unposted by a crash is still stored (pending)."""
    if not (draft.need and draft.details):
        raise UsageError(f"A referral needs `need:` and the details.\nUsage: `/referral {OPEN_ARGUMENTS}`")
    priority = _priority(draft.priority)
    may_send(deps, actor, draft.channel_id)  # before any partner is looked up: names are not for outsiders
    timezone = deps.slack.timezone_of(actor.user_id) or deps.timezone
    now = deps.clock().astimezone(ZoneInfo(timezone))
    due = (
        parse_due(draft.due, timezone, now) if draft.due else business_days_after(now, DEFAULT_BUSINESS_DAYS)
    )
    place = deps.slack.place(draft.channel_id, fresh=True)  # who reads it now, not ten minutes ago
    need = draft.need.lower()
    with deps.db.session() as session:
        me = identify(session, actor, deps.home_team_id, deps.admins)
        partner = _partner(session, draft.channel_id, draft.to)
        if partner.services and need not in partner.services and not draft.need_confirmed:
            raise UsageError(
                f"{partner.name} does not list `{need}` among its services ({', '.join(partner.services)}). "
                "Check that it is the right partner; to send it anyway, add `confirm:yes` (or tick the box "
                "in the form)."
            )
        new = NewReferral(partner, need, draft.details, due, priority, draft.case, draft.consent)
        referral = referrals.open_referral(session, me, new, place, deps.today())
    try:
        post_card(deps, referral, partner, actor)
    except SlackRefused as refused:
        hint = (
            " Invite Liaison with `/invite @liaison` and send it again." if refused.code in NOT_THERE else ""
        )
        raise LiaisonError(
            f"Slack refused to post the card ({refused.code}), so {referral.ref} was not sent: nobody "
            f"outside the office saw it, and it is closed as entered in error.{hint}"
        ) from refused
    lines = [f"Sent *{referral.ref}* to {partner.name}: {referral.need}, due {spoken(due)}."]
    if referral.case_number:
        lines.append(
            f"Case `{referral.case_number}` is kept with it in Liaison and is not posted in the channel."
        )
    if place.external_teams:
        lines.append(
            "The card is now also in the partner's workspace: deleting it here does not delete their copy."
        )
    return Reply("\n".join(lines))


def post_card(deps: Deps, referral: Referral, partner: Partner, actor: Actor) -> None:
    """Post a stored referral's card and attach it. If Slack refuses, the referral is withdrawn (closed as
    entered in error) and SlackRefused raised; if another process took the claim over meanwhile, the card
    just posted is the duplicate and is deleted again."""
    try:
        ts = deps.slack.post_card(referral.channel_id, card(referral, partner))
    except SlackRefused as refused:
        with deps.db.session() as session:
            referrals.withdraw_unposted(session, actor, referral, refused.code)
        raise
    with deps.db.session() as session:
        attached = cards.attach(session, referral, ts)
    if not attached:
        log.warning("%s was taken over by another process while posting; deleting this copy", referral.ref)
        deps.slack.delete_card(referral.channel_id, ts)


def post_unposted_cards(deps: Deps) -> list[str]:
    """On start: post the cards of referrals stored but never posted because a process stopped in between.
    Each is checked again as a new one would be (who reads the channel now, the agreement today); one that
    would now be refused is withdrawn and its requester told why."""
    # SQLite serves one instance, so at start every claim is abandoned; with PostgreSQL another instance
    # may be posting right now, so only claims older than any live post are taken.
    cutoff = deps.clock() if deps.db.dialect == "sqlite" else deps.clock() - UNPOSTED_AFTER
    with deps.db.session() as session:
        claimed = cards.claim_unposted(session, Referral, cutoff)
    posted = []
    for referral in claimed:
        try:
            if _still_allowed(deps, referral):
                with deps.db.session() as session:
                    partner = referrals.partner_of(session, referral)
                post_card(deps, referral, partner, Actor(referral.requester_id, deps.home_team_id))
                posted.append(referral.ref)
        except Exception:  # one referral's trouble must not keep Liaison from starting
            log.exception("could not post the card of %s; it stays pending for the next start", referral.ref)
    return posted


def _still_allowed(deps: Deps, referral: Referral) -> bool:
    requester = Actor(referral.requester_id, deps.home_team_id)
    place = deps.slack.place(referral.channel_id, fresh=True)
    with deps.db.session() as session:
        partner = referrals.partner_of(session, referral)
        verdict = check(
            session,
            identify(session, requester, deps.home_team_id, deps.admins),
            Action.create_item,
            partner=partner,
            kind=ItemKind.referral,
            place=place,
            today=deps.today(),
        )
        if verdict.allowed:
            return True
        referrals.withdraw_unposted(session, requester, referral, f"refused on retry: {verdict.reason[:200]}")
    deps.slack.tell(
        referral.requester_id, f"{referral.ref} was not posted after Liaison restarted: {verdict.reason}"
    )
    return False


def may_send(deps: Deps, actor: Actor, channel_id: str) -> None:
    """Refuse (audited) anyone who may not send referrals at all."""
    with deps.db.session() as session:
        me = identify(session, actor, deps.home_team_id, deps.admins)
        require(session, me, Action.create_item, channel_id=channel_id)


def open_form(deps: Deps, actor: Actor, draft: Draft) -> Form:
    may_send(deps, actor, draft.channel_id)
    with deps.db.session() as session:
        choices = tuple(
            Choice(p.handle, p.name)
            for p in partners.everyone(session)
            if p.status == "active" and ItemKind.referral.value in p.scope
        )
        linked = partners.linked_partners(session, draft.channel_id)
    chosen = draft.to or (linked[0].handle if len(linked) == 1 else None)
    return Form(
        callback_id=FORM_CALLBACK,
        title="New referral",
        submit="Send",
        metadata=json.dumps({"channel": draft.channel_id}),
        fields=(
            Field("to", "Partner", Kind.choice, chosen, choices=choices),
            Field("need", "Need (housing, benefits, immigration...)", value=draft.need, max_length=40),
            Field(
                "details",
                "What the partner should know",
                Kind.long_text,
                draft.details or None,
                hint="No names, dates of birth, phone numbers or addresses unless the client agreed below.",
                max_length=referrals.DETAILS_LIMIT,
            ),
            Field(
                "due",
                "Due (friday, dec 3 5pm, 2026-12-04)",
                value=draft.due,
                optional=True,
                hint=f"Leave empty for {DEFAULT_BUSINESS_DAYS} business days.",
            ),
            Field(
                "priority",
                "Priority",
                Kind.choice,
                draft.priority or Priority.routine.value,
                choices=tuple(Choice(p.value, p.value) for p in Priority),
            ),
            Field(
                "case",
                "Case number (kept in Liaison, never posted)",
                value=draft.case,
                optional=True,
                max_length=64,
            ),
            Field(
                "consent",
                "The client agreed to share identifying details with this partner, and its "
                "agreement allows it.",
                Kind.checkbox,
                optional=True,
            ),
            Field(
                "confirm", "Send even if the partner does not list this need.", Kind.checkbox, optional=True
            ),
        ),
        notes=("The card goes to this channel; the partner's workspace keeps its own copy.",),
    )


def form_errors(values: dict[str, str | bool | None]) -> dict[str, str]:
    """Problems Liaison can see without asking anyone, shown inside the still-open form (field: message)."""
    errors = {}
    need, details, case = values.get("need"), values.get("details"), values.get("case")
    if isinstance(need, str) and not referrals.NEED.match(need.lower()):
        errors["need"] = "A category in letters, like housing or mental-health."
    if isinstance(details, str) and len(details) > referrals.DETAILS_LIMIT:
        errors["details"] = (
            f"At most {referrals.DETAILS_LIMIT} characters; add the rest in the card's thread."
        )
    if isinstance(case, str) and len(case) > 64:
        errors["case"] = "At most 64 characters."
    return errors


def draft_from_form(metadata: str, values: dict[str, str | bool | None]) -> Draft:
    def text(key: str) -> str | None:
        value = values.get(key)
        return value if isinstance(value, str) else None

    return Draft(
        channel_id=json.loads(metadata)["channel"],
        to=text("to"),
        need=text("need"),
        details=text("details") or "",
        due=text("due"),
        priority=text("priority"),
        case=text("case"),
        consent=values.get("consent") is True,
        need_confirmed=values.get("confirm") is True,
    )


def move_form(change: Move, channel_id: str) -> Form:
    """What a move asks for before it is made: a coded reason and a note, or the outcome."""
    fields: list[Field] = []
    if change.target in NEEDS_REASON:
        fields.append(
            Field(
                "reason", "Reason", Kind.choice, choices=tuple(Choice(r.value, r.value) for r in ReasonCode)
            )
        )
    wants_outcome = change.target in NEEDS_OUTCOME
    fields.append(
        Field(
            "note",
            "Outcome: what happened for the client" if wants_outcome else "Note (optional)",
            Kind.long_text,
            optional=not wants_outcome,
        )
    )
    value = {
        "ref": change.ref,
        "from": change.expected.value,
        "to": change.target.value,
        "channel": channel_id,
    }
    return Form(
        callback_id=MOVE_FORM_CALLBACK,
        title=f"{MOVE_TITLES[change.target]} {change.ref}",
        submit="Save",
        metadata=json.dumps(value),
        fields=tuple(fields),
        notes=(
            f"This goes into {change.ref}'s thread, which the partner's workspace keeps a copy of. Leave out "
            "the client's name and other identifying details.",
        ),
    )


def move_from_form(metadata: str, values: dict[str, str | bool | None]) -> tuple[Move, str]:
    value = json.loads(metadata)
    code, note = values.get("reason"), values.get("note")
    change = Move(
        value["ref"],
        ReferralStatus(value["from"]),
        ReferralStatus(value["to"]),
        ReasonCode(code) if isinstance(code, str) else None,
        note if isinstance(note, str) else None,
    )
    return change, value["channel"]


BUTTON_LABELS: dict[ReferralStatus, tuple[str, str | None]] = {
    ReferralStatus.accepted: ("Accept", "primary"),
    ReferralStatus.in_progress: ("Start", None),
    ReferralStatus.on_hold: ("Put on hold…", None),
    ReferralStatus.completed: ("Complete…", "primary"),
    ReferralStatus.rejected: ("Reject…", "danger"),
    ReferralStatus.failed: ("Could not complete…", None),
    ReferralStatus.cancelled: ("Cancel referral…", "danger"),
    ReferralStatus.entered_in_error: ("Entered in error…", None),
}
MOVE_ACTION = "referral.move"
MOVE_FORM_CALLBACK = "referral.move"
FORM_CALLBACK = "referral.open"
MOVE_TITLES = {
    ReferralStatus.rejected: "Reject",
    ReferralStatus.on_hold: "Put on hold",
    ReferralStatus.completed: "Complete",
    ReferralStatus.failed: "Could not complete",
    ReferralStatus.cancelled: "Cancel",
    ReferralStatus.entered_in_error: "Entered in error",
}


def buttons(referral: Referral) -> tuple[Button, ...]:
    """Every next step either side may take (a channel message looks the same to everyone; each click is
    checked against who clicked)."""
    status = ReferralStatus(referral.status)
    found = []
    for target in next_moves(status):
        label, style = BUTTON_LABELS[target]
        if target == ReferralStatus.in_progress and status == ReferralStatus.on_hold:
            label = "Resume"
        value = json.dumps({"ref": referral.ref, "from": status.value, "to": target.value})
        found.append(Button(label, f"{MOVE_ACTION}.{target.value}", value, style))
    return tuple(found)


def apply_move(deps: Deps, actor: Actor, change: Move) -> Reply:
    """Make the move, then show it: the card updated in place and a line in its thread for the requester."""
    with deps.db.session() as session:
        me = identify(session, actor, deps.home_team_id, deps.admins)
        referral = referrals.move(session, me, change)
        partner = referrals.partner_of(session, referral)
        who = "the office" if me.affiliation == Affiliation.home else partner.name
    assert referral.card_ts is not None
    try:
        _show_move(deps, actor, change, referral, partner, who)
    except SlackRefused as refused:  # the move is saved; only its showing in the channel failed
        log.warning(
            "%s moved to %s but its card was not updated: %s", referral.ref, referral.status, refused.code
        )
        return Reply(
            f"{referral.ref} is now *{referral.status}*, but Slack refused to update its card "
            f"({refused.code}). The change is saved: `/referral show {referral.ref}` shows it."
        )
    return Reply(f"{referral.ref} is now *{referral.status}*.")


def _show_move(
    deps: Deps, actor: Actor, change: Move, referral: Referral, partner: Partner, who: str
) -> None:
    assert referral.card_ts is not None
    deps.slack.update_card(referral.channel_id, referral.card_ts, card(referral, partner))
    line = f"<@{actor.user_id}> ({who}) {VERB[change.target]} {referral.ref}"
    if change.reason_code:
        line += f": {change.reason_code.value}"
    if change.note:
        line += f"\n> {change.note}"
    if actor.user_id != referral.requester_id:
        line += f"\n<@{referral.requester_id}>, {referral.ref} is now *{referral.status}*."
    deps.slack.post_in_thread(referral.channel_id, referral.card_ts, line)


def card(referral: Referral, partner: Partner) -> Card:
    """The referral's card. Never the internal case number: the channel is shared with the partner."""
    return Card(
        title=f"{referral.ref} · Referral to {partner.name}",
        fields=(
            ("Need", referral.need),
            ("Priority", referral.priority),
            ("Due", when(referral.due_at)),
            ("Status", referral.status),
            ("Requested by", f"<@{referral.requester_id}>"),
        ),
        body=referral.details,
        notes=(f"{partner.name}: reply in this thread. Updates to {referral.ref} appear here.",),
        buttons=buttons(referral),
    )


def show(inv: Invocation) -> Reply:
    if len(inv.args.words) != 1:
        raise UsageError("Name one referral, like `/referral show R-12`.")
    with inv.deps.db.session() as session:
        me = inv.person(session)
        referral = referrals.get(session, me, inv.args.words[0])
        partner = referrals.partner_of(session, referral)
        events = referrals.history(session, referral)
        thread = threads.replies(session, referral.ref)
    lines = [
        f"*{referral.ref}* to {partner.name}: {referral.need}, {referral.priority}, *{referral.status}*",
        f"Due {when(referral.due_at)}, sent by <@{referral.requester_id}> on {when(referral.created_at)}",
    ]
    if me.affiliation == Affiliation.home and referral.case_number:
        lines.append(f"Case `{referral.case_number}` (internal: shown only to you)")
    lines.append(f"> {referral.details}")
    for event in events:
        why = f": {event.reason_code}" if event.reason_code else ""
        note = f" ({event.note})" if event.note else ""
        lines.append(
            f"• {when(event.at)} <@{event.actor_user_id}> {event.from_status} → {event.to_status}{why}{note}"
        )
    first = f", first response {when(referral.first_response_at)}" if referral.first_response_at else ""
    kept = [r for r in thread if not r.deleted]
    lines.append(f"Thread: {len(kept)} repl{'y' if len(kept) == 1 else 'ies'}{first}.")
    for reply in kept[-SHOWN_REPLIES:]:
        edited = " _(edited)_" if reply.edited_at else ""
        lines.append(f"  ◦ {when(reply.at)} <@{reply.user_id}>: {reply.text[:300]}{edited}")
    if referral.posted and referral.card_ts:
        lines.append(f"<{inv.deps.slack.permalink(referral.channel_id, referral.card_ts)}|Open the card>")
    elif not referral.posted:
        lines.append("Its card is still being posted.")
    return Reply("\n".join(lines))


def list_referrals(inv: Invocation) -> Reply:
    words = [w.lower() for w in inv.args.words] or ["open"]
    if len(words) != 1 or words[0] not in LIST_FILTERS:
        raise UsageError(f"List one of {', '.join(f'`{f}`' for f in LIST_FILTERS)}.\nUsage: `{LIST_USAGE}`")
    page = page_number(inv.args.first("page"), LIST_USAGE)
    now = inv.deps.clock()
    with inv.deps.db.session() as session:
        me = inv.person(session)
        partner = partners.get(session, inv.args.first("partner")) if inv.args.first("partner") else None
        need = (inv.args.first("need") or "").lower() or None
        found = [
            r
            for r in referrals.visible_to(session, me)
            if _matches(r, words[0], me.user_id, now)
            and (partner is None or r.partner_id == partner.id)
            and (need is None or r.need == need)
        ]
        names = {r.partner_id: referrals.partner_of(session, r).name for r in found}
    pages = max(1, -(-len(found) // PAGE_SIZE))
    shown = found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    if not shown:
        return Reply("No referrals match." if page == 1 else f"There is no page {page}.")
    lines = [f"*Referrals ({words[0]})*: {len(found)}, soonest due first, page {page} of {pages}"]
    for r in shown:
        late = " :warning: overdue" if _is_overdue(r, now) else ""
        lines.append(f"• *{r.ref}* {names[r.partner_id]}: {r.need}, {r.status}, due {when(r.due_at)}{late}")
    if page < pages:
        lines.append(f"More: `/referral list {words[0]} page:{page + 1}`")
    return Reply("\n".join(lines))


def cancel(inv: Invocation) -> Reply:
    if len(inv.args.words) != 1 or not inv.args.first("reason"):
        raise UsageError(f"Name one referral and why.\nUsage: `{CANCEL_USAGE}`")
    text = inv.args.first("reason") or ""
    code = next(
        (c for c in ReasonCode if c.value == text.lower() or c.name == text.lower()), ReasonCode.other
    )
    note = None if code != ReasonCode.other or text.lower() == "other" else text
    with inv.deps.db.session() as session:
        referral = referrals.get(session, inv.person(session), inv.args.words[0])
        status = ReferralStatus(referral.status)
    return apply_move(inv.deps, inv.actor, Move(referral.ref, status, ReferralStatus.cancelled, code, note))


def _matches(referral: Referral, which: str, user_id: str, now: datetime) -> bool:
    if which == "mine":
        return referral.requester_id == user_id
    if which == "overdue":
        return _is_overdue(referral, now)
    if which == "open":
        return ReferralStatus(referral.status) not in TERMINAL
    return True


def _is_overdue(referral: Referral, now: datetime) -> bool:
    return ReferralStatus(referral.status) not in TERMINAL and referral.due_at < now


def _partner(session: Session, channel_id: str, handle: str | None) -> Partner:
    if handle:
        return partners.get(session, handle)
    linked = partners.linked_partners(session, channel_id)
    if len(linked) == 1:
        return linked[0]
    where = (
        "no partner is linked to this channel"
        if not linked
        else "several partners are linked to this channel"
    )
    raise UsageError(f"Say which partner with `to:handle`: {where}.")


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
        keys=frozenset({"to", "need", "due", "priority", "case", "confirm"}),
        takes_text=True,
    ),
    subcommands=(
        Subcommand(
            "list",
            "referrals, soonest due first (open ones unless you say otherwise).",
            list_referrals,
            arguments="[mine|open|overdue|all] [partner:handle] [need:category] [page:2]",
            keys=frozenset({"partner", "need", "page"}),
            takes_text=True,
        ),
        Subcommand(
            "cancel",
            "cancel a referral you sent; the reason goes into its thread.",
            cancel,
            arguments='R-12 reason:"..."',
            keys=frozenset({"reason"}),
            takes_text=True,
        ),
        Subcommand(
            "show",
            "one referral, with its internal case number for home staff.",
            show,
            arguments="R-12",
            takes_text=True,
        ),
    ),
)
