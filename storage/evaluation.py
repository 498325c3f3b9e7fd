"""One evaluation of the partnership for a period, overall or for one partner: every measure with its
definition (storage/measures.py, storage/measures_features.py), the figures the charts draw, and the
comments only the office's coordinators read. Built in one database session."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from storage import measures_features as more
from storage.kinds import Kinds
from storage.measures import (
    ConsultRow,
    Measure,
    ReferralRow,
    advocacy_measures,
    closings,
    consult_measures,
    consult_rows,
    open_ages,
    referral_measures,
    referral_rows,
    weekly_flow,
)
from storage.models import Partner
from storage.report_periods import ReportPeriod, read_period


@dataclass(frozen=True)
class Section:
    title: str
    measures: list[Measure]


@dataclass
class Evaluation:
    period: ReportPeriod
    cutoff: datetime  # the data are as they stood then: the moment the report was built
    partner: Partner | None  # None: the whole partnership
    sections: list[Section]
    by_partner: list[tuple[str, list[Measure]]]  # each partner's referral and consult measures
    weeks: list[tuple[date, Counter[str]]]  # referrals sent each week, by where they stand now
    response_hours: dict[str, list[float]]  # hours to first response, by partner
    ages: list[tuple[str, int]]  # open items by age
    comments: list[tuple[str, str]] = field(default_factory=list)  # (who and what, comment): office only

    @property
    def empty(self) -> bool:
        """Nothing happened in the period: no activity counted, no rating given. What merely stands (entries
        due for review) or is not this partner's (sessions its people did not come to) is no report."""
        return not any(m.basis for s in self.sections for m in s.measures if m.activity)


def evaluate(
    session: Session,
    kinds: Kinds,
    period: ReportPeriod,
    partner: Partner | None,
    zone: ZoneInfo,
    now: datetime,
) -> Evaluation:
    partner_id = partner.id if partner is not None else None
    org = partner.handle if partner is not None else None
    referrals = referral_rows(session, period, partner_id)
    consults = consult_rows(session, period, partner_id)
    names = {p.id: p.name for p in session.exec(select(Partner)).all()}
    sections = [
        Section("Referrals", referral_measures(referrals)),
        Section("Consults", consult_measures(consults)),
    ]
    if partner is None:  # action items belong to the partnership, not to one partner
        sections.append(Section("Policy advocacy", advocacy_measures(session, period)))
    sections += [
        Section("Joint training", more.training_measures(session, period, org)),
        Section("The case-resource library", more.library_measures(session, period, org)),
        Section("Feedback", more.feedback_measures(session, period, partner_id)),
    ]
    referrals_of: dict[int, list[ReferralRow]] = defaultdict(list)
    consults_of: dict[int, list[ConsultRow]] = defaultdict(list)
    for r in referrals:
        referrals_of[r.partner_id].append(r)
    for c in consults:
        consults_of[c.partner_id].append(c)
    by_partner = []
    hours: dict[str, list[float]] = {}
    for pid in sorted(referrals_of.keys() | consults_of.keys(), key=lambda pid: names[pid]):
        mine = referrals_of[pid]
        by_partner.append((names[pid], _headline(referral_measures(mine), consults_of[pid])))
        hours[names[pid]] = [r.response_hours for r in mine if r.response_hours is not None]
    return Evaluation(
        period=period,
        cutoff=now,
        partner=partner,
        sections=sections,
        by_partner=by_partner,
        weeks=weekly_flow(referrals, period, zone),
        response_hours={name: h for name, h in hours.items() if h},
        ages=open_ages(session, kinds, now, partner_id),
        comments=more.comments(session, period, partner_id),
    )


_HEADLINE = ("referrals_sent", "referrals_accepted", "referrals_rejected", "referrals_completed",
             "first_response_median_hours", "referrals_overdue_share")  # fmt: skip


def _headline(referral: list[Measure], consults: Sequence[ConsultRow]) -> list[Measure]:
    """The few measures the per-partner table shows."""
    shown = [m for key in _HEADLINE for m in referral if m.key == key]
    return shown + consult_measures(consults)[:2]


def twelve_weeks(session: Session, zone: ZoneInfo, now: datetime) -> list[tuple[date, int, int]]:
    """Referrals sent and closed in each of the last twelve weeks (Monday to Sunday, office time)."""
    today = now.astimezone(zone).date()
    first = today - timedelta(days=today.weekday(), weeks=11)
    period = read_period(None, first.isoformat(), today.isoformat(), zone, now)
    sent = weekly_flow(referral_rows(session, period, None), period, zone)
    closed = Counter(_monday(at, zone) for at in closings(session, period))
    return [(week, sum(counted.values()), closed[week]) for week, counted in sent]


def _monday(moment: datetime, zone: ZoneInfo) -> date:
    day = moment.astimezone(zone).date()
    return day - timedelta(days=day.weekday())
