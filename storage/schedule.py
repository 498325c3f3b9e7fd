"""What the scheduler asks the database each tick: open items near or past their due time (an indexed
query on status and due time, never a scan of every item), who must act on each, and claims that make
each reminder and each digest go once. A claim is its own short transaction, taken before the message is
sent: of two ticks or two instances one gets it; a claim left by a process that stopped before sending is
taken again once it is older than any send could take."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, delete, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from storage import items
from storage.court_calendar import CourtCalendar
from storage.db import Database
from storage.item_tables import ItemBase
from storage.kinds import AnyKind, Kinds
from storage.models import DigestSent, ReminderKind, ReminderSent, Snooze

STALE_CLAIM = timedelta(minutes=5)  # longer than any send, retries and 429 waits included
# How far ahead a tick looks at least: a reminder goes one business day before the due time, which across
# a weekend (and a Monday holiday) is four calendar days; longer runs of closed days widen it (horizon()).
HORIZON = timedelta(days=4)


def horizon(today: date, calendar: CourtCalendar) -> timedelta:
    """How far ahead a pass must look for deadlines whose business day before has come: to the end of the
    next open day (Thanksgiving and an office closure on the Friday put Monday's deadlines five days
    ahead), and a day more for the recipients' zones."""
    next_open = calendar.next_open(today + timedelta(days=1))
    return max(HORIZON, timedelta(days=(next_open - today).days + 2))


def due_soon(session: Session, kinds: Kinds, now: datetime, ahead: timedelta = HORIZON) -> list[ItemBase]:
    """Open items due within `ahead` or already past due, soonest first, for every kind."""
    found: list[ItemBase] = []
    for kind in kinds:
        found += [item for item in session.exec(due_soon_query(kind, now, ahead)).all() if item.posted]
    return sorted(found, key=lambda item: item.due_at)


def due_soon_query(kind: AnyKind, now: datetime, ahead: timedelta = HORIZON) -> SelectOfScalar[ItemBase]:
    """One kind's part of `due_soon`: served by the kind's (status, due_at) index (bench/ shows the plan)."""
    model = kind.model
    return (
        select(model)
        .where(col(model.status).in_(kind.open_statuses), col(model.due_at) <= now + ahead)
        .order_by(col(model.due_at))
    )


def snoozed(session: Session, refs: Sequence[str], now: datetime) -> set[str]:
    if not refs:
        return set()
    query = select(Snooze).where(col(Snooze.item).in_(refs), col(Snooze.until) > now)
    return {s.item for s in session.exec(query).all()}


LONGEST_SNOOZE = timedelta(days=3)  # the longest Snooze button


def snooze(session: Session, ref: str, now: datetime, length: timedelta, user_id: str) -> datetime:
    """Hold the item's reminders for `length` from its latest reminder (or from now, if later), never
    longer than the longest snooze offered; when the snooze ends."""
    latest = session.exec(
        select(ReminderSent.sent_at)
        .where(ReminderSent.item == ref, col(ReminderSent.sent_at).is_not(None))
        .order_by(col(ReminderSent.sent_at).desc())
    ).first()
    start = max(now, latest) if latest is not None else now
    until = start + min(length, LONGEST_SNOOZE)
    existing = session.get(Snooze, ref)
    if existing is None:
        session.add(Snooze(item=ref, until=until, by_user_id=user_id))
    else:  # a longer snooze already chosen stays, unless it is longer than any button gives
        existing.until = min(max(existing.until, until), start + LONGEST_SNOOZE)
        existing.by_user_id = user_id
        session.add(existing)
        until = existing.until
    return until


def who_must_act(session: Session, item: ItemBase) -> list[str]:
    """The people a reminder mentions, as its kind says (a consult's taker, a referral's partner staff who
    last moved it); by default its owners, or its partner's contacts."""
    kind = items.kind_of(item)
    if kind.must_act is not None:
        return kind.must_act(session, item)
    partner = items.partner_of(session, item)
    return list(partner.contacts) if partner is not None else item.owner_ids()


def taken(row: ReminderSent | DigestSent, now: datetime) -> bool:
    """Sent, or being sent: a claim left by a process that stopped before sending is not taken."""
    return row.sent_at is not None or row.claimed_at >= now - STALE_CLAIM


def sent_reminders(session: Session, refs: Sequence[str], now: datetime) -> list[ReminderSent]:
    """The reminders about these items that are sent or being sent."""
    if not refs:
        return []
    rows = session.exec(select(ReminderSent).where(col(ReminderSent.item).in_(refs))).all()
    return [row for row in rows if taken(row, now)]


def claim_reminder(db: Database, ref: str, kind: ReminderKind, day: date, now: datetime) -> bool:
    """Take the reminder for sending; False if it was sent or is being sent."""
    key = (col(ReminderSent.item) == ref, col(ReminderSent.kind) == kind.value, col(ReminderSent.day) == day)
    return _claim(db, ReminderSent(item=ref, kind=kind, day=day, claimed_at=now), ReminderSent, key, now)


def reminder_sent(
    db: Database, ref: str, kind: ReminderKind, day: date, now: datetime, *, sent: bool
) -> None:
    """Record the send; a send that failed gives its claim back, so a later tick tries again."""
    key = (col(ReminderSent.item) == ref, col(ReminderSent.kind) == kind.value, col(ReminderSent.day) == day)
    _settle(db, ReminderSent, key, now, sent)


def claim_digest(db: Database, user_id: str, day: date, now: datetime) -> bool:
    key = (col(DigestSent.user_id) == user_id, col(DigestSent.day) == day)
    return _claim(db, DigestSent(user_id=user_id, day=day, claimed_at=now), DigestSent, key, now)


def digest_sent(db: Database, user_id: str, day: date, now: datetime, *, sent: bool) -> None:
    _settle(db, DigestSent, (col(DigestSent.user_id) == user_id, col(DigestSent.day) == day), now, sent)


def digests_sent(session: Session, day: date, now: datetime) -> set[str]:
    """Who has had (or is being sent) their digest for `day`."""
    rows = session.exec(select(DigestSent).where(DigestSent.day == day)).all()
    return {row.user_id for row in rows if taken(row, now)}


Sent = type[ReminderSent] | type[DigestSent]  # a scheduled send's claim: one row per what, whom and day
Key = tuple[ColumnElement[bool], ...]  # the row's key, as conditions


def _claim(db: Database, row: ReminderSent | DigestSent, model: Sent, key: Key, now: datetime) -> bool:
    try:
        with db.session() as session:
            session.add(row)
        return True
    except IntegrityError:  # someone has it: take it over only if they stopped before sending
        with db.session() as session:
            taken = session.execute(
                update(model)
                .where(*key, col(model.sent_at).is_(None), col(model.claimed_at) < now - STALE_CLAIM)
                .values(claimed_at=now)
            )
            return cast(CursorResult[Any], taken).rowcount == 1


def _settle(db: Database, model: Sent, key: Key, now: datetime, sent: bool) -> None:
    with db.session() as session:
        if sent:
            session.execute(update(model).where(*key).values(sent_at=now))
        else:
            session.execute(delete(model).where(*key, col(model.sent_at).is_(None)))
