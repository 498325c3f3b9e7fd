"""`/liaison report` for coordinators and admins, the monthly report (once to each coordinator, and to
each partner's contacts a version with only that partner's numbers, small counts suppressed) on the first
office day of each month, and the coordinators' Home tab chart, drawn at most once an office day."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from commands.cards import Image
from commands.evaluation import charts
from commands.evaluation.report import OFFICE, PARTNER, Audience, send
from commands.invocation import Deps, Invocation, Reply, SlackRefused
from storage import evaluation, partners, roles
from storage.errors import InvalidInput
from storage.evaluation_tables import ChartDrawn, ReportSent
from storage.models import Partner, PartnerStatus, Role
from storage.people import Affiliation, Person
from storage.permissions import Action, require
from storage.report_periods import month_of, read_period

log = logging.getLogger("liaison")
MONTHLY_AT = time(9, 0)  # office time, on the month's first office day


def report(inv: Invocation) -> Reply:
    deps = inv.deps
    zone, now = ZoneInfo(deps.timezone), deps.clock()
    try:
        period = read_period(
            inv.args.first("period"), inv.args.first("from"), inv.args.first("to"), zone, now
        )
    except InvalidInput as problem:
        raise InvalidInput(f"{problem}\nUsage: `{inv.usage}`", problem.field) from None
    with deps.db.session() as session:
        require(session, inv.person(session), Action.see_reports)
        handle = inv.args.first("partner")
        partner = partners.get(session, handle) if handle else None
        found = evaluation.evaluate(session, deps.kinds, period, partner, zone, now)
    send(deps, inv.actor.user_id, found, Audience(outside=False, asked_by=inv.actor.user_id))
    if found.empty:
        return Reply(f"Nothing was recorded in {period.words}; your direct messages with Liaison say so.")
    return Reply(f"Your report for {period.words} is in your direct messages with Liaison, with a CSV.")


CATCH_UP = timedelta(days=7)  # a report or survey missed while Liaison was down goes within this


def in_window(local: datetime, at: time, first: date) -> bool:
    """From `at` on the day `first` (office time), for a week: when a monthly or quarterly send is due."""
    return (
        datetime.combine(first, at, local.tzinfo)
        <= local
        < datetime.combine(first + CATCH_UP, at, local.tzinfo)
    )


def monthly(deps: Deps, now: datetime) -> list[str]:
    """On the month's first office day from 09:00: last month's report to every coordinator, and to each
    active partner's contacts their own. Each claimed first (report_sent), so it goes once."""
    zone = ZoneInfo(deps.timezone)
    local = now.astimezone(zone)
    with deps.db.session() as session:
        first_office_day = deps.calendar(session).next_open(
            local.date().replace(day=1)
        )  # the court calendar's
    if not in_window(local, MONTHLY_AT, first_office_day):
        return []
    last_month = month_of(local.date().replace(day=1) - timedelta(days=1))[0]
    month = f"{last_month:%Y-%m}"
    with deps.db.session() as session:
        office = sorted(roles.coordinators(session, deps.admins))
        sent = set(session.exec(select(ReportSent.user_id).where(ReportSent.month == month)).all())
        contacts = [
            (user, p) for p in session.exec(select(Partner).where(Partner.status == PartnerStatus.active))
            for user in p.contacts
        ]  # fmt: skip
    wanted: list[tuple[str, Partner | None]] = [(u, None) for u in office] + [(u, p) for u, p in contacts]
    done = []
    for user_id, partner in wanted:
        if user_id in sent or not _claim(deps, month, user_id, partner, now):
            continue
        try:
            with deps.db.session() as session:
                period = read_period(month, None, None, zone, now)
                found = evaluation.evaluate(session, deps.kinds, period, partner, zone, now)
            send(deps, user_id, found, PARTNER if partner is not None else OFFICE)
        except SlackRefused as refused:  # given back: the next tick tries again
            log.warning("could not send the monthly report for %s to %s: %s", month, user_id, refused.code)
            _unclaim(deps, month, user_id)
            continue
        done.append(f"sent the monthly report for {month} to {user_id}")
    return done


def _claim(deps: Deps, month: str, user_id: str, partner: Partner | None, now: datetime) -> bool:
    try:
        with deps.db.session() as session:
            session.add(
                ReportSent(month=month, user_id=user_id, partner_id=partner.id if partner else None, at=now)
            )
        return True
    except IntegrityError:
        return False


def _unclaim(deps: Deps, month: str, user_id: str) -> None:
    with deps.db.session() as session:
        row = session.exec(
            select(ReportSent).where(ReportSent.month == month, ReportSent.user_id == user_id)
        ).first()
        if row is not None:
            session.delete(row)


CHART = "twelve-weeks"


def home_chart(deps: Deps, me: Person) -> list[Image]:
    """The coordinators' chart of the last twelve weeks: drawn and uploaded once an office day."""
    if me.affiliation != Affiliation.home or me.role not in (Role.coordinator, Role.admin):
        return []
    zone, now = ZoneInfo(deps.timezone), deps.clock()
    today = deps.today()
    with deps.db.session() as session:
        drawn = session.get(ChartDrawn, (CHART, today))
        if drawn is not None:
            return [Image(drawn.file_id, drawn.alt_text, charts.TWELVE_WEEKS)]
        weeks = evaluation.twelve_weeks(session, zone, now)
    chart = charts.twelve_weeks(weeks)
    try:
        file_id = deps.slack.upload_image(f"{chart.name}-{today}.png", chart.png, chart.alt_text)
    except SlackRefused as refused:  # the Home tab goes without it; the next view tries again
        log.warning("could not upload the Home tab's chart: %s", refused.code)
        return []
    try:
        with deps.db.session() as session:
            session.add(ChartDrawn(name=CHART, day=today, file_id=file_id, alt_text=chart.alt_text))
    except IntegrityError:  # another process drew it at the same moment: either picture will do
        pass
    return [Image(file_id, chart.alt_text, chart.title)]
