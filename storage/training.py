"""Joint training: sessions (`T-3`) announced to the office and its partners, answers from both sides
with a waitlist when a session is full, check-in in a window around the session, and the CLE hours that
follow from it. Who may attend is the session's audience: the office only, named partners, or every
partner whose agreement covers `training`. Tables in storage/training_tables.py; calendar invitations
storage/training_calendar.py; the Slack side commands/training/."""

from __future__ import annotations

import re
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from storage import audit, clock, partners
from storage.errors import Conflict, InvalidInput, NotFound
from storage.models import Partner
from storage.people import Affiliation, Person
from storage.training_plans import Plan
from storage.training_tables import (
    CHECK_IN_CLOSES,
    CHECK_IN_OPENS,
    PREFIX,
    SCOPE,
    Answer,
    Rsvp,
    SessionStatus,
    TrainingPost,
    TrainingReader,
    TrainingSession,
)
from storage.updates import update_if

OFFICE = "office"


def covered(partner: Partner, today: date) -> bool:
    """Whether the partner's agreement covers joint training today."""
    return partners.covers(partner, SCOPE, today)


def reader_ids(session: Session, training: TrainingSession) -> set[int]:
    query = select(TrainingReader.partner_id).where(TrainingReader.training_id == training.id)
    return set(session.exec(query).all())


def partner_may_attend(session: Session, training: TrainingSession, partner: Partner, today: date) -> bool:
    return partners.admits(training.audience, partner, SCOPE, lambda: reader_ids(session, training), today)


def may_attend(session: Session, person: Person, training: TrainingSession, today: date) -> bool:
    if person.affiliation == Affiliation.home:
        return True
    if person.partner is None:
        return False
    return partner_may_attend(session, training, person.partner, today)


def create(session: Session, person: Person, plan: Plan, now: datetime) -> TrainingSession:
    if plan.problems or plan.starts_at is None:
        raise InvalidInput(" ".join(plan.problems.values()) or "A session needs its start.")
    if plan.starts_at <= now:
        raise InvalidInput("The start is in the past; give a later one.")
    readers = [partners.get(session, h) for h in dict.fromkeys(plan.readers)]
    row = TrainingSession(
        title=plan.title,
        description=plan.description,
        starts_at=plan.starts_at,
        minutes=plan.minutes,
        place=plan.place,
        audience=plan.audience,
        capacity=plan.capacity,
        presenters=plan.presenters,
        cle_hours=plan.cle_hours,
        cle_category=plan.cle_category,
        course_number=plan.course_number,
        cle_state=plan.cle_state,
        materials=plan.materials,
        code=f"{secrets.randbelow(10**6):06d}" if plan.code else None,
        organizer_id=person.user_id,
    )
    session.add(row)
    session.flush()
    for partner in readers:
        session.add(TrainingReader(training_id=row.id or 0, partner_id=partners.id_of(partner)))
    audit.record(session, person.actor, "training.new", subject=row.ref)
    return row


def load(session: Session, ref: str) -> TrainingSession | None:
    match = re.fullmatch(rf"\s*{PREFIX}-?(\d{{1,9}})\s*", ref, re.IGNORECASE)
    return session.get(TrainingSession, int(match[1])) if match else None


def seen(session: Session, person: Person, ref: str, today: date) -> TrainingSession:
    """The session, or NotFound in the same words whether it does not exist or is not the person's to see."""
    row = load(session, ref)
    if row is None or not may_attend(session, person, row, today):
        raise NotFound(f"There is no training session `{ref}` that you can see.")
    return row


def answers(session: Session, training: TrainingSession) -> list[Rsvp]:
    query = select(Rsvp).where(Rsvp.training_id == training.id).order_by(col(Rsvp.id))
    return list(session.exec(query).all())


@dataclass(frozen=True)
class Counts:
    going: int
    maybe: int
    waitlist: int
    by_org: dict[str, int]  # seated, by organization

    def seats_left(self, capacity: int | None) -> int | None:
        return None if capacity is None else max(0, capacity - self.going)


def counts(rows: Sequence[Rsvp]) -> Counts:
    seated = [r for r in rows if r.seated]
    return Counts(
        going=len(seated),
        maybe=sum(r.answer == Answer.maybe for r in rows),
        waitlist=sum(r.answer == Answer.going and r.waitlisted_at is not None for r in rows),
        by_org=dict(Counter(r.org for r in seated)),
    )


@dataclass
class Answered:
    rsvp: Rsvp
    promoted: list[Rsvp]  # given a seat that this answer freed
    changed: bool  # False: the same answer again


