"""Moving items, whatever their kind: which side of an item a person is on, whether they may act on it,
moves through its state machine (checked, audited, one winner of two simultaneous moves), its history,
closing one whose card was never posted, and moving its deadline."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Session, col, select

from storage import audit, clock, disclosure
from storage.audit import Actor
from storage.errors import Conflict, InvalidInput, NotFound
from storage.identifiers import Detector
from storage.item_tables import ItemBase
from storage.items import addressee, is_open, kind_of, load, may_know, partner_of
from storage.kinds import AnyKind, Kinds
from storage.models import ItemEvent, Role
from storage.people import Affiliation, Person
from storage.permissions import Action, refuse, require
from storage.states import ReasonCode, Side
from storage.updates import update_if

NOTE_LIMIT = 1500  # a move's note: shown on the card (a field holds 2,000) and in the thread


def sides_of(person: Person, item: ItemBase) -> frozenset[Side]:
    """The sides of the item the person is on: its partner's staff, its sender (who is also on the
    requester's side, with coordinators and admins acting for them), its owners."""
    sides: set[Side] = set()
    if person.affiliation == Affiliation.unknown:
        return frozenset()
    if person.user_id in item.owner_ids():
        sides.add(Side.owner)
    if person.affiliation == Affiliation.partner and person.partner is not None:
        if person.partner.id == item.addressee_id():
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


def acting_on(
    session: Session, kinds: Kinds, person: Person, ref: str, kind: AnyKind | None = None
) -> ItemBase:
    """The item a click or a command acts on, if the person may act on items like it at all. Someone
    who could not know of the item is told it does not exist; someone who can see its card but may not
    act on it is refused by the rules (audited)."""
    item = load(session, kinds, ref, kind)
    if item is None:
        raise NotFound(f"There is no {kind.noun if kind else 'item'} `{ref}` that you can see.")
    if person.affiliation == Affiliation.partner and not may_know(person, item) and kind_of(item).addressed:
        # Another partner's referral or consult: its card is not in any channel they read.
        raise NotFound(f"There is no {kind_of(item).noun} `{ref}` that you can see.")
    require(
        session,
        person,
        Action.act_on_item,
        subject=item.ref,
        channel_id=item.channel_id,
        partner=partner_of(session, item),
        owners=item.owner_ids() or None,
    )
    if not item.posted:
        raise Conflict(f"{item.ref}'s card is still being posted; try again in a minute.")
    return item


def require_side(
    session: Session, person: Person, item: ItemBase, sides: frozenset[Side], act: str, what: str
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


def check_move(session: Session, kinds: Kinds, person: Person, change: Move) -> ItemBase:
    """The item, if its state machine and the person's side allow the move (asked before a form opens)."""
    item = acting_on(session, kinds, person, change.ref)
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


def move(
    session: Session, kinds: Kinds, person: Person, change: Move, detector: Detector, today: date
) -> ItemBase:
    """Change an item's status if its state machine and the person's side allow it. Of two simultaneous
    changes exactly one wins: the update applies only while the status is still the one the person saw."""
    item = check_move(session, kinds, person, change)
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
    if not transition(session, item, person.actor, change.target, code, change.note, changes=kept):
        session.rollback()
        raise Conflict(f"Someone changed {item.ref} just before you; nothing was changed. Look at its card.")
    return item


def screen(
    session: Session, detector: Detector, person: Person, item: ItemBase, text: str, what: str, today: date
) -> None:
    """Refuse words bound for the item's card or thread that look like they identify a client: for an
    item addressed to a partner by its agreement and the client's consent; for one with owners in any
    organization always."""
    if not kind_of(item).addressed:
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
            case_number=item.case(),
            what=what,
        )


def transition(
    session: Session,
    item: ItemBase,
    actor: Actor,
    target: str,
    reason_code: str | None = None,
    note: str | None = None,
    at: datetime | None = None,
    changes: Mapping[str, object] | None = None,
) -> bool:
    """Move the item from the status it was read with to `target` (with any other column `changes`),
    with its history row (`at`: when it happened, by default now) and audit entry; False, with nothing
    written, if its status changed meanwhile."""
    model, current = type(item), item.status
    still = col(model.status) == current
    if not update_if(
        session, model, item.id, still, status=str(target), updated_at=clock.now(), **(changes or {})
    ):
        return False
    _history(session, item, actor, current, target, reason_code, note, at)
    session.refresh(item)
    return True


def _history(
    session: Session,
    item: ItemBase,
    actor: Actor,
    current: str,
    target: str,
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
            at=at or clock.now(),
            actor_user_id=actor.user_id,
            actor_team_id=actor.team_id,
            from_status=current,
            to_status=str(target),
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


def history(session: Session, item: ItemBase) -> Sequence[ItemEvent]:
    query = select(ItemEvent).where(ItemEvent.item == item.ref).order_by(col(ItemEvent.id))
    return session.exec(query).all()


def withdraw_unposted(session: Session, actor: Actor, item: ItemBase, why: str) -> bool:
    """An item whose card was not posted is closed (entered in error, withdrawn) with why, and kept: nobody
    outside the office ever saw it, and its ID is never reused. False if another process holds it now."""
    model, target = type(item), kind_of(item).machine.error_status
    assert target is not None
    still = col(model.card_ts) == item.card_ts
    unposted = {"status": str(target), "card_ts": None, "updated_at": clock.now()}
    if not update_if(session, model, item.id, still, **unposted):
        return False
    note, action = f"card not posted: {why}", f"{kind_of(item).name}.unposted"
    code = ReasonCode.other.value
    _history(session, item, actor, item.status, target, code, note, action=action, logged=note)
    return True


def may_extend(session: Session, kinds: Kinds, person: Person, ref: str, kind: AnyKind) -> ItemBase:
    """The open item whose deadline the person may move: only its sender."""
    item = acting_on(session, kinds, person, ref, kind)
    require_side(session, person, item, frozenset({Side.sender}), "extend", f"move {item.ref}'s deadline")
    if not is_open(item):
        raise Conflict(f"{item.ref} is {item.status}: there is no deadline to move.")
    return item


def extend(
    session: Session, kinds: Kinds, person: Person, ref: str, kind: AnyKind, due_at: datetime
) -> ItemBase:
    """Give an open item a new deadline, audited with the old one."""
    item = may_extend(session, kinds, person, ref, kind)
    before = item.due_at
    item.due_at, item.updated_at = due_at, clock.now()
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
