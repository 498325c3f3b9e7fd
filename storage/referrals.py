"""Referrals: opening one (the permission check, the confidentiality check, the audit) and its card."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage import audit, cards, disclosure
from storage.audit import Actor
from storage.errors import Conflict, InvalidInput, NotFound
from storage.models import (
    ItemKind,
    Partner,
    Priority,
    Referral,
    ReferralEvent,
    ReferralStatus,
    Role,
)
from storage.people import Affiliation, Person
from storage.permissions import Action, Place, record_allowed, refuse, require
from storage.referral_states import NEEDS_OUTCOME, NEEDS_REASON, VERB, WHO, ReasonCode, Side, can_move
from storage.types import utcnow

DETAILS_LIMIT = 2500  # leaves room on the card within Slack's 3,000-character section
# Needs are categories (housing, mental-health): letters only, so no number (case, SSN, phone) rides along.
NEED = re.compile(r"^[a-z][a-z_-]{0,39}$")


@dataclass(frozen=True)
class NewReferral:
    partner: Partner
    need: str
    details: str
    due_at: datetime
    priority: Priority
    case_number: str | None
    consent: bool = False  # the requester confirmed the client agreed to share identifying details


def open_referral(session: Session, person: Person, new: NewReferral, place: Place, today: date) -> Referral:
    """Check who may send what where, then store the referral; the caller posts its card in the same
    transaction, so a referral exists only with its card."""
    require(
        session,
        person,
        Action.create_item,
        subject=new.partner.handle,
        channel_id=place.channel_id,
        partner=new.partner,
        kind=ItemKind.referral,
        place=place,
        today=today,
    )
    if len(new.details) > DETAILS_LIMIT:
        raise InvalidInput(
            f"The details are {len(new.details)} characters; the card holds {DETAILS_LIMIT}. "
            "Shorten them and add the rest in the card's thread."
        )
    if not NEED.match(new.need):
        raise InvalidInput(
            f"`need:{new.need}` must be a category in letters, like `housing` or `mental-health`, at most 40 "
            "characters.",
            "need",
        )
    if new.case_number is not None and not 0 < len(new.case_number) <= 64:
        raise InvalidInput("`case:` takes the office's case number, at most 64 characters.", "case")
    disclosure.screen(
        session,
        person,
        new.details,
        new.partner,
        place.channel_id,
        kind="referral",
        case_number=new.case_number,
        consent=new.consent,
    )
    referral = Referral(
        card_ts=cards.new_claim(),  # posting: the caller posts the card and attaches it
        partner_id=new.partner.id,
        need=new.need,
        details=new.details,
        due_at=new.due_at,
        priority=new.priority,
        case_number=new.case_number,
        requester_id=person.user_id,
        channel_id=place.channel_id,
    )
    session.add(referral)
    session.flush()
    audit.record(
        session,
        person.actor,
        "referral.open",
        subject=referral.ref,
        channel_id=place.channel_id,
        reason=f"to {new.partner.handle}, need {new.need}",
    )
    if place.external_teams:
        record_allowed(
            session,
            person,
            Action.create_item,
            subject=referral.ref,
            channel_id=place.channel_id,
            reason=f"posted where only {new.partner.name} reads",
        )
    return referral


def visible_to(session: Session, person: Person) -> Sequence[Referral]:
    """Referrals the person may know of: all for home staff, their own organization's for partner staff."""
    query = select(Referral).order_by(col(Referral.due_at))
    if person.affiliation == Affiliation.partner and person.partner is not None:
        query = query.where(Referral.partner_id == person.partner.id)
    elif person.affiliation != Affiliation.home:
        return []
    return session.exec(query).all()


def get(session: Session, person: Person, ref: str) -> Referral:
    """The referral `ref` (R-12) if the person may know of it; else NotFound, the same either way."""
    referral = _load(session, ref)
    if referral is None or not _may_know(person, referral):
        raise NotFound(f"There is no referral `{ref}` that you can see. `/referral list` shows yours.")
    return referral


def _load(session: Session, ref: str) -> Referral | None:
    number = ref.upper().removeprefix("R-")
    return session.get(Referral, int(number)) if re.fullmatch(r"[0-9]{1,9}", number) else None


def _may_know(person: Person, referral: Referral) -> bool:
    if person.affiliation == Affiliation.home:
        return True
    return person.partner is not None and person.partner.id == referral.partner_id


def partner_of(session: Session, referral: Referral) -> Partner:
    partner = session.get(Partner, referral.partner_id)
    assert partner is not None  # a foreign key
    return partner


@dataclass(frozen=True)
class Move:
    ref: str
    expected: ReferralStatus  # the status the person saw when they chose the move
    target: ReferralStatus
    reason_code: ReasonCode | None = None
    note: str | None = None  # reason text, or the outcome for completed


