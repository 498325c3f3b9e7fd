"""What the item commands share (`/referral`, `/consult`): sending a new item (who may, when it is due,
which partner, posting its card once), its buttons and the forms they open, moves and how the channel is
told of them, and `show` and `list`. A kind's own module supplies only what differs: its card and its
words."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlmodel import Session

from commands import home, outbox
from commands.cards import Button, Card
from commands.format import plain, readable, when
from commands.forms import Choice, Field, Form, Kind
from commands.grammar import UsageError, page_number
from commands.invocation import Deps, Invocation, Reply, SlackRefused
from commands.registry import ITEM_ID, Subcommand
from storage import audit, cards, consents, disclosure, items, partners, threads
from storage.audit import Actor
from storage.deadlines import ambiguity, business_days_after, parse_due, spoken
from storage.disclosure import Permit
from storage.errors import InvalidInput, LiaisonError
from storage.items import Item, Move, Opening
from storage.models import Advocacy, Partner, ThreadReply
from storage.people import Affiliation, Person, identify
from storage.permissions import Action, Place, check, require
from storage.states import OPTIONAL_NOTE, ReasonCode, Side
from storage.threads import Summary
from storage.types import by_real_clock

log = logging.getLogger("liaison")

# A kind's card, from the item, its partner (None for an action item) and its thread.
CardFor = Callable[[Item, Partner | None, Summary], Card]
NOT_THERE = ("not_in_channel", "channel_not_found")


class CardRefused(LiaisonError):
    """Slack refused an item's card for good (not a transient failure): the item was closed unposted."""


# A live send posts within a minute even through Slack's retries; a claim older than this was abandoned.
UNPOSTED_AFTER = timedelta(minutes=5)
DEFAULT_BUSINESS_DAYS = 5
PAGE_SIZE = 20
LATE_CARD = (
    "Slack is not answering right now, so its card is not in the channel yet: Liaison posts it as soon as "
    "Slack answers (it tries every minute) and sends you a message when it has."
)
SHOWN_REPLIES = 10
DOOR_REFUSED = "door.refused"  # the audit action of a write the guard kept from Slack (bot/app.py)
MOVE_FORM_CALLBACK = "item.move"


@dataclass(frozen=True)
class Draft:
    """What a person has said so far about a new item, on the command line or in its form."""

    channel_id: str
    to: str | None = None  # the partner's handle; by default the channel's partner
    text: str = ""  # the details, or the question
    due: str | None = None  # as typed
    case: str | None = None
    consent: bool = False  # "the client agreed to share this with the partner"


Store = Callable[[Session, Person, Opening, Place], Item]  # a kind's own checks, then storing the item


def send(deps: Deps, actor: Actor, draft: Draft, store: Store, card_for: CardFor, what: str) -> Reply:
    """Check and store a new item, then post its card (see `publish` for what happens if Slack refuses or
    the process stops in between); `what` says in a few words what was sent."""
    due, place = where_and_when(deps, actor, draft.channel_id, draft.due)
    with deps.db.session() as session:
        me = identify(session, actor, deps.home_team_id, deps.admins)
        partner = choose_partner(session, draft.channel_id, draft.to)
        item = store(session, me, Opening(partner, draft.text.strip(), due, draft.case, draft.consent), place)
    posted = publish(deps, actor, item, card_for)
    return sent(item, partner, what, place, due, draft.due, posted=posted)


def where_and_when(
    deps: Deps, actor: Actor, channel_id: str, typed_due: str | None
) -> tuple[datetime, Place]:
    """What every new item needs first: someone who may send items, its deadline, and who reads the channel
    it goes to now (not ten minutes ago)."""
    if not channel_id:
        raise UsageError("Choose the channel to post it in.")
    may_send(deps, actor, channel_id)  # before any partner is looked up: names are not for outsiders
    return due_at(deps, actor, typed_due), deps.slack.place(channel_id, fresh=True)


def due_notes(typed: str | None, due: datetime) -> list[str]:
    """How a date that reads two ways was read (12/3), for the person who typed it."""
    note = ambiguity(typed, due) if typed else None
    return [note] if note else []


