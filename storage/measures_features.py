"""The measures beside the items: joint training, the case-resource library and both sides' feedback
(storage/measures.py has the items'). `org` narrows to one partner (its handle, as training and the
library record organizations); None is the whole partnership."""

from __future__ import annotations

from collections import Counter
from statistics import mean

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.evaluation_tables import Feedback, Side, Survey
from storage.feedback import counted
from storage.library_tables import Resource, ResourceStatus, ResourceUse, UseKind
from storage.measures import Measure, Unit, count
from storage.report_periods import ReportPeriod
from storage.training_tables import Rsvp, SessionStatus, TrainingSession


def training_measures(session: Session, period: ReportPeriod, org: str | None) -> list[Measure]:
    held = session.exec(
        select(TrainingSession.id, TrainingSession.cle_hours).where(
            col(TrainingSession.starts_at) >= period.since,
            col(TrainingSession.starts_at) < period.until,
            col(TrainingSession.status) != SessionStatus.cancelled,
        )
    ).all()
    hours = {training_id: cle for training_id, cle in held}
    came = select(Rsvp.training_id, Rsvp.org).where(
        col(Rsvp.training_id).in_(list(hours)), col(Rsvp.checked_in_at).is_not(None)
    )
    if org is not None:
        came = came.where(Rsvp.org == org)
    attended = session.exec(came).all() if hours else []
    by_org = Counter(who for _training, who in attended)
    return [
        count("training_held", "Training sessions held", len(held),
              "Sessions that started in the period and were not cancelled.", activity=org is None),
        count("training_attendance", "Attendance", len(attended),
              "People checked in at those sessions" + (" from this partner." if org else ".")),
        *(count(f"training_attendance_{who}", f"Attendance: {who}", n, f"Check-ins by people of `{who}`.")
          for who, n in sorted(by_org.items())),
        Measure("training_cle_hours", "CLE hours earned", sum(hours[t] for t, _who in attended), Unit.hours,
                "Each checked-in person's CLE hours for the session, added up.", len(attended)),
    ]  # fmt: skip


def library_measures(session: Session, period: ReportPeriod, org: str | None) -> list[Measure]:
    added = select(func.count()).where(
        col(Resource.created_at) >= period.since,
        col(Resource.created_at) < period.until,
        col(Resource.status) != ResourceStatus.declined,
    )
    shared = select(func.count()).where(
        col(ResourceUse.use) == UseKind.share,
        col(ResourceUse.at) >= period.since,
        col(ResourceUse.at) < period.until,
    )
    due = select(func.count()).where(
        col(Resource.status).in_([ResourceStatus.current, ResourceStatus.needs_review]),
        col(Resource.review_due) <= period.until.date(),
    )
    if org is not None:
        added, shared, due = (added.where(Resource.author_org == org), shared.where(ResourceUse.org == org),
                              due.where(Resource.author_org == org))  # fmt: skip
    return [
        count("library_added", "Library entries added", session.exec(added.select_from(Resource)).one(),
              "Entries created or approved in the period (declined suggestions left out)."),
        count("library_shared", "Library entries shared", session.exec(shared.select_from(ResourceUse)).one(),
              "Times an entry was shared into a channel with Share here, in the period."),
        count("library_due_review", "Due for review", session.exec(due.select_from(Resource)).one(),
              "Current entries whose review date had come by the end of the period.", activity=False),
    ]  # fmt: skip


def feedback_measures(session: Session, period: ReportPeriod, partner_id: int | None) -> list[Measure]:
    query = select(Feedback.side, Feedback.rating).where(
        col(Feedback.answered_at) >= period.since, col(Feedback.answered_at) < period.until, counted()
    )
    if partner_id is not None:
        query = query.where(Feedback.partner_id == partner_id)
    rated = session.exec(query).all()
    surveys = select(Survey.working, Survey.responsive).where(
        col(Survey.answered_at) >= period.since, col(Survey.answered_at) < period.until
    )
    if partner_id is not None:
        surveys = surveys.where(Survey.partner_id == partner_id)
    answered = session.exec(surveys).all()
    measures = []
    for side, words in ((Side.office, "the office's requesters"), (Side.partner, "partner staff")):
        ratings = [r for s, r in rated if s == side and r is not None]
        measures.append(_average(f"feedback_{side}_rating", f"Referral rating by {words}", ratings,
                                 f"The average of {words}' 1-to-5 answers to \"How did this go?\" "
                                 "given in the period, about referrals that closed."))  # fmt: skip
    measures += [
        _average("survey_working", "Survey: the partnership is working", [w for w, _r in answered if w],
                 "The average 1-to-5 answer of both sides' coordinators to \"How well is the partnership "
                 "working?\" in the quarterly surveys answered in the period."),
        _average("survey_responsive", "Survey: we answer each other well", [r for _w, r in answered if r],
                 "The same for \"How quickly and clearly do we answer each other?\"."),
    ]  # fmt: skip
    return measures


def comments(session: Session, period: ReportPeriod, partner_id: int | None) -> list[tuple[str, str]]:
    """Feedback comments and survey suggestions given in the period: for the office's coordinators only."""
    query = select(Feedback).where(
        col(Feedback.answered_at) >= period.since,
        col(Feedback.answered_at) < period.until,
        col(Feedback.comment).is_not(None),
        counted(),
    )
    surveys = select(Survey).where(
        col(Survey.answered_at) >= period.since, col(Survey.answered_at) < period.until,
        col(Survey.change).is_not(None),
    )  # fmt: skip
    if partner_id is not None:
        query, surveys = (
            query.where(Feedback.partner_id == partner_id),
            surveys.where(Survey.partner_id == partner_id),
        )
    said = [
        (f"{f.item}, {f.side}, {f.rating} of 5", f.comment or "")
        for f in session.exec(query.order_by(col(Feedback.id)))
    ]
    said += [(f"survey {s.quarter}", s.change or "") for s in session.exec(surveys.order_by(col(Survey.id)))]
    return said


def _average(key: str, label: str, ratings: list[int], definition: str) -> Measure:
    return Measure(key, label, mean(ratings) if ratings else None, Unit.rating, definition, len(ratings))