def answer(
    session: Session, person: Person, training: TrainingSession, chosen: Answer, name: str, now: datetime
) -> Answered:
    """Record the person's answer: a seat when one is free, else the waitlist; a seat freed goes to the
    first on the waitlist. The session's row is locked first, so two answers for the last seat queue."""
    if training.status != SessionStatus.scheduled:
        raise Conflict(f"{training.ref} was cancelled, so it takes no answers.")
    if now >= training.ends_at:
        raise Conflict(f"{training.ref} is over, so it takes no answers.")
    session.exec(select(TrainingSession).where(TrainingSession.id == training.id).with_for_update()).one()
    rows = answers(session, training)
    mine = next((r for r in rows if r.user_id == person.user_id), None)
    if mine is not None and mine.answer == chosen:
        return Answered(mine, [], changed=False)
    freed = mine is not None and mine.seated and chosen != Answer.going
    if mine is None:
        mine = Rsvp(training_id=training.id or 0, user_id=person.user_id, org=_org(person), answer=chosen)
    mine.answer, mine.name, mine.updated_at = chosen, name, now
    full = (
        training.capacity is not None
        and counts([r for r in rows if r is not mine]).going >= training.capacity
    )
    # The waitlist's order is the order answers took the lock: a stamp after every stamp already there
    # (two people whose clicks crossed are told places 1 and 2, and promoted in that order).
    latest = max((r.waitlisted_at for r in rows if r.waitlisted_at is not None), default=None)
    stamp = max(now, latest + timedelta(microseconds=1)) if latest is not None else now
    mine.waitlisted_at = (mine.waitlisted_at or stamp) if chosen == Answer.going and full else None
    session.add(mine)
    promoted = promote(session, training, rows, now) if freed else []
    audit.record(session, person.actor, f"training.{chosen}", subject=training.ref)
    return Answered(mine, promoted, changed=True)


def promote(session: Session, training: TrainingSession, rows: list[Rsvp], now: datetime) -> list[Rsvp]:
    waiting = sorted(
        (r for r in rows if r.answer == Answer.going and r.waitlisted_at is not None),
        key=lambda r: (r.waitlisted_at or now, r.id or 0),
    )
    free = training.capacity - counts(rows).going if training.capacity is not None else len(waiting)
    promoted = waiting[: max(0, free)]
    for row in promoted:
        row.waitlisted_at, row.updated_at = None, now
        session.add(row)
    return promoted


def _org(person: Person) -> str:
    return person.partner.handle if person.partner else OFFICE


def cancel(session: Session, person: Person, training: TrainingSession, reason: str) -> TrainingSession:
    training.status, training.cancel_reason = SessionStatus.cancelled, reason
    training.sequence += 1
    training.updated_at = clock.now()
    session.add(training)
    audit.record(session, person.actor, "training.cancel", subject=training.ref)
    return training


def changed(session: Session, person: Person, training: TrainingSession) -> None:
    """A change calendars must follow (a new start or place)."""
    training.sequence += 1
    training.updated_at = clock.now()
    session.add(training)
    audit.record(session, person.actor, "training.edit", subject=training.ref)


def check_in_window(training: TrainingSession) -> tuple[datetime, datetime]:
    return training.starts_at - CHECK_IN_OPENS, training.ends_at + CHECK_IN_CLOSES


def check_in(
    session: Session, person: Person, training: TrainingSession, code: str | None, now: datetime
) -> Rsvp:
    opens, closes = check_in_window(training)
    if training.status != SessionStatus.scheduled:
        raise Conflict(f"{training.ref} was cancelled.")
    if not opens <= now <= closes:
        raise Conflict(f"Check-in for {training.ref} is not open now.")  # the Slack side says when it is
    if training.code is not None and (code or "").strip() != training.code:
        raise InvalidInput(
            "That is not the session's code: ask the organizer for the code shown in the room."
        )
    row = session.exec(
        select(Rsvp).where(Rsvp.training_id == training.id, Rsvp.user_id == person.user_id)
    ).first()
    if row is None:
        row = Rsvp(
            training_id=training.id or 0, user_id=person.user_id, org=_org(person), answer=Answer.going
        )
    if row.checked_in_at is None:
        row.checked_in_at = now
    session.add(row)
    audit.record(session, person.actor, "training.check_in", subject=training.ref)
    return row


