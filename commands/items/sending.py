"""Sending a new item, whatever its kind: who may send, which partner it goes to, when it is due (read in
the sender's own time zone), storing it, posting its card once, and what the sender is told."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from commands.grammar import UsageError
from commands.invocation import Deps, Reply
from commands.items.sources import Source, answer_in_thread
from storage import partners
from storage.audit import Actor
from storage.court_calendar import CourtCalendar
from storage.deadlines import Due, ambiguity, business_days_after, parse_due, spoken
from storage.errors import InvalidInput
from storage.item_tables import ItemBase
from storage.models import Partner
from storage.opening import Opening
from storage.people import Person
from storage.permissions import Action, Place, require

DEFAULT_BUSINESS_DAYS = 5
LATE_CARD = (
    "Slack is not answering right now, so its card is not in the channel yet: Liaison posts it as soon as "
    "Slack answers (it tries every minute) and sends you a message when it has."
)


@dataclass(frozen=True)
class Draft:
    """What a person has said so far about a new item, on the command line or in its form."""

    channel_id: str
    to: str | None = None  # the partner's handle; by default the channel's partner
    text: str = ""  # the details, or the question
    due: str | None = None  # as typed
    case: str | None = None
    consent: bool = False  # "the client agreed to share this with the partner"
    source: Source | None = None  # the message it is made from (a message shortcut)


Store = Callable[[Session, Person, Opening, Place], ItemBase]  # a kind's own checks, then storing the item


def send(deps: Deps, actor: Actor, draft: Draft, store: Store, what: str) -> Reply:
    """Check and store a new item addressed to a partner, then post its card (see cards.publish for what
    happens if Slack refuses or the process stops in between); `what` says in a few words what was sent.
    Two transactions: check and store (with what its card is drawn from), then record the card."""
    from commands.items.cards import drawing_of, publish  # cards.py draws the Home tab, which imports kinds

    with new_item(deps, actor, draft.channel_id, draft.due) as new:
        partner = choose_partner(new.session, draft.channel_id, draft.to)
        permalink = (draft.source.permalink or None) if draft.source else None
        opening = Opening(partner, draft.text.strip(), new.due, draft.case, draft.consent, permalink)
        item = store(new.session, new.me, opening, new.place)
        drawing = drawing_of(deps, new.session, item)
    posted = publish(deps, actor, item, drawing)
    reply = sent(item, partner, what, new.place, new.deadline, draft.due, deps.clock(), posted=posted)
    unanswered = answer_in_thread(deps, item, draft.source)
    return Reply("\n".join([reply.text, *unanswered])) if unanswered else reply


NOT_A_MEMBER = (
    "Liaison is not in <#{channel}>, so it can't post the card there. Invite it with `/invite @liaison` "
    "and send it again: nothing was saved."
)


@dataclass(frozen=True)
class NewItem:
    """What storing any new item starts from, and the transaction it is stored in."""

    session: Session
    me: Person
    deadline: Due  # when it is due, and why it moved off the day typed, if it did
    place: Place  # who reads the channel it goes to now (not ten minutes ago)

    @property
    def due(self) -> datetime:
        return self.deadline.at


@contextmanager
def new_item(deps: Deps, actor: Actor, channel_id: str, typed_due: str | None) -> Iterator[NewItem]:
    """Open the transaction a new item is checked and stored in: the sender is refused (audited) if they
    may not send items at all, before any partner is named to them or their date is read."""
    if not channel_id:
        raise UsageError("Choose the channel to post it in.")
    with deps.db.session() as session:
        me = deps.person(session, actor)
        require(session, me, Action.create_item, channel_id=channel_id)
        # Slack is asked only for someone who may send. Its reads come before the transaction writes
        # anything, so nothing is locked while they wait; they hold one pooled connection meanwhile.
        place = deps.slack.place(channel_id, fresh=True)
        if not place.member:  # refused before anything is stored, rather than stored and closed unposted
            raise InvalidInput(NOT_A_MEMBER.format(channel=channel_id))
        yield NewItem(session, me, due_at(deps, actor, typed_due, deps.calendar(session)), place)


def may_send(deps: Deps, actor: Actor, channel_id: str) -> None:
    """Refuse (audited) anyone who may not send items at all, before a form names any partner to them."""
    with deps.db.session() as session:
        require(session, deps.person(session, actor), Action.create_item, channel_id=channel_id)


def due_notes(typed: str | None, due: Due) -> list[str]:
    """Why the date moved off the day typed (the office is closed then), and how a date that reads two
    ways was read (12/3), for the person who typed it."""
    notes = [f"It was {due.moved}; the office is closed that day."] if due.moved else []
    if typed and (note := ambiguity(typed, due.at)):
        notes.append(note)
    return notes


def due_at(deps: Deps, actor: Actor, typed: str | None, calendar: CourtCalendar) -> Due:
    """The deadline the person typed, read in their own Slack time zone; by default five business days."""
    timezone = deps.zone_of(actor.user_id)
    now = deps.clock().astimezone(ZoneInfo(timezone))
    if typed:
        return parse_due(typed, timezone, now, calendar)
    return Due(business_days_after(now, DEFAULT_BUSINESS_DAYS, calendar))


def choose_partner(session: Session, channel_id: str, handle: str | None) -> Partner:
    """The partner `to:` names, else the one partner linked to the channel."""
    if handle:
        return partners.get(session, handle)
    linked = partners.linked_partners(session, channel_id)
    if len(linked) == 1:
        return linked[0]
    where = "no partner is linked to this channel" if not linked else "several partners are linked to it"
    raise UsageError(f"Say which partner with `to:handle`: {where}.")


def sent(
    item: ItemBase,
    partner: Partner,
    what: str,
    place: Place,
    due: Due,
    typed: str | None,
    now: datetime,
    *,
    posted: bool = True,
) -> Reply:
    """What the sender is told: what went where, the deadline in words in their own zone (so a misreading
    is caught), and what did not go."""
    head = f"Sent *{item.ref}* to" if posted else f"Saved *{item.ref}* for"
    lines = [f"{head} {partner.name}: {what}, due {spoken(due.at, now)}.", *due_notes(typed, due)]
    if not posted:
        lines.append(LATE_CARD)
    if case := item.case():
        lines.append(f"Case `{case}` is kept with it in Liaison and is not posted in the channel.")
    if place.external_teams:
        lines.append(
            "The card is now also in the partner's workspace: deleting it here does not delete their copy."
        )
    return Reply("\n".join(lines))