def may_send(deps: Deps, actor: Actor, channel_id: str) -> None:
    """Refuse (audited) anyone who may not send items at all, before any partner is named to them."""
    with deps.db.session() as session:
        me = identify(session, actor, deps.home_team_id, deps.admins)
        require(session, me, Action.create_item, channel_id=channel_id)


def due_at(deps: Deps, actor: Actor, typed: str | None) -> datetime:
    """The deadline the person typed, read in their own Slack time zone; by default five business days."""
    timezone = deps.zone_of(actor.user_id)
    now = deps.clock().astimezone(ZoneInfo(timezone))
    return parse_due(typed, timezone, now) if typed else business_days_after(now, DEFAULT_BUSINESS_DAYS)


def choose_partner(session: Session, channel_id: str, handle: str | None) -> Partner:
    """The partner `to:` names, else the one partner linked to the channel."""
    if handle:
        return partners.get(session, handle)
    linked = partners.linked_partners(session, channel_id)
    if len(linked) == 1:
        return linked[0]
    where = "no partner is linked to this channel" if not linked else "several partners are linked to it"
    raise UsageError(f"Say which partner with `to:handle`: {where}.")


def named(card: Card, item: Item) -> Card:
    """The item's card, naming the item (its message metadata carries the ID)."""
    return replace(card, ref=item.ref, stamp=stamp_of(item))


def stamp_of(item: Item) -> str:
    """Twelve letters made from the item's ID and creation time: the same whenever its card is drawn, and
    different for an R-12 of another database."""
    digest = hashlib.sha256(f"{item.ref} {item.created_at.isoformat()}".encode()).digest()
    return "".join(chr(ord("a") + byte % 26) for byte in digest[:12])


def publish(deps: Deps, actor: Actor, item: Item, card_for: CardFor, *, retry: bool = False) -> bool:
    """Post a stored item's card and attach it; False when Slack could not be reached even after the
    retries: the item stays stored, unposted, and the next tick posts it. If Slack refuses it outright,
    the item is closed (nobody outside the office saw it) and the person told why. A `retry` (the card
    may be in the channel already: an earlier post's answer was lost, or the process died while posting)
    adopts the card found there instead of posting another."""
    with deps.db.session() as session:
        partner = items.partner_of(session, item)
        permit = items.permit(session, item, deps.today())
    since = by_real_clock(item.created_at) if retry else None
    try:
        card = named(drawn(deps, card_for(item, partner, Summary(0, None)), permit, item.channel_id), item)
        ts = deps.slack.post_card(item.channel_id, card, permit, posted_since=since)
    except SlackRefused as refused:
        if refused.transient:
            log.warning(
                "Slack did not take the card of %s (%s); the next tick posts it", item.ref, refused.code
            )
            with deps.db.session() as session:
                cards.release(session, item)
            return False
        with deps.db.session() as session:
            items.withdraw_unposted(session, actor, item, refused.code)
        hint = (
            " Invite Liaison with `/invite @liaison` and send it again." if refused.code in NOT_THERE else ""
        )
        closed = str(items.kind_of(item).machine.error_status).replace("-", " ")
        if refused.guarded:
            raise CardRefused(
                f"{refused.message} {item.ref} is closed as {closed}: nobody outside the office saw it."
            ) from refused
        raise CardRefused(
            f"Slack refused to post the card ({refused.code}), so {item.ref} was not sent: nobody outside "
            f"the office saw it, and it is closed as {closed}.{hint}"
        ) from refused
    with deps.db.session() as session:
        attached = cards.attach(session, item, ts)
        now = session.get(type(item), item.id)
    if not attached and now is not None and now.posted and now.card_ts != ts:
        # Another process took the claim over meanwhile and attached a card of its own: this is the copy.
        log.warning("%s was posted by another process meanwhile; deleting this copy", item.ref)
        deps.slack.delete_card(item.channel_id, ts)
    home.refresh(deps, home.people_of(item))
    return True


def sent(
    item: Item,
    partner: Partner,
    what: str,
    place: Place,
    due: datetime,
    typed: str | None,
    *,
    posted: bool = True,
) -> Reply:
    """What the sender is told: what went where, the deadline in words in their own zone (so a misreading
    is caught), and what did not go."""
    head = f"Sent *{item.ref}* to" if posted else f"Saved *{item.ref}* for"
    lines = [f"{head} {partner.name}: {what}, due {spoken(due)}.", *due_notes(typed, due)]
    if not posted:
        lines.append(LATE_CARD)
    if item.case_number:
        lines.append(
            f"Case `{item.case_number}` is kept with it in Liaison and is not posted in the channel."
        )
    if place.external_teams:
        lines.append(
            "The card is now also in the partner's workspace: deleting it here does not delete their copy."
        )
    return Reply("\n".join(lines))


