"""What every item kind shares once it is stored: finding it by its ID (R-12, C-7) for who may know of it,
which side of it a person is on, moving it through its state machine (checked, audited, one winner of two
simultaneous moves), its history, and closing one whose card was never posted."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import String, case, cast, func, or_, update
from sqlmodel import Session, col, select

from storage import audit, cards, disclosure
from storage.advocacy_states import ADVOCACY
from storage.audit import Actor
from storage.consult_states import CONSULT
from storage.errors import Conflict, InvalidInput, NotFound
from storage.identifiers import Detector, case_key
from storage.models import (
    Advocacy,
    AdvocacyStatus,
    Consult,
    ConsultStatus,
    ItemEvent,
    ItemKind,
    Partner,
    Referral,
    ReferralStatus,
    Role,
)
from storage.people import Affiliation, Person
from storage.permissions import Action, Place, record_allowed, refuse, require
from storage.referral_states import REFERRAL
from storage.states import Machine, ReasonCode, Side
from storage.types import utcnow

Item = Referral | Consult | Advocacy
ClientItem = Referral | Consult  # addressed to one partner, about a client's matter
CASE_LIMIT = 64  # the office's case number, as the column holds it
TEXT_LIMIT = 2500  # a card's details or question: leaves room within Slack's 3,000-character section
NOTE_LIMIT = 1500  # a move's note: shown on the card (a field holds 2,000) and in the thread


@dataclass(frozen=True)
class Kind:
    """An item kind: its table, its rules, and what people call it."""

    kind: ItemKind
    prefix: str  # R in R-12
    model: type[Item]
    statuses: type[StrEnum]
    machine: Machine
    text_name: str  # what its free text is called: "details", "question", "title"
    noun: str  # what people call one: "referral", "action item"

    @property
    def name(self) -> str:
        """The kind's name in audit entries, agreements' scope and action IDs: "advocacy"."""
        return self.kind.value

    @property
    def open_statuses(self) -> list[str]:
        """The statuses in which something is still awaited (what reminders, lists and Home look at)."""
        return [s.value for s in self.statuses if s not in self.machine.terminal]

    @property
    def closed_statuses(self) -> list[str]:
        return [s.value for s in self.machine.terminal]

    @property
    def command(self) -> str:
        return f"/{self.kind.value}"


REFERRALS = Kind(ItemKind.referral, "R", Referral, ReferralStatus, REFERRAL, "details", "referral")
CONSULTS = Kind(ItemKind.consult, "C", Consult, ConsultStatus, CONSULT, "question", "consult")
ADVOCACY_ITEMS = Kind(ItemKind.advocacy, "A", Advocacy, AdvocacyStatus, ADVOCACY, "title", "action item")
KINDS: tuple[Kind, ...] = (REFERRALS, CONSULTS, ADVOCACY_ITEMS)
_REF = re.compile(r"^([A-Za-z])-?([0-9]{1,9})$")  # R-12, r12


@dataclass(frozen=True)
class Opening:
    """What every new item carries, whatever its kind."""

    partner: Partner
    text: str  # what the partner should know, or the question: it goes on the card
    due_at: datetime
    case_number: str | None  # internal: kept in Liaison, never posted
    consent: bool = False  # the requester confirmed the client agreed to share identifying details


def open_item(
    session: Session,
    person: Person,
    kind: Kind,
    new: Opening,
    place: Place,
    today: date,
    *,
    detector: Detector,
    summary: str,
    shown: Mapping[str, str] | None = None,
    **columns: object,
) -> Item:
    """Check who may send what where, screen the text, and store the item with a claim on its card; the
    caller posts the card and attaches it (storage/cards.py). `columns` are the kind's own; `shown` are
    its other words the card shows (a referral's need), screened as the text is."""
    require(
        session,
        person,
        Action.create_item,
        subject=new.partner.handle,
        channel_id=place.channel_id,
        partner=new.partner,
        kind=kind.kind,
        place=place,
        today=today,
    )
    what = kind.text_name
    if len(new.text) > TEXT_LIMIT:
        raise InvalidInput(
            f"That is {len(new.text)} characters of {what}; the card holds {TEXT_LIMIT}. "
            "Shorten it and add the rest in the card's thread.",
            what,
        )
    if new.case_number is not None and not 0 < len(new.case_number) <= CASE_LIMIT:
        raise InvalidInput("`case:` takes the office's case number, at most 64 characters.", "case")
    # Each field alone, and all of them together as the card shows them side by side: a name split
    # between the need and the details (`need:maria` `Ortiz, 41, ...`) is a name all the same.
    fields = [(new.text, what), *((v, k) for k, v in (shown or {}).items())]
    if shown:
        fields.append((" ".join([*shown.values(), new.text]), f"{what} with the {', '.join(shown)}"))
    for words, called in fields:
        disclosure.screen(
            session,
            detector,
            person,
            words,
            new.partner,
            place.channel_id,
            today,
            kind=kind.name,
            case_number=new.case_number,
            consent=new.consent,
            what=called,
            purpose=f"{kind.noun}: {summary}",
        )
    item = store(
        session,
        person,
        kind,
        place,
        new.due_at,
        f"to {new.partner.handle}, {summary}",
        partner_id=new.partner.id,
        case_number=new.case_number,
        **columns,
    )
    if place.external_teams:
        record_allowed(
            session,
            person,
            Action.create_item,
            subject=item.ref,
            channel_id=place.channel_id,
            reason=f"posted where only {new.partner.name} reads",
        )
    return item


def store(
    session: Session,
    person: Person,
    kind: Kind,
    place: Place,
    due_at: datetime,
    summary: str,
    **columns: object,
) -> Item:
    """Store a checked new item with a claim on its card (the caller posts the card and attaches it:
    storage/cards.py), audited as `<kind>.open` with `summary`."""
    item = kind.model(
        card_ts=cards.new_claim(),
        due_at=due_at,
        requester_id=person.user_id,
        channel_id=place.channel_id,
        **columns,
    )
    session.add(item)
    session.flush()
    audit.record(
        session,
        person.actor,
        f"{kind.name}.open",
        subject=item.ref,
        channel_id=place.channel_id,
        reason=summary,
    )
    return item


def kind_of(item: Item) -> Kind:
    return next(k for k in KINDS if isinstance(item, k.model))


def kind_named(ref: str) -> Kind | None:
    """The kind an ID names by its letter (R-12: referrals)."""
    match = _REF.match(ref.strip())
    return next((k for k in KINDS if k.prefix == match[1].upper()), None) if match else None


def load(session: Session, ref: str, kind: Kind | None = None) -> Item | None:
    """The item `ref` names (R-12, c-7; a bare 12 when the kind is known), whoever asks."""
    ref = ref.strip()
    if kind is not None and ref.isascii() and ref.isdigit() and len(ref) <= 9:
        ref = f"{kind.prefix}-{ref}"
    found, match = kind_named(ref), _REF.match(ref)
    return session.get(found.model, int(match[2])) if found and match else None


def get(session: Session, person: Person, ref: str, kind: Kind) -> Item:
    """The `kind` item `ref` if the person may know of it; else NotFound, the same either way."""
    ref = ref.strip().rstrip(".,;:!?")  # "C-7," as typed in a sentence
    item = load(session, ref, kind)
    if not isinstance(item, kind.model) or not may_know(person, item):
        raise NotFound(
            f"There is no {kind.noun} `{ref}` that you can see. `{kind.command} list` shows yours."
        )
    return item


def may_know(person: Person, item: Item) -> bool:
    """Home staff know of every item; partner staff of their organization's referrals and consults and
    of the action items they own."""
    if person.affiliation == Affiliation.home:
        return True
    if person.affiliation != Affiliation.partner or person.partner is None:
        return False
    if isinstance(item, Advocacy):
        return person.user_id in item.owners
    return person.partner.id == item.partner_id


def visible_to(session: Session, person: Person, kind: Kind, *, open_only: bool = False) -> Sequence[Item]:
    """The items of `kind` the person may know of (only the open ones: an indexed query on status), soonest
    due first."""
    model = kind.model
    query = select(model).order_by(col(model.due_at))
    if open_only:
        query = query.where(col(model.status).in_(kind.open_statuses))
    if person.affiliation == Affiliation.partner and person.partner is not None and kind != ADVOCACY_ITEMS:
        query = query.where(model.partner_id == person.partner.id)
    elif person.affiliation == Affiliation.unknown:
        return []
    return [item for item in session.exec(query).all() if may_know(person, item)]


def involving(session: Session, person: Person, kind: Kind, limit: int) -> list[Item]:
    """The first `limit` open items of `kind` the office's own staff member asked for, took (a consult) or
    owns (an action item), soonest due first: filtered and cut by the database, never loaded whole."""
    query = select(kind.model).where(*_involving(person, kind)).order_by(col(kind.model.due_at)).limit(limit)
    return list(session.exec(query).all())


def involving_count(session: Session, person: Person, kind: Kind, now: datetime) -> tuple[int, int]:
    """How many such items there are, and how many of them are overdue."""
    row = session.exec(select(*_tally(kind, now)).where(*_involving(person, kind))).one()  # type: ignore[call-overload]
    return int(row[0]), int(row[1] or 0)


def _involving(person: Person, kind: Kind) -> tuple[Any, ...]:
    model = kind.model
    theirs = col(model.requester_id) == person.user_id
    if model is Consult:
        theirs = or_(theirs, col(Consult.taken_by) == person.user_id)
    if model is Advocacy:  # owners is a JSON list of IDs: its text holds "U123" with the quotes
        theirs = or_(
            theirs, cast(col(Advocacy.owners), String).contains(f'"{person.user_id}"', autoescape=True)
        )
    return col(model.status).in_(kind.open_statuses), theirs


def _tally(kind: Kind, now: datetime) -> tuple[Any, Any]:
    """count(*) and the number overdue, as columns."""
    return func.count(), func.sum(case((col(kind.model.due_at) < now, 1), else_=0))


def open_counts(session: Session, now: datetime) -> dict[int | None, tuple[int, int]]:
    """Open and overdue items per partner (None: the action items, which have no partner), counted by the
    database."""
    counts: dict[int | None, tuple[int, int]] = {}
    for kind in KINDS:
        model = kind.model
        is_open = col(model.status).in_(kind.open_statuses)
        tally = _tally(kind, now)
        if kind == ADVOCACY_ITEMS:
            rows = [(None, *session.exec(select(*tally).where(is_open)).one())]  # type: ignore[call-overload]
        else:
            partner = col(model.partner_id)
            rows = session.exec(select(partner, *tally).where(is_open).group_by(partner)).all()  # type: ignore[call-overload]
        counts |= {partner_id: (int(n), int(late or 0)) for partner_id, n, late in rows if n}
    return counts


def partner_of(session: Session, item: Item) -> Partner | None:
    """The partner a referral or consult is addressed to; None for an action item (it has owners)."""
    if isinstance(item, Advocacy):
        return None
    partner = session.get(Partner, item.partner_id)
    assert partner is not None  # a foreign key
    return partner


def addressee(session: Session, item: ClientItem) -> Partner:
    partner = partner_of(session, item)
    assert partner is not None
    return partner


def is_open(item: Item) -> bool:
    return item.status not in kind_of(item).machine.terminal


def is_overdue(item: Item, now: datetime) -> bool:
    return is_open(item) and item.due_at < now


def sides_of(person: Person, item: Item) -> frozenset[Side]:
    """The sides of the item the person is on: its partner's staff, its sender (who is also on the
    requester's side, with coordinators and admins acting for them), an action item's owners."""
    sides: set[Side] = set()
    if person.affiliation == Affiliation.unknown:
        return frozenset()
    if isinstance(item, Advocacy) and person.user_id in item.owners:
        sides.add(Side.owner)
    if person.affiliation == Affiliation.partner and person.partner is not None:
        if not isinstance(item, Advocacy) and person.partner.id == item.partner_id:
            sides.add(Side.partner)
    elif person.user_id == item.requester_id:
        sides |= {Side.sender, Side.requester}
    elif person.role in (Role.coordinator, Role.admin):
        sides.add(Side.requester)
    return frozenset(sides)


@dataclass(frozen=True)
class Move:
    ref: str
    expected: StrEnum  # the status the person saw when they chose the move
    target: StrEnum
    reason_code: ReasonCode | None = None
    note: str | None = None  # reason text, or the outcome


def acting_on(session: Session, person: Person, ref: str, kind: Kind | None = None) -> Item:
    """The item a click or a command acts on, if the person may act on items like it at all. Someone
    who could not know of the item is told it does not exist; someone who can see its card but may not
    act on it is refused by the rules (audited)."""
    item = load(session, ref, kind)
    if item is None or (kind is not None and not isinstance(item, kind.model)):
        raise NotFound(f"There is no {kind.noun if kind else 'item'} `{ref}` that you can see.")
    if (
        person.affiliation == Affiliation.partner
        and not may_know(person, item)
        and not isinstance(item, Advocacy)
    ):
        # Another partner's referral or consult: its card is not in any channel they read.
        raise NotFound(f"There is no {kind_of(item).noun} `{ref}` that you can see.")
    require(
        session,
        person,
        Action.act_on_item,
        subject=item.ref,
        channel_id=item.channel_id,
        partner=partner_of(session, item),
        owners=item.owners if isinstance(item, Advocacy) else None,
    )
    if not item.posted:
        raise Conflict(f"{item.ref}'s card is still being posted; try again in a minute.")
    return item


def require_side(
    session: Session, person: Person, item: Item, sides: frozenset[Side], act: str, what: str
) -> None:
    """Refuse (audited as `<kind>.<act>`) anyone not on one of `sides` of the item: "Only ... can <what>."."""
    if sides_of(person, item) & sides:
        return
    partner = partner_of(session, item)
    if sides == {Side.partner} and partner is not None:
        who = f"{partner.name}'s staff"
    elif Side.owner in sides:
        who = "its owners, the person who created it or a coordinator"
    elif Side.requester in sides:
        who = "the person who sent it or a coordinator"
    else:
        who = "the person who sent it"
    refuse(
        person,
        f"{kind_of(item).name}.{act}",
        f"Only {who} can {what}.",
        subject=item.ref,
        channel_id=item.channel_id,
    )


def check_move(session: Session, person: Person, change: Move) -> Item:
    """The item, if its state machine and the person's side allow the move (asked before a form opens)."""
    item = acting_on(session, person, change.ref)
    machine = kind_of(item).machine
    current = item.status
    seen = machine.as_seen(current, change.expected)
    if not seen or not machine.can_move(current, change.target):
        raise Conflict(
            f"{item.ref} is {current} now, so it can't become {change.target}."
            + ("" if seen else " Someone changed it just before you.")
        )
    sides = machine.who.get(change.target, frozenset())
    require_side(session, person, item, sides, str(change.target), f"mark {item.ref} as {change.target}")
    return item


def move(session: Session, person: Person, change: Move, detector: Detector, today: date) -> Item:
    """Change an item's status if its state machine and the person's side allow it. Of two simultaneous
    changes exactly one wins: the update applies only while the status is still the one the person saw."""
    item = check_move(session, person, change)
    machine = kind_of(item).machine
    if change.target in machine.needs_reason and change.reason_code is None:
        raise InvalidInput(f"Choose a reason to mark {item.ref} as {change.target}.", "reason")
    note = machine.notes.get(change.target)
    if note is not None and note.required and not (change.note or "").strip():
        raise InvalidInput(f"{item.ref} can become {change.target} only with this: {note.label}.", "note")
    if change.note and len(change.note) > NOTE_LIMIT:
        raise InvalidInput(
            f"The note is {len(change.note)} characters; keep it under {NOTE_LIMIT} and add the rest in "
            f"{item.ref}'s thread.",
            "note",
        )
    # Whoever writes them, the words go into a channel another organization reads: the same rules as
    # the item's own text, so that what is stored is what the door (bot/door.py) will let out.
    if change.note:
        screen(session, detector, person, item, change.note, "words", today)
    code = change.reason_code.value if change.reason_code else None
    kept: dict[str, object] = {column: None for column in machine.resets.get(change.target, ())}
    if note is not None and note.column:
        kept[note.column] = change.note or None
    if not transition(session, item, person.actor, change.target, code, change.note, **kept):
        session.rollback()
        raise Conflict(f"Someone changed {item.ref} just before you; nothing was changed. Look at its card.")
    return item


def screen(
    session: Session, detector: Detector, person: Person, item: Item, text: str, what: str, today: date
) -> None:
    """Refuse words bound for the item's card or thread that look like they identify a client: for a
    referral or consult by its partner's agreement and the client's consent, for an action item always."""
    if isinstance(item, Advocacy):
        disclosure.screen_shared(detector, person, text, item.channel_id, what=what)
    else:
        disclosure.screen(
            session,
            detector,
            person,
            text,
            addressee(session, item),
            item.channel_id,
            today,
            kind=kind_of(item).name,
            case_number=item.case_number,
            what=what,
        )


def posted_in(session: Session, channel_id: str) -> list[Item]:
    """The posted referrals and consults in a channel that carry a case (whose cards a consent may have let
    show identifying details)."""
    found: list[Item] = []
    for kind in (REFERRALS, CONSULTS):
        model = kind.model
        query = select(model).where(
            col(model.channel_id) == channel_id,
            col(model.card_ts).is_not(None),
            col(model.case_number).is_not(None),
        )
        found += [i for i in session.exec(query).all() if i.posted]
    return found


def posted_about(session: Session, case_number: str, partner: Partner) -> list[Item]:
    """The posted referrals and consults sent to `partner` about a case, however its number was typed."""
    key = case_key(case_number)
    found: list[Item] = []
    for kind in (REFERRALS, CONSULTS):
        model = kind.model
        query = select(model).where(col(model.partner_id) == partner.id, col(model.card_ts).is_not(None))
        found += [i for i in session.exec(query).all() if i.case_number and case_key(i.case_number) == key]
    return [i for i in found if i.posted]


def permit(session: Session, item: Item, today: date) -> disclosure.Permit:
    """What sends about the item may carry today (storage/disclosure.py)."""
    case_number = None if isinstance(item, Advocacy) else item.case_number
    return disclosure.permit(session, item.ref, partner_of(session, item), case_number, today)


def transition(
    session: Session,
    item: Item,
    actor: Actor,
    target: StrEnum,
    reason_code: str | None = None,
    note: str | None = None,
    at: datetime | None = None,
    **changes: object,
) -> bool:
    """Move the item from the status it was read with to `target` (with any other column `changes`),
    with its history row (`at`: when it happened, by default now) and audit entry; False, with nothing
    written, if its status changed meanwhile."""
    model, current = type(item), item.status
    updated = session.execute(
        update(model)
        .where(col(model.id) == item.id, col(model.status) == current)
        .values(status=target.value, updated_at=utcnow(), **changes)
    )
    if updated.rowcount != 1:  # type: ignore[attr-defined]
        return False
    _history(session, item, actor, current, target, reason_code, note, at)
    session.refresh(item)
    return True


def _history(
    session: Session,
    item: Item,
    actor: Actor,
    current: str,
    target: StrEnum,
    reason_code: str | None,
    note: str | None,
    at: datetime | None = None,
    action: str | None = None,
    logged: str | None = None,
) -> None:
    """A status change's history row and audit entry (by default `<kind>.<target>` with the reason code)."""
    session.add(
        ItemEvent(
            item=item.ref,
            at=at or utcnow(),
            actor_user_id=actor.user_id,
            actor_team_id=actor.team_id,
            from_status=current,
            to_status=target.value,
            reason_code=reason_code,
            note=note,
        )
    )
    audit.record(
        session,
        actor,
        action or f"{kind_of(item).name}.{target}",
        subject=item.ref,
        channel_id=item.channel_id,
        reason=logged or reason_code,
    )


def history(session: Session, item: Item) -> Sequence[ItemEvent]:
    query = select(ItemEvent).where(ItemEvent.item == item.ref).order_by(col(ItemEvent.id))
    return session.exec(query).all()


def withdraw_unposted(session: Session, actor: Actor, item: Item, why: str) -> bool:
    """An item whose card was not posted is closed (entered in error, withdrawn) with why, and kept: nobody
    outside the office ever saw it, and its ID is never reused. False if another process holds it now."""
    model, target = type(item), kind_of(item).machine.error_status
    assert target is not None
    done = session.execute(
        update(model)
        .where(col(model.id) == item.id, col(model.card_ts) == item.card_ts)
        .values(status=target.value, card_ts=None, updated_at=utcnow())
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        return False
    note, action = f"card not posted: {why}", f"{kind_of(item).name}.unposted"
    code = ReasonCode.other.value
    _history(session, item, actor, item.status, target, code, note, action=action, logged=note)
    return True


def may_extend(session: Session, person: Person, ref: str, kind: Kind) -> Item:
    """The open item whose deadline the person may move: only its sender."""
    item = acting_on(session, person, ref, kind)
    require_side(session, person, item, frozenset({Side.sender}), "extend", f"move {item.ref}'s deadline")
    if not is_open(item):
        raise Conflict(f"{item.ref} is {item.status}: there is no deadline to move.")
    return item


def extend(session: Session, person: Person, ref: str, kind: Kind, due_at: datetime) -> Item:
    """Give an open item a new deadline, audited with the old one."""
    item = may_extend(session, person, ref, kind)
    before = item.due_at
    item.due_at, item.updated_at = due_at, utcnow()
    session.add(item)
    audit.record(
        session,
        person.actor,
        f"{kind_of(item).name}.extend",
        subject=item.ref,
        channel_id=item.channel_id,
        reason=f"due {before.isoformat()} -> {due_at.isoformat()}",
    )
    return item