def mark(
    session: Session,
    person: Person,
    training: TrainingSession,
    user_id: str,
    org: str,
    came: bool,
    now: datetime,
) -> None:
    """The organizer's correction of who came."""
    row = session.exec(select(Rsvp).where(Rsvp.training_id == training.id, Rsvp.user_id == user_id)).first()
    if row is None:
        row = Rsvp(training_id=training.id or 0, user_id=user_id, org=org, answer=Answer.going)
    row.checked_in_at = (row.checked_in_at or now) if came else None
    session.add(row)
    audit.record(
        session,
        person.actor,
        "training.attendance",
        subject=training.ref,
        reason=f"{user_id} {'came' if came else 'did not come'}",
    )


def attended(session: Session, training: TrainingSession) -> list[Rsvp]:
    query = select(Rsvp).where(Rsvp.training_id == training.id, col(Rsvp.checked_in_at).is_not(None))
    return list(session.exec(query.order_by(col(Rsvp.checked_in_at))).all())


def credits(session: Session, user_id: str, year: int) -> list[tuple[TrainingSession, Rsvp]]:
    """The sessions the person attended in the year (by start, UTC), with their CLE hours."""
    first = datetime(year, 1, 1, tzinfo=UTC)
    query = (
        select(TrainingSession, Rsvp)
        .join(Rsvp, col(Rsvp.training_id) == col(TrainingSession.id))
        .where(
            Rsvp.user_id == user_id,
            col(Rsvp.checked_in_at).is_not(None),
            col(TrainingSession.starts_at) >= first,
            col(TrainingSession.starts_at) < first.replace(year=year + 1),
            TrainingSession.status == SessionStatus.scheduled,
        )
        .order_by(col(TrainingSession.starts_at))
    )
    return [(t, r) for t, r in session.exec(query).all()]


def upcoming(
    session: Session, now: datetime, until: datetime | None = None, limit: int = 50
) -> list[TrainingSession]:
    query = select(TrainingSession).where(
        TrainingSession.status == SessionStatus.scheduled,
        col(TrainingSession.starts_at) >= now - timedelta(hours=8),
    )
    if until is not None:
        query = query.where(col(TrainingSession.starts_at) < until)
    return list(session.exec(query.order_by(col(TrainingSession.starts_at)).limit(limit)).all())


def listed(session: Session, which: str, user_id: str, now: datetime) -> list[TrainingSession]:
    """`upcoming` (soonest first), `past` (latest first) or `mine` (organized or answered, upcoming)."""
    query = select(TrainingSession)
    if which == "past":
        query = query.where(col(TrainingSession.starts_at) < now).order_by(
            col(TrainingSession.starts_at).desc()
        )
    else:
        query = query.where(col(TrainingSession.starts_at) >= now).order_by(col(TrainingSession.starts_at))
    if which == "mine":
        answered = select(Rsvp.training_id).where(Rsvp.user_id == user_id)
        query = query.where(
            (col(TrainingSession.organizer_id) == user_id) | col(TrainingSession.id).in_(answered)
        )
    return list(session.exec(query.limit(50)).all())


def post(session: Session, training: TrainingSession, channel_id: str, ts: str) -> None:
    session.execute(
        delete(TrainingPost).where(
            col(TrainingPost.training_id) == training.id, col(TrainingPost.channel_id) == channel_id
        )
    )
    session.add(TrainingPost(training_id=training.id or 0, channel_id=channel_id, ts=ts))


def posts(session: Session, training: TrainingSession) -> list[TrainingPost]:
    return list(session.exec(select(TrainingPost).where(TrainingPost.training_id == training.id)).all())


def taken(session: Session, training: TrainingSession) -> int:
    return int(
        session.exec(select(func.count()).select_from(Rsvp).where(Rsvp.training_id == training.id)).one()
    )


def rate(
    session: Session, person: Person, training: TrainingSession, rating: int, comment: str | None
) -> None:
    """An attendee's feedback, once."""
    row = session.exec(
        select(Rsvp).where(Rsvp.training_id == training.id, Rsvp.user_id == person.user_id)
    ).first()
    if row is None or row.checked_in_at is None:
        raise Conflict(f"Liaison has no check-in of yours for {training.ref}, so it takes no feedback.")
    rated = f"You rated {training.ref} already"
    if row.rating is not None:
        raise Conflict(f"{rated} ({row.rating} of 5). Thank you.")
    # Of two ratings sent at once (a double click on Send), the first is kept and the second told so.
    if not update_if(session, Rsvp, row.id, col(Rsvp.rating).is_(None), rating=rating, comment=comment):
        raise Conflict(f"{rated}. Thank you.")
    audit.record(session, person.actor, "training.feedback", subject=training.ref)