def post_unposted_cards(
    deps: Deps, card_for: Callable[[items.Kind], CardFor], *, at_start: bool = False
) -> list[str]:
    """Post the cards of items stored but not posted: Slack could not be reached when they were sent, or
    a process stopped in between. Each is checked again as a new one would be (who reads the channel now,
    the agreement today); one that would now be refused is closed and its requester told why. The
    requester is told when the card is up."""
    # A live send may be posting right now, so only claims older than any live post are taken; except at
    # start on SQLite, which serves one instance: then every claim was abandoned.
    cutoff = deps.clock() if at_start and deps.db.dialect == "sqlite" else deps.clock() - UNPOSTED_AFTER
    posted = []
    for kind in items.KINDS:
        with deps.db.session() as session:
            claimed = cards.claim_unposted(session, kind.model, cutoff)
        for item in claimed:
            requester = Actor(item.requester_id, deps.home_team_id)
            try:
                if _still_allowed(deps, item) and publish(deps, requester, item, card_for(kind), retry=True):
                    posted.append(item.ref)
                    deps.slack.tell(
                        item.requester_id, f"The card of {item.ref} is now up in <#{item.channel_id}>."
                    )
            except SlackRefused as refused:  # Slack still down: the claim is given back for the next tick
                log.warning("the card of %s is still not posted (%s); trying again", item.ref, refused.code)
                with deps.db.session() as session:
                    cards.release(session, item)
            except CardRefused as refused:  # Slack refused the card for good: the item is closed
                deps.slack.tell(item.requester_id, refused.message)
            except InvalidInput as unseen:  # Liaison can no longer see the channel: closed, said once
                _withdraw(deps, item, unseen.message)
            except Exception:  # one item's trouble must not keep Liaison from starting or ticking
                log.exception("could not post the card of %s; trying again in a few minutes", item.ref)
    return posted


def _still_allowed(deps: Deps, item: Item) -> bool:
    requester = Actor(item.requester_id, deps.home_team_id)
    place = deps.slack.place(item.channel_id, fresh=True)
    with deps.db.session() as session:
        verdict = check(
            session,
            identify(session, requester, deps.home_team_id, deps.admins),
            Action.create_item,
            partner=items.partner_of(session, item),
            kind=items.kind_of(item).kind,
            place=place,
            today=deps.today(),
        )
    if verdict.allowed:
        return True
    _withdraw(deps, item, verdict.reason)
    return False


def _withdraw(deps: Deps, item: Item, reason: str) -> None:
    """An unposted item that may not (or can no longer) be posted is closed, and its requester told."""
    requester = Actor(item.requester_id, deps.home_team_id)
    with deps.db.session() as session:
        closed = items.withdraw_unposted(session, requester, item, f"refused on retry: {reason[:200]}")
    if closed:
        deps.slack.tell(item.requester_id, f"{item.ref} was not posted, and is closed unposted: {reason}")


FormValues = dict[str, str | bool | list[str] | None]
COPY_NOTE = "The card goes to this channel; the partner's workspace keeps its own copy."


def partner_field(deps: Deps, actor: Actor, channel_id: str, kind: items.Kind, to: str | None) -> Field:
    """The new-item form's partner choice: active partners whose agreement covers the kind, the channel's
    own partner chosen. Refuses anyone who may not send items before naming any partner to them."""
    may_send(deps, actor, channel_id)
    with deps.db.session() as session:
        choices = tuple(
            Choice(p.handle, p.name)
            for p in partners.everyone(session)
            if p.status == "active" and kind.name in p.scope
        )
        linked = partners.linked_partners(session, channel_id)
    if not choices:
        raise LiaisonError(
            f"No partner can receive {kind.name}s yet. An admin adds one with `/liaison partner add ... "
            f"scope:{kind.name}`, or lets an existing one receive them with `/liaison partner edit handle "
            f"scope:...,{kind.name}`."
        )
    chosen = to or (linked[0].handle if len(linked) == 1 else None)
    return Field("to", "Partner", Kind.choice, chosen, choices=choices)


