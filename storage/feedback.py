"""Feedback from both sides: one "How did this go?" per person who took part in a closed referral (its
requester and the partner staff who handled it), and a quarterly three-question survey of both sides'
coordinators. Each is asked once (a unique key) and answered once; comments are kept encrypted and shown
only to the office's coordinators."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Integer, cast, exists, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage import audit, clock, roles
from storage.db import Database
from storage.errors import Conflict, NotFound
from storage.evaluation_tables import Feedback, FeedbackMark, Side, Survey
from storage.item_tables import Referral, ReferralStatus
from storage.models import ItemEvent, Partner, PartnerStatus
from storage.people import Person
from storage.updates import update_if

CLOSES = (ReferralStatus.completed, ReferralStatus.failed, ReferralStatus.rejected)  # cancelled: the
# requester's own decision, before the partner did anything worth rating
_PARTNER_MOVES = (*CLOSES, ReferralStatus.accepted, ReferralStatus.in_progress, ReferralStatus.on_hold)
_MARK = "referral"
_READ = 500  # closures read per tick
ASK_WITHIN = timedelta(days=7)  # a prompt not sent by then (Slack refused it all week) is given up


def ask_about_closures(db: Database) -> int:
    """Add a prompt for each person who took part in a referral closed since the last call; how many.
    (Migration 0017 set the mark where the history ended: closures before it are not asked about.)"""
    with db.session() as session:
        mark = session.get(FeedbackMark, _MARK) or FeedbackMark(name=_MARK, last_event_id=0)
        closures = session.exec(
            select(ItemEvent)
            .where(col(ItemEvent.id) > mark.last_event_id, col(ItemEvent.to_status).in_(CLOSES))
            .where(col(ItemEvent.item).startswith("R-"))
            .order_by(col(ItemEvent.id))
            .limit(_READ)
        ).all()
        if not closures:
            return 0
        wanted: list[Feedback] = []
        for event in closures:
            referral = session.get(Referral, int(event.item[2:]))
            if referral is None or referral.status not in CLOSES:
                continue  # closed and then marked entered in error: nothing to rate
            handlers = session.exec(
                select(ItemEvent.actor_user_id)
                .where(ItemEvent.item == event.item, col(ItemEvent.to_status).in_(_PARTNER_MOVES))
                .distinct()
            ).all()
            wanted.append(Feedback(item=event.item, user_id=referral.requester_id, side=Side.office,
                                   partner_id=referral.partner_id))  # fmt: skip
            wanted += [
                Feedback(item=event.item, user_id=user, side=Side.partner, partner_id=referral.partner_id)
                for user in sorted(set(handlers) - {referral.requester_id})
            ]
        mark.last_event_id = closures[-1].id or mark.last_event_id
        session.add(mark)
    added = 0
    for prompt in wanted:  # each alone: one asked already (another instance, a reopened referral) is skipped
        try:
            with db.session() as session:
                session.add(prompt)
            added += 1
        except IntegrityError:
            continue
    return added


def unsent_prompts(session: Session, now: datetime) -> list[Feedback]:
    return list(
        session.exec(
            select(Feedback)
            .where(col(Feedback.sent).is_(False), col(Feedback.asked_at) > now - ASK_WITHIN)
            .order_by(col(Feedback.id))
        ).all()
    )


def claim(db: Database, table: type[Feedback] | type[Survey], row_id: int, sent: bool = True) -> bool:
    """Mark a prompt or survey sent (True: this caller sends it); `sent=False` gives a refused one back."""
    with db.session() as session:
        return update_if(session, table, row_id, col(table.sent).is_(not sent), sent=sent)


def counted() -> ColumnElement[bool]:
    """Feedback about a referral still standing: one marked entered in error since (a referral closed by
    mistake is corrected that way) is neither answered nor counted."""
    referral_id = cast(func.substr(Feedback.item, 3), Integer)  # `R-12`
    return ~exists().where(
        col(Referral.id) == referral_id, col(Referral.status) == ReferralStatus.entered_in_error
    )


def answerable(session: Session, user_id: str, ref: str) -> Feedback:
    """The person's prompt about `ref`, not yet answered; NotFound or Conflict saying why not."""
    row = session.exec(select(Feedback).where(Feedback.item == ref, Feedback.user_id == user_id)).first()
    if row is None:
        raise NotFound(f"Liaison has not asked you about {ref}, so it takes no rating for it.")
    if row.answered_at is not None:
        raise Conflict(f"You answered about {ref} already ({row.rating} of 5). Thank you.")
    if session.exec(select(Feedback.id).where(Feedback.id == row.id, counted())).first() is None:
        raise Conflict(f"{ref} was marked as entered in error since, so Liaison takes no rating for it.")
    return row


def answer(session: Session, person: Person, ref: str, rating: int, comment: str | None) -> None:
    row = answerable(session, person.user_id, ref)
    # Of two answers sent at once (a double click on Send), the first is kept and the second told so.
    if not update_if(
        session,
        Feedback,
        row.id,
        col(Feedback.answered_at).is_(None),
        rating=rating,
        comment=comment,
        answered_at=clock.now(),
    ):
        raise Conflict(f"You answered about {ref} already. Thank you.")
    audit.record(session, person.actor, "feedback.answer", subject=ref)


def survey_recipients(session: Session, admins: Collection[str]) -> list[tuple[str, int | None]]:
    """Both sides' coordinators: the office's (None) and each active partner's contacts."""
    people: dict[str, int | None] = dict.fromkeys(sorted(roles.coordinators(session, admins)))
    for partner in session.exec(select(Partner).where(Partner.status == PartnerStatus.active)).all():
        for user in partner.contacts:
            people.setdefault(user, partner.id)
    return list(people.items())


def ask_survey(
    db: Database, quarter: str, user_id: str, partner_id: int | None, now: datetime
) -> Survey | None:
    """The person's survey for the quarter, added once; None when it was asked already."""
    try:
        with db.session() as session:
            row = Survey(quarter=quarter, user_id=user_id, partner_id=partner_id, asked_at=now)
            session.add(row)
            session.flush()
            session.expunge(row)
        return row
    except IntegrityError:
        return None


def survey_answerable(session: Session, user_id: str, quarter: str) -> Survey:
    row = session.exec(select(Survey).where(Survey.quarter == quarter, Survey.user_id == user_id)).first()
    if row is None:
        raise NotFound(f"Liaison has not sent you the survey for {quarter}.")
    if row.answered_at is not None:
        raise Conflict(f"You answered the survey for {quarter} already. Thank you.")
    return row


def answer_survey(
    session: Session, person: Person, quarter: str, working: int, responsive: int, change: str | None
) -> None:
    row = survey_answerable(session, person.user_id, quarter)
    if not update_if(
        session,
        Survey,
        row.id,
        col(Survey.answered_at).is_(None),
        working=working,
        responsive=responsive,
        change=change,
        answered_at=clock.now(),
    ):
        raise Conflict(f"You answered the survey for {quarter} already. Thank you.")
    audit.record(session, person.actor, "survey.answer", subject=quarter)
