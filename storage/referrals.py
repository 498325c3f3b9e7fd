"""Referrals: opening one (the permission check, the confidentiality check, the audit) and its card."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from storage import audit, confidentiality
from storage.errors import InvalidInput, NotFound, PermissionDenied
from storage.models import AuditEntry, Decision, ItemKind, Partner, Priority, Referral
from storage.people import Affiliation, Person
from storage.permissions import Action, Place, record_allowed, require
from storage.types import utcnow

DETAILS_LIMIT = 2500  # leaves room on the card within Slack's 3,000-character section


@dataclass(frozen=True)
class NewReferral:
    partner: Partner
    need: str
    details: str
    due_at: datetime
    priority: Priority
    case_number: str | None


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
    _refuse_identifying(person, new, place)
    referral = Referral(
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


def attach_card(session: Session, referral: Referral, ts: str) -> None:
    referral.card_ts = ts
    referral.updated_at = utcnow()
    session.add(referral)


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
    number = ref.upper().removeprefix("R-")
    referral = session.get(Referral, int(number)) if number.isdigit() else None
    if referral is None or not _may_know(person, referral):
        raise NotFound(f"There is no referral `{ref}` that you can see. `/referral list` shows yours.")
    return referral


def _may_know(person: Person, referral: Referral) -> bool:
    if person.affiliation == Affiliation.home:
        return True
    return person.partner is not None and person.partner.id == referral.partner_id


def partner_of(session: Session, referral: Referral) -> Partner:
    partner = session.get(Partner, referral.partner_id)
    assert partner is not None  # a foreign key
    return partner


def _refuse_identifying(person: Person, new: NewReferral, place: Place) -> None:
    found = confidentiality.findings(new.details)
    if not found:
        return
    kinds = sorted({f.what for f in found})
    reason = (
        f"The details look like they identify the client ({', '.join(kinds)}): "
        f'"{confidentiality.masked(new.details, found)}". Identifying details can\'t go to '
        f"{new.partner.name} without the client's recorded consent. Remove them (the case number goes in "
        "`case:`, which is never posted) and send it again."
    )
    refusal = AuditEntry(
        actor_user_id=person.user_id,
        actor_team_id=person.actor.team_id,
        action="referral.identifying_details",
        subject=new.partner.handle,
        decision=Decision.denied,
        reason=f"details look identifying: {', '.join(kinds)}",
        channel_id=place.channel_id,
    )
    raise PermissionDenied(reason, refusal)
