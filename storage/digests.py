"""What a daily digest counts, and who gets one. Only IDs, partners, deadlines and counts: no client
details and no internal case numbers (DESIGN: digests carry counts and IDs)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from storage import clock, items, roles
from storage.court_calendar import CourtCalendar
from storage.deadlines import WORKDAY_END, WORKDAY_START
from storage.item_tables import ItemBase
from storage.kinds import Kinds, Moments
from storage.models import DigestDays, DigestSetting, Partner, PartnerStatus

DEFAULT_AT = "08:00"


def recipients(session: Session, configured_admins: Collection[str]) -> list[DigestSetting]:
    """Everyone who gets a digest, with when: coordinators and admins by default, and whoever opted in."""
    chosen = {s.user_id: s for s in session.exec(select(DigestSetting)).all()}
    for user_id in roles.coordinators(session, configured_admins):
        chosen.setdefault(user_id, DigestSetting(user_id=user_id, at=DEFAULT_AT, days=DigestDays.weekdays))
    return sorted((s for s in chosen.values() if s.enabled), key=lambda s: s.user_id)


def set_digest(
    session: Session, user_id: str, enabled: bool, at: str | None, days: DigestDays | None
) -> DigestSetting:
    row = session.get(DigestSetting, user_id) or DigestSetting(user_id=user_id)
    row.enabled = enabled
    if at is not None:
        row.at = at
    if days is not None:
        row.days = days
    row.updated_at = clock.now()
    session.add(row)
    return row


ON_TIME = timedelta(hours=1)  # a digest this late is still at the time the person chose


def is_due(setting: DigestSetting, local_now: datetime, calendar: CourtCalendar) -> bool:
    """Whether the person's digest for their today is due by now. At the time they chose, whatever the
    hour; a digest missed by more than an hour (Liaison was down) catches up later the same day, but only
    in working hours (08:00 to 18:00 their time): never at 23:30. Past those, the next digest replaces it.
    A weekdays digest comes on the days the office is open: not on a holiday or a closure."""
    if setting.days == DigestDays.weekdays and not calendar.is_open(local_now.date()):
        return False
    chosen = datetime.combine(local_now.date(), time.fromisoformat(setting.at), local_now.tzinfo)
    if local_now < chosen:
        return False
    return local_now - chosen <= ON_TIME or WORKDAY_START <= local_now.time() < WORKDAY_END


@dataclass
class Contents:
    overdue: list[ItemBase] = field(default_factory=list)
    due_soon: list[ItemBase] = field(default_factory=list)  # in the next two business days
    lists: dict[str, list[ItemBase]] = field(default_factory=dict)  # each kind's own lists, by key
    expiring: list[Partner] = field(default_factory=list)  # agreements ending within 30 days
    partner_names: dict[str, str] = field(default_factory=dict)  # item ref -> partner name


def contents(session: Session, kinds: Kinds, at: Moments, today: date) -> Contents:
    """Everything open that a coordinator should see: an indexed query per kind on status, never every
    item; each kind says which of its items go on its own lists (storage/kinds.py: digest)."""
    found = Contents(lists={lst.key: [] for kind in kinds for lst in kind.digest})
    for kind in kinds:
        model = kind.model
        query = select(model).where(col(model.status).in_(kind.open_statuses)).order_by(col(model.due_at))
        for item in session.exec(query).all():
            if not item.posted:
                continue
            if item.due_at < at.now:
                found.overdue.append(item)
            elif item.due_at <= at.soon:
                found.due_soon.append(item)
            for listed in kind.digest:
                if listed.picks(item, at):
                    found.lists[listed.key].append(item)
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
