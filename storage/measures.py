"""The partnership's measures, each with its written definition: referrals, consults and action items
from their own tables and history (storage/measures_features.py adds training, the library and
feedback). Only counts, times and shares: no client text, no case numbers. Read with a few aggregate
queries, never by loading items, so a report over 100,000 items builds in well under two seconds."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from statistics import median, quantiles
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import String, and_, case, cast, func, literal
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from storage import items
from storage.item_tables import Advocacy, AdvocacyStatus, Consult, ReferralStatus
from storage.item_tables import Referral as R
from storage.kinds import Kinds
from storage.models import ItemEvent as E
from storage.report_periods import ReportPeriod
from storage.sql_hours import hours_between
from storage.types import UTCDateTime

SMALL = 5  # in anything that leaves the office, a count below this is "fewer than 5"
_CLOSED = (ReferralStatus.completed, ReferralStatus.failed, ReferralStatus.rejected, ReferralStatus.cancelled)
AGES = ((2, "0-2 days"), (7, "3-7 days"), (14, "8-14 days"), (30, "15-30 days"), (60, "31-60 days"))
OLDER = "over 60 days"


class Unit(StrEnum):
    number = "number"
    hours = "hours"
    share = "share"
    rating = "rating"


@dataclass(frozen=True)
class Measure:
    key: str  # its column in the CSV: referrals_sent
    label: str
    value: float | None  # None: nothing to compute it from
    unit: Unit
    definition: str
    basis: int  # how many records it is computed from (a median of 2 hides no one)
    # Something done in the period: False for a state that stands whatever happened (entries due for review)
    # or for what is not the partner's own (every session held, in one partner's report).
    activity: bool = True


class ReferralRow(NamedTuple):  # a tuple: a year's 60,000 are made in a blink, straight from the rows
    partner_id: int
    status: str
    sent_hours: float  # when it was sent, in hours after the period began
    response_hours: float | None  # to the partner's first answer
    accept_hours: float | None  # to its first acceptance
    close_hours: float | None  # to its closing, if it is closed
    late: int  # 1 (or True): closed after its due date, or open past it at the cut-off
    reason: str | None  # the coded reason of its rejection


class ConsultRow(NamedTuple):
    partner_id: int
    answer_hours: float | None
    on_time: int | None  # 1 (or True): first answered by its due date


def count(key: str, label: str, value: int, definition: str, activity: bool = True) -> Measure:
    return Measure(key, label, value, Unit.number, definition, value, activity)


def share(key: str, label: str, part: int, whole: int, definition: str) -> Measure:
    return Measure(key, label, part / whole if whole else None, Unit.share, definition, whole)


def timings(key: str, label: str, hours: Sequence[float], definition: str) -> list[Measure]:
    """The median and the 90th percentile of `hours`."""
    p90 = (quantiles(hours, n=10, method="inclusive")[-1] if len(hours) > 1 else hours[0]) if hours else None
    return [
        Measure(f"{key}_median_hours", f"{label}, median", median(hours) if hours else None, Unit.hours,
                definition, len(hours)),
        Measure(f"{key}_p90_hours", f"{label}, 90th percentile", p90, Unit.hours,
                f"{definition} Nine in ten were at or under this.", len(hours)),
    ]  # fmt: skip


def referral_rows(session: Session, period: ReportPeriod, partner_id: int | None) -> list[ReferralRow]:
    """Referrals sent in the period (none entered in error), with the times their history holds."""
    ref = literal("R-") + cast(R.id, String)
    accepted_at = func.min(case((col(E.to_status) == ReferralStatus.accepted, E.at)))
    closed_at = func.max(case((col(E.to_status).in_(_CLOSED), E.at)))
    closed_now = col(R.status).in_(_CLOSED)
    late = case(
        (and_(closed_now, closed_at.is_not(None)), closed_at > col(R.due_at)),
        else_=literal(period.until, UTCDateTime) > col(R.due_at),
    )
    query = (
        select_columns(
            col(R.partner_id),
            col(R.status),
            hours_between(R.created_at, literal(period.since, UTCDateTime)),
            hours_between(R.first_response_at, R.created_at),
            hours_between(accepted_at, R.created_at),
            case((closed_now, hours_between(closed_at, R.created_at))),
            late,
            func.max(case((col(E.to_status) == ReferralStatus.rejected, E.reason_code))),
        )
        .join(E, col(E.item) == ref, isouter=True)
        .where(col(R.created_at) >= period.since, col(R.created_at) < period.until)
        .where(col(R.status) != ReferralStatus.entered_in_error)
        .group_by(col(R.id))
    )
    if partner_id is not None:
        query = query.where(col(R.partner_id) == partner_id)
    return [
        ReferralRow(p, s, c, r, a, x, bool(t), why) for p, s, c, r, a, x, t, why in session.execute(query)
    ]


def consult_rows(session: Session, period: ReportPeriod, partner_id: int | None) -> list[ConsultRow]:
    query = select_columns(
        col(Consult.partner_id),
        hours_between(Consult.first_response_at, Consult.created_at),
        col(Consult.first_response_at) <= col(Consult.due_at),
    ).where(col(Consult.created_at) >= period.since, col(Consult.created_at) < period.until)
    if partner_id is not None:
        query = query.where(col(Consult.partner_id) == partner_id)
    return list(map(ConsultRow._make, session.connection().execute(query)))


def referral_measures(rows: Sequence[ReferralRow]) -> list[Measure]:
    status = Counter(r.status for r in rows)
    measures = [
        count("referrals_sent", "Referrals sent", len(rows),
              "Referrals created in the period (any later marked entered in error are left out)."),
        count("referrals_accepted", "Accepted", sum(r.accept_hours is not None for r in rows),
              "Of those sent, how many the partner accepted, by the cut-off."),
        count("referrals_rejected", "Rejected", status[ReferralStatus.rejected],
              "Of those sent, how many the partner rejected; by coded reason below."),
        count("referrals_completed", "Completed", status[ReferralStatus.completed],
              "Of those sent, how many were completed with an outcome, by the cut-off."),
        count("referrals_failed", "Could not complete", status[ReferralStatus.failed],
              "Of those sent, how many the partner accepted but could not complete."),
        count("referrals_cancelled", "Cancelled", status[ReferralStatus.cancelled],
              "Of those sent, how many the office cancelled."),
        share("referrals_overdue_share", "Overdue", sum(r.late for r in rows), len(rows),
              "Of those sent, the share that passed their due date while open: closed after it, or still "
              "open and past it at the cut-off."),
    ]  # fmt: skip
    reasons = Counter(r.reason or "no reason given" for r in rows if r.status == ReferralStatus.rejected)
    measures += [
        count(f"rejected_{reason}", f"Rejected: {reason}", n, f"Rejections whose coded reason was {reason}.")
        for reason, n in sorted(reasons.items())
    ]
    measures += timings(
        "first_response",
        "Time to first response",
        [r.response_hours for r in rows if r.response_hours is not None],
        "From sending to the partner's first answer (a button or a reply in the thread), for those answered.",
    )
    measures += timings(
        "acceptance",
        "Time to acceptance",
        [r.accept_hours for r in rows if r.accept_hours is not None],
        "From sending to the partner's acceptance, for those accepted.",
    )
    measures += timings(
        "close",
        "Time to close",
        [r.close_hours for r in rows if r.close_hours is not None],
        "From sending to completed, could not complete, rejected or cancelled, for those closed.",
    )
    return measures


def consult_measures(rows: Sequence[ConsultRow]) -> list[Measure]:
    return [
        count("consults_sent", "Consults sent", len(rows),
              "Requests for a partner's input created in the period."),
        share("consults_on_time_share", "Answered on time", sum(bool(r.on_time) for r in rows), len(rows),
              "Of the consults sent, the share whose first answer came by their due date."),
        *timings("consult_answer", "Time to answer",
                 [r.answer_hours for r in rows if r.answer_hours is not None],
                 "From asking to the partner's first answer in the thread, for those answered."),
    ]  # fmt: skip


def advocacy_measures(session: Session, period: ReportPeriod) -> list[Measure]:
    """Action items created in the period, by campaign: how many, done, dropped."""
    rows = session.exec(
        select(Advocacy.campaign, Advocacy.status, func.count())
        .where(col(Advocacy.created_at) >= period.since, col(Advocacy.created_at) < period.until)
        .group_by(col(Advocacy.campaign), col(Advocacy.status))
    ).all()
    by_campaign: dict[str, Counter[str]] = {}
    for campaign, status, n in rows:
        by_campaign.setdefault(campaign or "no campaign", Counter())[status] += n
    measures = []
    for campaign, counted in sorted(by_campaign.items()):
        slug = campaign.replace(" ", "_")
        measures += [
            count(f"advocacy_{slug}_created", f"Action items, {campaign}", sum(counted.values()),
                  f"Action items of the campaign `{campaign}` created in the period."),
            count(f"advocacy_{slug}_done", f"Done, {campaign}", counted[AdvocacyStatus.done],
                  "Of those, how many were marked done by the cut-off."),
            count(f"advocacy_{slug}_dropped", f"Dropped, {campaign}", counted[AdvocacyStatus.dropped],
                  "Of those, how many were dropped by the cut-off."),
        ]  # fmt: skip
    return measures


OUTCOMES = ("waiting", "in progress", "completed", "could not complete", "rejected", "cancelled")


def outcome(status: str) -> str:
    """A referral's status as the weekly flow chart groups it."""
    return {
        ReferralStatus.requested: "waiting",
        ReferralStatus.completed: "completed",
        ReferralStatus.failed: "could not complete",
        ReferralStatus.rejected: "rejected",
        ReferralStatus.cancelled: "cancelled",
    }.get(ReferralStatus(status), "in progress")