def where_fields(channel_id: str) -> tuple[Field, ...]:
    """A form opened from the Home tab has no channel of its own: it asks where to post."""
    return () if channel_id else (Field("channel", "Post it in", Kind.channel),)


def channel_of(metadata: str, values: FormValues) -> str:
    """The channel a new-item form posts to: the one it was opened in, else the one chosen in it."""
    return written_by_liaison(metadata).get("channel") or typed(values, "channel") or ""


UNREADABLE = "Liaison could not read this button or form, so it changed nothing. Try again from the card."


def written_by_liaison(text: str) -> dict[str, str]:
    """A button's value or a form's metadata: JSON that Liaison wrote and Slack hands back unchanged.
    Anything else (garbled or forged) is refused here, before any of it is used."""
    try:
        data = json.loads(text)
    except (TypeError, ValueError):
        data = None
    if not isinstance(data, dict) or not all(isinstance(v, str | int) for v in data.values()):
        raise LiaisonError(UNREADABLE)
    return {str(k): str(v) for k, v in data.items()}


def ref_in(text: str) -> str:
    """The item a button or form is about."""
    ref = written_by_liaison(text).get("ref")
    if ref is None:
        raise LiaisonError(UNREADABLE)
    return ref


def text_field(key: str, label: str, value: str) -> Field:
    return Field(
        key,
        label,
        Kind.long_text,
        value or None,
        hint="No names, dates of birth, phone numbers or addresses unless the client agreed below.",
        max_length=items.TEXT_LIMIT,
    )


def due_field(value: str | None) -> Field:
    return Field(
        "due",
        "Due (friday, dec 3 5pm, 2026-12-04)",
        value=value,
        optional=True,
        hint=f"Leave empty for {DEFAULT_BUSINESS_DAYS} business days.",
    )


def case_field(value: str | None) -> Field:
    return Field(
        "case", "Case number (kept in Liaison, never posted)", value=value, optional=True, max_length=64
    )


CONSENT_FIELD = Field(
    "consent",
    "The client agreed to share identifying details with this partner, and its agreement allows it.",
    Kind.checkbox,
    optional=True,
)


def form_errors(values: FormValues, text_key: str) -> dict[str, str]:
    """Problems in a new-item form Liaison can see without asking anyone, shown inside the still-open form
    (field: message), so nothing the person typed is lost."""
    errors = {}
    text, case = values.get(text_key), values.get("case")
    if isinstance(text, str) and len(text) > items.TEXT_LIMIT:
        errors[text_key] = f"At most {items.TEXT_LIMIT} characters; add the rest in the card's thread."
    if isinstance(case, str) and len(case) > 64:
        errors["case"] = "At most 64 characters."
    return errors


def typed(values: FormValues, key: str) -> str | None:
    value = values.get(key)
    return value if isinstance(value, str) else None


def buttons(item: Item, action_prefix: str) -> tuple[Button, ...]:
    """Every status change either side may make next (a channel message looks the same to everyone; each
    click is checked against who clicked)."""
    machine, status = items.kind_of(item).machine, item.status
    found = []
    for target in machine.next_moves(status):
        label, style = machine.button(status, target)
        value = json.dumps({"ref": item.ref, "from": str(status), "to": str(target)})
        found.append(Button(label, f"{action_prefix}.move.{target}", value, style))
    return tuple(found)


def move_of(value: str) -> Move:
    """The move a button's value describes (`{"ref", "from", "to"}`)."""
    data = written_by_liaison(value)
    try:
        item_kind = kind_named(data["ref"])
        return Move(data["ref"], item_kind.statuses(data["from"]), item_kind.statuses(data["to"]))
    except (KeyError, ValueError):
        raise LiaisonError(UNREADABLE) from None


def kind_named(ref: str) -> items.Kind:
    found = items.kind_named(ref)
    if found is None:
        raise LiaisonError(f"`{ref}` is not an item Liaison knows.")
    return found


