"""Consent records: identifying details about a client go to a partner only while a consent for that
case and that partner stands (recorded, not expired, not revoked). Ticking "the client agreed" records
one; `/referral consent R-12 revoke` ends it, and every later disclosure for that case to that partner is
refused, saying why."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from storage import audit, partners
from storage.identifiers import case_key
from storage.models import Consent, Partner
from storage.people import Person
from storage.wording import person

VALID_FOR = timedelta(days=365)  # a recorded consent lapses after a year unless renewed


def latest(session: Session, case_number: str, partner: Partner) -> Consent | None:
    query = (
        select(Consent)
        .where(Consent.case_number == case_key(case_number), Consent.partner_id == partner.id)
        .order_by(col(Consent.id).desc())
    )
    return session.exec(query).first()


def standing(consent: Consent | None, today: date) -> bool:
    return (
        consent is not None
        and consent.revoked_at is None
        and (consent.expires_on is None or today <= consent.expires_on)
    )


def why_not(consent: Consent | None, partner: Partner) -> str | None:
    """Why a consent on record no longer stands (None: there is none, or it stands)."""
    if consent is None:
        return None
    if consent.revoked_at is not None:
        return (
            f"the client's consent to share identifying details with {partner.name} for this case was "
            f"revoked on {consent.revoked_at.date().isoformat()} by {person(consent.revoked_by or '')}"
        )
    return f"the client's consent for {partner.name} expired on {consent.expires_on}"


def record(
    session: Session, person: Person, case_number: str, partner: Partner, purpose: str, today: date
) -> Consent:
    consent = Consent(
        case_number=case_key(case_number),
        partner_id=partners.id_of(partner),
        purpose=purpose[:200],
        given_by=person.user_id,
        given_on=today,
        expires_on=today + VALID_FOR,
    )
    session.add(consent)
    session.flush()
    audit.record(
        session,
        person.actor,
        "consent.record",
        subject=partner.handle,
        reason=f"consent {consent.id}: {purpose[:150]}",
    )
    return consent


def revoke(session: Session, person: Person, consent: Consent, now: datetime) -> None:
    consent.revoked_at, consent.revoked_by = now, person.user_id
    session.add(consent)
    audit.record(session, person.actor, "consent.revoke", subject=f"consent {consent.id}", reason="revoked")