def weekly_flow(
    rows: Sequence[ReferralRow], period: ReportPeriod, zone: ZoneInfo
) -> list[tuple[date, Counter[str]]]:
    """Referrals sent each week of the period (weeks begin on Monday, office time), by where each stands
    now; every week is there, an empty one too."""
    first = period.first - timedelta(days=period.first.weekday())
    mondays = [first + timedelta(weeks=n) for n in range((period.last - first).days // 7 + 1)]
    starts = [(datetime.combine(m, time(), zone) - period.since).total_seconds() / 3600 for m in mondays]
    weeks: list[Counter[str]] = [Counter() for _monday in mondays]
    for r in rows:  # a binary search per row: a year's 60,000 referrals in milliseconds
        weeks[max(0, bisect_right(starts, r.sent_hours) - 1)][outcome(r.status)] += 1
    return list(zip(mondays, weeks, strict=True))


def open_ages(
    session: Session, kinds: Kinds, cutoff: datetime, partner_id: int | None
) -> list[tuple[str, int]]:
    """Items of every kind open now, by how long ago they were created (counted by the database)."""
    counted: Counter[str] = Counter()
    for kind in kinds:
        created = col(kind.model.created_at)
        bucket = case(
            *((created > cutoff - timedelta(days=limit + 1), name) for limit, name in AGES),
            else_=literal(OLDER),
        )
        query = (
            select_columns(bucket, func.count())
            .where(col(kind.model.status).in_(kind.open_statuses))
            .group_by(bucket)
        )
        if partner_id is not None:
            if not kind.addressed:
                continue
            query = query.where(items.partner_column(kind) == partner_id)
        for name, n in session.execute(query):
            counted[name] += n
    return [(name, counted[name]) for _limit, name in AGES] + [(OLDER, counted[OLDER])]


def closings(session: Session, period: ReportPeriod) -> list[datetime]:
    """When referrals were closed in the period (a referral closed, reopened by a correction and closed
    again counts twice: rare, and the chart shows work done)."""
    query = select(E.at).where(
        col(E.item).startswith("R-"),
        col(E.to_status).in_(_CLOSED),
        col(E.at) >= period.since,
        col(E.at) < period.until,
    )
    return list(session.exec(query).all())