def move_form(change: Move, channel_id: str) -> Form:
    """What a move asks for before it is made: a coded reason, a note, or the outcome."""
    machine = kind_named(change.ref).machine
    fields: list[Field] = []
    if change.target in machine.needs_reason:
        choices = tuple(Choice(r.value, r.value) for r in ReasonCode)
        fields.append(Field("reason", "Reason", Kind.choice, choices=choices))
    note = machine.notes.get(change.target, OPTIONAL_NOTE)
    fields.append(
        Field("note", note.label, Kind.long_text, optional=not note.required, max_length=items.NOTE_LIMIT)
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


def move_from_form(metadata: str, values: FormValues) -> Move:
    change = move_of(metadata)
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


def apply_move(deps: Deps, actor: Actor, change: Move, card_for: CardFor) -> Reply:
    """Make the move, then show it: the card updated in place and a line in its thread for the requester."""
    with deps.db.session() as session:
        me = identify(session, actor, deps.home_team_id, deps.admins)
        item = items.move(session, me, change, deps.detector, deps.today())
        who = "the office" if me.partner is None else me.partner.name
    line = f"<@{actor.user_id}> ({who}) {items.kind_of(item).machine.verb[change.target]} {item.ref}"
    if change.reason_code:
        line += f": {change.reason_code.value}"
    if change.note:
        line += f"\n> {plain(change.note)}"
    if actor.user_id != item.requester_id:
        line += f"\n<@{item.requester_id}>, {item.ref} is now *{item.status}*."
    return show_change(deps, item, card_for, line, f"{item.ref} is now *{item.status}*.")


def show_change(deps: Deps, item: Item, card_for: CardFor, line: str, answer: str) -> Reply:
    """Show a saved change in the channel, on the item's card and as `line` in its thread, and answer the
    person who made it. When Slack can't be reached the outbox finishes both later; a refusal for good is
    told to them, since the change is saved all the same."""
    assert item.card_ts is not None
    reply = Reply(answer)
    permit = permit_of(deps, item)
    try:
        refresh_card(deps, item, card_for)
    except SlackRefused as refused:
        reply = _behind(deps, item, refused, answer)
        if refused.transient:
            outbox.post_in_thread_later(deps, item.ref, item.channel_id, item.card_ts, line)
            return reply
    try:
        deps.slack.post_in_thread(item.channel_id, item.card_ts, line, permit)
    except SlackRefused as refused:
        reply = _behind(deps, item, refused, answer)
        if refused.transient:
            outbox.post_in_thread_later(deps, item.ref, item.channel_id, item.card_ts, line)
    home.refresh(deps, home.people_of(item))  # after the card and thread, which people are looking at
    return reply


def permit_of(deps: Deps, item: Item) -> Permit:
    """What a send about the item may carry now (storage/disclosure.py)."""
    with deps.db.session() as session:
        return items.permit(session, item, deps.today())


def drawn(deps: Deps, card: Card, permit: Permit, channel_id: str) -> Card:
    """The card as its permit lets those who read the channel now see it: what it may not show (a consent
    revoked since the item was sent, an organization that joined the channel since) is masked, so that a
    card is redrawn rather than refused at the door."""
    try:
        readers = deps.slack.place(channel_id).external_teams
    except LiaisonError:  # Slack would not say who reads it: as if strangers did
        readers = frozenset({"unknown"})
    if not readers <= permit.teams:
        permit = replace(permit, teams=frozenset())

    def shown(text: str) -> str:
        found = disclosure.blocked(deps.detector, readable(text), permit)
        return deps.detector.masked(text, found) if found else text

    return replace(
        card,
        title=shown(card.title),
        body=shown(card.body),
        fields=tuple((label, shown(value)) for label, value in card.fields),
        warnings=tuple(shown(w) for w in card.warnings),
        notes=tuple(shown(n) for n in card.notes),
    )


def _behind(deps: Deps, item: Item, refused: SlackRefused, answer: str) -> Reply:
    """The answer when a saved change is not (yet) shown in the channel; a card Slack could not take is
    kept to be redrawn."""
    log.warning("%s changed but its card or thread was not updated: %s", item.ref, refused.code)
    if refused.transient:
        outbox.redraw_card_later(deps, item.ref, item.channel_id)
        return Reply(
            f"{answer} Slack is not answering right now ({refused.code}): the change is saved, and its card "
            "and thread will show it as soon as Slack answers.",
            trouble=True,
        )
    why = (
        refused.message.rstrip(".")
        if refused.guarded
        else f"Slack refused to update its card ({refused.code})"
    )
    return Reply(
        f"{answer} {why}; the change is saved, and `{items.kind_of(item).command} show {item.ref}` shows it.",
        trouble=True,
    )


def mover(kind: items.Kind, target: StrEnum, usage: str, card_for: CardFor) -> Callable[[Invocation], Reply]:
    """The handler of `/consult resolve C-7 [note]`, `/advocacy drop A-3 why`...: the move its button
    makes, with the rest of the text as its note where the move takes one."""
    return lambda inv: _move_by_command(inv, kind, target, usage, card_for)


def _move_by_command(
    inv: Invocation, kind: items.Kind, target: StrEnum, usage: str, card_for: CardFor
) -> Reply:
    parts = inv.args.text.strip().split(maxsplit=1)
    if not parts:
        raise UsageError(f"Name one {kind.noun}.\nUsage: `{usage}`")
    note = parts[1].strip() if len(parts) > 1 else None
    if note and target not in kind.machine.notes:
        raise UsageError(f"`{usage}` takes only the {kind.noun}; say why in its thread.")
    with inv.deps.db.session() as session:
        item = items.get(session, inv.person(session), parts[0], kind)
        status = kind.statuses(item.status)
    return apply_move(inv.deps, inv.actor, Move(item.ref, status, target, note=note), card_for)


def refresh_card(deps: Deps, item: Item, card_for: CardFor) -> None:
    """Show the item's card as the database has it now (status, deadline, thread): read afresh, so that of
    two updates racing each other the later never draws an older state."""
    with deps.db.session() as session:
        now = session.get(type(item), item.id)
        if now is None or not now.posted:
            return
        partner = items.partner_of(session, now)
        thread = threads.summary(session, now.ref)
        permit = items.permit(session, now, deps.today())
    assert now.card_ts is not None
    card = named(drawn(deps, card_for(now, partner, thread), permit, now.channel_id), now)
    deps.slack.update_card(now.channel_id, now.card_ts, card, permit)


def thread_changed(deps: Deps, item: Item, card_for: CardFor, answered_by: str | None = None) -> None:
    """A reply in the item's thread was added, edited or deleted: the card shows the thread as it is now,
    and when the reply answered a consult its requester is told, in the thread."""
    try:
        refresh_card(deps, item, card_for)
    except SlackRefused as refused:  # the reply is recorded; only the card is behind
        log.warning("the card of %s was not updated after a reply: %s", item.ref, refused.code)
        if refused.transient:
            outbox.redraw_card_later(deps, item.ref, item.channel_id)
        elif refused.guarded:  # never silent: the requester hears what the guard stopped
            deps.slack.tell(item.requester_id, refused.message)
    if answered_by is None or item.card_ts is None:
        return
    home.refresh(deps, [item.requester_id])
    with deps.db.session() as session:
        partner = items.partner_of(session, item)
    by = f" ({partner.name})" if partner else ""
    line = f"<@{item.requester_id}>, <@{answered_by}>{by} answered {item.ref}."
    try:
        deps.slack.post_in_thread(item.channel_id, item.card_ts, line, permit_of(deps, item))
    except SlackRefused as refused:  # the requester must not miss the answer: later, or privately now
        log.warning("could not tell the requester of %s's answer in its thread: %s", item.ref, refused.code)
        if refused.transient:
            outbox.post_in_thread_later(deps, item.ref, item.channel_id, item.card_ts, line)
        else:
            deps.slack.tell(item.requester_id, f"<@{answered_by}>{by} answered {item.ref}.")


def thread_field(thread: Summary) -> tuple[str, str]:
    """The card's line about its thread: how many replies, and when the last came."""
    if thread.count == 0 or thread.last_at is None:
        return ("Replies", "none yet")
    return ("Replies", f"{thread.count}, last {when(thread.last_at)}")


def details_lines(deps: Deps, session: Session, me: Person, item: Item) -> list[str]:
    """What `show` adds after an item's own lines: its case number (home staff only), its history, its
    thread, and where its card is."""
    lines = []
    case_number = None if isinstance(item, Advocacy) else item.case_number
    if me.affiliation == Affiliation.home and case_number:
        lines.append(f"Case `{case_number}` (internal: shown only to you)")
    for event in items.history(session, item):
        why = f": {event.reason_code}" if event.reason_code else ""
        note = f" ({plain(event.note)})" if event.note else ""
        lines.append(
            f"• {when(event.at)} <@{event.actor_user_id}> {event.from_status} → {event.to_status}{why}{note}"
        )
    kept = [r for r in threads.replies(session, item.ref) if not r.deleted]
    if isinstance(item, Advocacy) and me.affiliation != Affiliation.home:
        # An owner from a partner may not be in the channel; what others said there is for its members.
        kept_texts: list[ThreadReply] = []
    else:
        kept_texts = kept[-SHOWN_REPLIES:]
    first_at = None if isinstance(item, Advocacy) else item.first_response_at
    first = f", first response {when(first_at)}" if first_at else ""
    lines.append(f"Thread: {len(kept)} repl{'y' if len(kept) == 1 else 'ies'}{first}.")
    for reply in kept_texts:
        edited = " _(edited)_" if reply.edited_at else ""
        lines.append(f"  ◦ {when(reply.at)} <@{reply.user_id}>: {plain(reply.text[:300])}{edited}")
    for stopped in audit.entries(session, subject=item.ref, action=DOOR_REFUSED):
        held = (stopped.reason or "").split(" held ", 1)[-1]
        lines.append(
            f":shield: {when(stopped.at)} Liaison's guard stopped a message about {item.ref} that would "
            f"have shown {held} where another organization reads; it was not sent."
        )
    if item.posted and item.card_ts:
        lines.append(f"<{deps.slack.permalink(item.channel_id, item.card_ts)}|Open the card>")
    elif not item.posted and items.is_open(item):
        lines.append("Its card is still being posted.")
    return lines


def listing(
    inv: Invocation,
    kind: items.Kind,
    filters: dict[str, Callable[[Item, str, datetime], bool]],
    usage: str,
    line: Callable[[Item, Partner | None], str],
    keep: Callable[[Item], bool] = lambda _item: True,
) -> Reply:
    """`list [filter] [partner:handle] [page:2]`: the items the person may see, soonest due first, a page
    at a time; `keep` is the kind's own filters (need:, campaign:)."""
    words = [w.lower() for w in inv.args.words] or ["open"]
    if len(words) != 1 or words[0] not in filters:
        raise UsageError(f"List one of {', '.join(f'`{f}`' for f in filters)}.\nUsage: `{usage}`")
    page = page_number(inv.args.first("page"), usage)
    matches, now = filters[words[0]], inv.deps.clock()
    with inv.deps.db.session() as session:
        me = inv.person(session)
        handle = inv.args.first("partner")
        partner = partners.get(session, handle) if handle else None
        found = [
            item
            for item in items.visible_to(session, me, kind, open_only=words[0] in OPEN_ONLY)
            if matches(item, me.user_id, now)
            and (partner is None or items.partner_of(session, item) == partner)
            and keep(item)
        ]
        addressees = {item.ref: items.partner_of(session, item) for item in found}
    pages = max(1, -(-len(found) // PAGE_SIZE))
    shown: Sequence[Item] = found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    if not shown:
        return Reply(f"No {kind.noun}s match." if page == 1 else f"There is no page {page}.")
    lines = [
        f"*{kind.noun.capitalize()}s ({words[0]})*: {len(found)}, soonest due first, page {page} of {pages}"
    ]
    for item in shown:
        late = " :warning: overdue" if items.is_overdue(item, now) else ""
        lines.append(f"• *{item.ref}* {line(item, addressees[item.ref])}, due {when(item.due_at)}{late}")
    if page < pages:
        lines.append(f"More: `{kind.command} list {words[0]} page:{page + 1}`")
    return Reply("\n".join(lines))


# The filters `list` offers every kind: (item, the person's user ID, now) -> whether it is listed.
OPEN_ONLY = ("open", "overdue")  # the filters that never list a closed item: the database leaves those out


def mine(item: Item, user_id: str, now: datetime) -> bool:
    return item.requester_id == user_id


def still_open(item: Item, user_id: str, now: datetime) -> bool:
    return items.is_open(item)


def overdue(item: Item, user_id: str, now: datetime) -> bool:
    return items.is_overdue(item, now)


def any_item(item: Item, user_id: str, now: datetime) -> bool:
    return True


CONSENT_ACTIONS = ("revoke", "renew")


def redraw_all(deps: Deps, shown: Sequence[Item]) -> None:
    """Redraw these items' cards as they may be seen now; one card's trouble does not stop the others."""
    from commands import card_for  # the kinds' cards: commands/__init__ imports this module

    for item in shown:
        try:
            refresh_card(deps, item, card_for(items.kind_of(item)))
        except SlackRefused as refused:
            log.warning("could not redraw the card of %s: %s", item.ref, refused.code)
            if refused.transient:
                outbox.redraw_card_later(deps, item.ref, item.channel_id)


def consent_subcommand(kind: items.Kind) -> Subcommand:
    """`/referral consent R-12 [revoke|renew]`: the client's consent to share identifying details with the
    item's partner, for its case. Home staff only (the case number is internal)."""
    return Subcommand(
        "consent",
        "the client's consent to share identifying details with the partner for this case: see it, "
        "`revoke` it, or `renew` it (home staff).",
        lambda inv: _consent(inv, kind),
        arguments=f"{kind.prefix}-{'12' if kind.prefix == 'R' else '7'} [revoke|renew]",
        takes_text=True,
        expects=ITEM_ID,
    )


def _consent(inv: Invocation, kind: items.Kind) -> Reply:
    usage = f"{kind.command} consent {kind.prefix}-12 [revoke|renew]"
    words = [w.lower() for w in inv.args.words]
    if not 1 <= len(words) <= 2 or (len(words) == 2 and words[1] not in CONSENT_ACTIONS):
        raise UsageError(
            f"Name one {kind.noun}, and `revoke` or `renew` to change its consent.\nUsage: `{usage}`"
        )
    today = inv.deps.today()
    with inv.deps.db.session() as session:
        me = inv.person(session)
        require(session, me, Action.see_directory)  # home staff: the case number is theirs alone
        item = items.get(session, me, inv.args.words[0], kind)
        partner = items.partner_of(session, item)
        case = None if isinstance(item, Advocacy) else item.case_number
        if partner is None or not case:
            raise UsageError(f"{item.ref} has no case number, so no consent is kept for it.")
        on_record = consents.latest(session, case, partner)
        action = words[1] if len(words) == 2 else None
        if action == "revoke":
            if not consents.standing(on_record, today):
                raise UsageError(
                    f"There is no standing consent for case `{case}` and {partner.name} to revoke."
                )
            assert on_record is not None
            items.require_side(
                session, me, item, frozenset({Side.requester}), "consent", "revoke its consent"
            )
            consents.revoke(session, me, on_record, inv.deps.clock())
            cards_shown = items.posted_about(session, case, partner)
        elif action == "renew":
            if not partner.identifying_allowed:
                raise UsageError(f"{partner.name}'s agreement does not allow identifying details at all.")
            items.require_side(
                session, me, item, frozenset({Side.requester}), "consent", "record its consent"
            )
            fresh = consents.record(session, me, case, partner, f"renewed for {item.ref}", today)
            return Reply(
                f"Recorded: the client agreed to share identifying details about case `{case}` with "
                f"{partner.name}, until {fresh.expires_on}."
            )
    if action == "revoke":
        redraw_all(inv.deps, cards_shown)  # the cards no longer show what the consent let them show
        return Reply(
            f"Revoked. From now on nothing identifying about case `{case}` goes to {partner.name}, and its "
            "cards are redrawn without it. What was already posted stays in their workspace: ask them to "
            "delete it if the client wants."
        )
    if on_record is None:
        return Reply(f"No consent is recorded for case `{case}` and {partner.name}.")
    state = (
        f"revoked on {on_record.revoked_at.date()} by <@{on_record.revoked_by}>"
        if on_record.revoked_at
        else f"standing until {on_record.expires_on}"
        if consents.standing(on_record, today)
        else f"expired on {on_record.expires_on}"
    )
    return Reply(
        f"Consent for case `{case}` and {partner.name}: recorded on {on_record.given_on} by "
        f"<@{on_record.given_by}> ({on_record.purpose}), {state}."
    )
