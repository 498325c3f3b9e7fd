"""What a daily digest counts, and who gets one. Only IDs, partners, deadlines and counts: no client
details and no internal case numbers (DESIGN: digests carry counts and IDs)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from storage import items, roles
from storage.deadlines import WORKDAY_END, WORKDAY_START
from storage.items import Item
from storage.models import (
    Advocacy,
    AdvocacyStatus,
    Consult,
    ConsultStatus,
    DigestDays,
    DigestSetting,
    Partner,
    PartnerStatus,
    Referral,
    ReferralStatus,
)
from storage.types import utcnow

DEFAULT_AT = "08:00"


def recipients(session: Session, configured_admins: Collection[str]) -> list[DigestSetting]:
    """Everyone who gets a digest, with when: coordinators and admins by default, and whoever opted in."""
    chosen = {s.user_id: s for s in session.exec(select(DigestSetting)).all()}
    for user_id in roles.coordinators(session, configured_admins):
        chosen.setdefault(user_id, DigestSetting(user_id=user_id, at=DEFAULT_AT, days=DigestDays.weekdays))
    return sorted((s for s in chosen.values() if s.enabled), key=lambda s: s.user_id)


def setting_of(session: Session, user_id: str, configured_admins: Collection[str]) -> DigestSetting | None:
    """The person's digest setting: stored, else the coordinators' default, else None (no digest)."""
    stored = session.get(DigestSetting, user_id)
    if stored is not None:
        return stored
    if user_id in roles.coordinators(session, configured_admins):
        return DigestSetting(user_id=user_id, at=DEFAULT_AT, days=DigestDays.weekdays)
    return None


def set_digest(
    session: Session, user_id: str, enabled: bool, at: str | None, days: DigestDays | None
) -> DigestSetting:
    row = session.get(DigestSetting, user_id) or DigestSetting(user_id=user_id)
    row.enabled = enabled
    if at is not None:
        row.at = at
    if days is not None:
        row.days = days
    row.updated_at = utcnow()
    session.add(row)
    return row


ON_TIME = timedelta(hours=1)  # a digest this late is still at the time the person chose


def is_due(setting: DigestSetting, local_now: datetime) -> bool:
    """Whether the person's digest for their today is due by now. At the time they chose, whatever the
    hour; a digest missed by more than an hour (Liaison was down) catches up later the same day, but only
    in working hours (08:00 to 18:00 their time): never at 23:30. Past those, the next digest replaces it."""
    if setting.days == DigestDays.weekdays and local_now.weekday() >= 5:
        return False
    chosen = datetime.combine(local_now.date(), time.fromisoformat(setting.at), local_now.tzinfo)
    if local_now < chosen:
        return False
    return local_now - chosen <= ON_TIME or WORKDAY_START <= local_now.time() < WORKDAY_END


@dataclass
class Contents:
    overdue: list[Item] = field(default_factory=list)
    due_soon: list[Item] = field(default_factory=list)  # in the next two business days
    unanswered_referrals: list[Referral] = field(default_factory=list)  # requested > two business days ago
    unanswered_consults: list[Consult] = field(default_factory=list)
    advocacy_this_week: list[Advocacy] = field(default_factory=list)
    expiring: list[Partner] = field(default_factory=list)  # agreements ending within 30 days
    partner_names: dict[str, str] = field(default_factory=dict)  # item ref -> partner name


def contents(
    session: Session, now: datetime, soon: datetime, waiting_since: datetime, week_end: datetime, today: date
) -> Contents:
    """Everything open that a coordinator should see: an indexed query per kind on status (and due time
    where it decides), never every item."""
    found = Contents()
    for kind in items.KINDS:
        model = kind.model
        query = select(model).where(col(model.status).in_(kind.open_statuses)).order_by(col(model.due_at))
        for item in session.exec(query).all():
            if not item.posted:
                continue
            if item.due_at < now:
                found.overdue.append(item)
            elif item.due_at <= soon:
                found.due_soon.append(item)
            if (
                isinstance(item, Referral)
                and item.status == ReferralStatus.requested
                and item.created_at < waiting_since
            ):
                found.unanswered_referrals.append(item)
            if isinstance(item, Consult) and item.status == ConsultStatus.open:
                found.unanswered_consults.append(item)
            if (
                isinstance(item, Advocacy)
                and item.status == AdvocacyStatus.open
                and now <= item.due_at <= week_end
            ):
                found.advocacy_this_week.append(item)
            partner = items.partner_of(session, item)
            if partner is not None:
                found.partner_names[item.ref] = partner.name
    horizon = today + timedelta(days=30)
    partners = session.exec(select(Partner).where(Partner.status == PartnerStatus.active)).all()
    found.expiring = sorted(
        (p for p in partners if p.mou_expires is not None and today <= p.mou_expires <= horizon),
        key=lambda p: p.mou_expires or today,
    )
    return found