def side_of(person: Person, referral: Referral) -> Side | None:
    """Which side of the referral the person is on, if any (coordinators and admins act for requesters)."""
    if person.affiliation == Affiliation.partner and person.partner is not None:
        return Side.partner if person.partner.id == referral.partner_id else None
    if person.affiliation == Affiliation.home and (
        person.user_id == referral.requester_id or person.role in (Role.coordinator, Role.admin)
    ):
        return Side.requester
    return None


def check_move(session: Session, person: Person, change: Move) -> Referral:
    """The referral, if the state machine and the person's side allow the move (asked before a form opens)."""
    # A click comes from someone who can see the card: refuse them by the rules (audited), not "not found".
    referral = _load(session, change.ref)
    if referral is None:
        raise NotFound(f"There is no referral `{change.ref}`.")
    partner = partner_of(session, referral)
    require(
        session,
        person,
        Action.act_on_item,
        subject=referral.ref,
        channel_id=referral.channel_id,
        partner=partner,
    )
    if not referral.posted:
        raise Conflict(f"{referral.ref}'s card is still being posted; try again in a minute.")
    current = ReferralStatus(referral.status)
    if current != change.expected or not can_move(current, change.target):
        raise Conflict(
            f"{referral.ref} is {current} now, so it can't be {VERB[change.target]}."
            + (" Someone changed it just before you." if current != change.expected else "")
        )
    if side_of(person, referral) not in WHO[change.target]:
        who = f"{partner.name}'s staff" if WHO[change.target] == {Side.partner} else "the person who sent it"
        reason = f"Only {who} can mark {referral.ref} as {change.target}."
        refuse(
            person, f"referral.{change.target}", reason, subject=referral.ref, channel_id=referral.channel_id
        )
    return referral


def move(session: Session, person: Person, change: Move) -> Referral:
    """Change a referral's status if the state machine and the person's side allow it. Exactly one of two
    simultaneous changes wins: the update only applies while the status is still the one the person saw."""
    referral = check_move(session, person, change)
    current = ReferralStatus(referral.status)
    if change.target in NEEDS_REASON and change.reason_code is None:
        raise InvalidInput(f"Choose a reason to mark {referral.ref} as {change.target}.", "reason")
    if change.target in NEEDS_OUTCOME and not (change.note or "").strip():
        raise InvalidInput(f"Say what the outcome was to mark {referral.ref} as {change.target}.", "outcome")
    if change.note and person.affiliation == Affiliation.home:  # the partner's own words are theirs to post
        disclosure.screen(
            session,
            person,
            change.note,
            partner_of(session, referral),
            referral.channel_id,
            kind="referral",
            case_number=referral.case_number,
            what="words",
        )
    now = utcnow()
    updated = session.execute(
        update(Referral)
        .where(col(Referral.id) == referral.id, col(Referral.status) == current.value)
        .values(status=change.target.value, updated_at=now)
    )
    if updated.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise Conflict(
            f"Someone changed {referral.ref} just before you; nothing was changed. Look at its card."
        )
    session.add(
        ReferralEvent(
            referral_id=referral.id,
            at=now,
            actor_user_id=person.user_id,
            actor_team_id=person.actor.team_id,
            from_status=current.value,
            to_status=change.target.value,
            reason_code=change.reason_code.value if change.reason_code else None,
            note=change.note,
        )
    )
    audit.record(
        session,
        person.actor,
        f"referral.{change.target}",
        subject=referral.ref,
        channel_id=referral.channel_id,
        reason=change.reason_code.value if change.reason_code else None,
    )
    session.refresh(referral)
    return referral


def history(session: Session, referral: Referral) -> Sequence[ReferralEvent]:
    query = (
        select(ReferralEvent).where(ReferralEvent.referral_id == referral.id).order_by(col(ReferralEvent.id))
    )
    return session.exec(query).all()


def withdraw_unposted(session: Session, actor: Actor, referral: Referral, why: str) -> bool:
    """A referral whose card was not posted is closed as entered in error, with why, and kept: nobody
    outside the office ever saw it, and its ID is never reused. False if another process holds it now."""
    done = session.execute(
        update(Referral)
        .where(col(Referral.id) == referral.id, col(Referral.card_ts) == referral.card_ts)
        .values(status=ReferralStatus.entered_in_error.value, card_ts=None, updated_at=utcnow())
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.add(
        ReferralEvent(
            referral_id=referral.id,
            actor_user_id=actor.user_id,
            actor_team_id=actor.team_id,
            from_status=referral.status,
            to_status=ReferralStatus.entered_in_error.value,
            reason_code=ReasonCode.other.value,
            note=f"card not posted: {why}",
        )
    )
    audit.record(
        session,
        actor,
        "referral.unposted",
        subject=referral.ref,
        channel_id=referral.channel_id,
        reason=f"card not posted: {why}",
    )
    return True
