"""The partnership's measures, each with its written definition: referrals, consults and action items
from their own tables and history (storage/measures_features.py adds training, the library and
feedback). Only counts, times and shares: no client text, no case numbers. Read with a few aggregate
queries, never by loading items, so a report over 100,000 items builds in well under two seconds."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from statistics import median, quantiles
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import String, case, cast, func, literal, type_coerce
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from storage import items
from storage.item_tables import Advocacy, AdvocacyStatus, Consult, ReferralStatus
from storage.item_tables import Referral as R
from storage.kinds import Kinds
from storage.models import ItemEvent as E
from storage.report_periods import ReportPeriod
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


@dataclass(frozen=True)
class ReferralRow:
    partner_id: int
    status: str
    created_at: datetime
    due_at: datetime
    first_response_at: datetime | None
    accepted_at: datetime | None
    closed_at: datetime | None
    reason: str | None  # the coded reason of its rejection


@dataclass(frozen=True)
class ConsultRow:
    partner_id: int
    created_at: datetime
    due_at: datetime
    first_response_at: datetime | None


def count(key: str, label: str, value: int, definition: str) -> Measure:
    return Measure(key, label, value, Unit.number, definition, value)


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


def _hours(later: datetime | None, earlier: datetime) -> float | None:
    return None if later is None else (later - earlier).total_seconds() / 3600


def referral_rows(session: Session, period: ReportPeriod, partner_id: int | None) -> list[ReferralRow]:
    """Referrals sent in the period (none entered in error), with the moments their history holds."""
    ref = literal("R-") + cast(R.id, String)

    def first(status: Any) -> Any:
        return type_coerce(func.min(case((col(E.to_status).in_(status), E.at))), UTCDateTime)

    query = (
        select_columns(
            col(R.partner_id),
            col(R.status),
            col(R.created_at),
            col(R.due_at),
            col(R.first_response_at),
            first([ReferralStatus.accepted]),
            type_coerce(func.max(case((col(E.to_status).in_(_CLOSED), E.at))), UTCDateTime),
            func.max(case((col(E.to_status) == ReferralStatus.rejected, E.reason_code))),
        )
        .join(E, col(E.item) == ref, isouter=True)
        .where(col(R.created_at) >= period.since, col(R.created_at) < period.until)
        .where(col(R.status) != ReferralStatus.entered_in_error)
        .group_by(col(R.id))
    )
    if partner_id is not None:
        query = query.where(col(R.partner_id) == partner_id)
    return [ReferralRow(*row) for row in session.execute(query).all()]


def consult_rows(session: Session, period: ReportPeriod, partner_id: int | None) -> list[ConsultRow]:
    query = select(Consult.partner_id, Consult.created_at, Consult.due_at, Consult.first_response_at).where(
        col(Consult.created_at) >= period.since, col(Consult.created_at) < period.until
    )
    if partner_id is not None:
        query = query.where(col(Consult.partner_id) == partner_id)
    return [ConsultRow(*row) for row in session.exec(query).all()]


def referral_measures(rows: Sequence[ReferralRow], cutoff: datetime) -> list[Measure]:
    status = Counter(r.status for r in rows)
    closed = [r for r in rows if r.status in _CLOSED and r.closed_at is not None]
    late = sum(
        (r.closed_at if r.status in _CLOSED and r.closed_at else cutoff) > r.due_at for r in rows
    )  # closed after its due date, or still open past it at the cut-off
    measures = [
        count("referrals_sent", "Referrals sent", len(rows),
              "Referrals created in the period (any later marked entered in error are left out)."),
        count("referrals_accepted", "Accepted", sum(r.accepted_at is not None for r in rows),
              "Of those sent, how many the partner accepted, by the cut-off."),
        count("referrals_rejected", "Rejected", status[ReferralStatus.rejected],
              "Of those sent, how many the partner rejected; by coded reason below."),
        count("referrals_completed", "Completed", status[ReferralStatus.completed],
              "Of those sent, how many were completed with an outcome, by the cut-off."),
        count("referrals_failed", "Could not complete", status[ReferralStatus.failed],
              "Of those sent, how many the partner accepted but could not complete."),
        count("referrals_cancelled", "Cancelled", status[ReferralStatus.cancelled],
              "Of those sent, how many the office cancelled."),
        share("referrals_overdue_share", "Overdue", late, len(rows),
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
        [h for r in rows if (h := _hours(r.first_response_at, r.created_at)) is not None],
        "From sending to the partner's first answer (a button or a reply in the thread), for those answered.",
    )
    measures += timings(
        "acceptance",
        "Time to acceptance",
        [h for r in rows if (h := _hours(r.accepted_at, r.created_at)) is not None],
        "From sending to the partner's acceptance, for those accepted.",
    )
    measures += timings(
        "close",
        "Time to close",
        [h for r in closed if (h := _hours(r.closed_at, r.created_at)) is not None],
        "From sending to completed, could not complete, rejected or cancelled, for those closed.",
    )
    return measures


def consult_measures(rows: Sequence[ConsultRow]) -> list[Measure]:
    answered = [r for r in rows if r.first_response_at is not None]
    on_time = sum(r.first_response_at is not None and r.first_response_at <= r.due_at for r in rows)
    return [
        count("consults_sent", "Consults sent", len(rows),
              "Requests for a partner's input created in the period."),
        share("consults_on_time_share", "Answered on time", on_time, len(rows),
              "Of the consults sent, the share whose first answer came by their due date."),
        *timings("consult_answer", "Time to answer",
                 [h for r in answered if (h := _hours(r.first_response_at, r.created_at)) is not None],
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


def weekly_flow(rows: Sequence[ReferralRow], zone: ZoneInfo) -> list[tuple[date, Counter[str]]]:
    """Referrals sent each week (weeks begin on Monday, office time), by where each stands now."""
    weeks: dict[date, Counter[str]] = {}
    for r in rows:
        day = r.created_at.astimezone(zone).date()
        weeks.setdefault(day - timedelta(days=day.weekday()), Counter())[outcome(r.status)] += 1
    return sorted(weeks.items())


def open_ages(
    session: Session, kinds: Kinds, cutoff: datetime, partner_id: int | None
) -> list[tuple[str, int]]:
    """Items of every kind open now, by how long ago they were created."""
    counted: Counter[str] = Counter()
    for kind in kinds:
        query = select(kind.model.created_at).where(col(kind.model.status).in_(kind.open_statuses))
        if partner_id is not None:
            if not kind.addressed:
                continue
            query = query.where(items.partner_column(kind) == partner_id)
        for created in session.exec(query):
            days = (cutoff - created).days
            counted[next((name for limit, name in AGES if days <= limit), OLDER)] += 1
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
