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
from storage.wording import command

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
    refused = send(deps, inv.actor.user_id, found, Audience(outside=False, asked_by=inv.actor.user_id))
    if found.empty:
        return Reply(f"Nothing was recorded in {period.words}; your direct messages with Liaison say so.")
    if refused is not None:
        return Reply(
            f"Your report for {period.words} is in your direct messages with Liaison, but Slack would not "
            f"take its CSV ({refused}). Ask again in a while to have the CSV as well."
        )
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
        sent = set(
            session.exec(
                select(ReportSent.user_id, ReportSent.version).where(ReportSent.month == month)
            ).all()
        )
        contacts = [
            (user, p) for p in session.exec(select(Partner).where(Partner.status == PartnerStatus.active))
            for user in p.contacts
        ]  # fmt: skip
    wanted: list[tuple[str, Partner | None]] = [(u, None) for u in office] + [(u, p) for u, p in contacts]
    done = []
    for user_id, partner in wanted:
        version = _version(partner)
        if (user_id, version) in sent or not _claim(deps, month, user_id, partner, now):
            continue
        try:
            with deps.db.session() as session:
                period = read_period(month, None, None, zone, now)
                found = evaluation.evaluate(session, deps.kinds, period, partner, zone, now)
            csv_refused = send(deps, user_id, found, PARTNER if partner is not None else OFFICE)
        except SlackRefused as refused:  # the message did not go: given back, the next tick tries again
            log.warning("could not send the monthly report for %s to %s: %s", month, user_id, refused.code)
            _unclaim(deps, month, user_id, version)
            continue
        done.append(f"sent the monthly report for {month} to {user_id}")
        if csv_refused is not None:  # the report went: kept claimed, so it never goes twice
            _csv_missing(deps, user_id, month, partner, csv_refused)
    return done


def _version(partner: Partner | None) -> int:
    return (partner.id or 0) if partner is not None else 0


def _csv_missing(deps: Deps, user_id: str, month: str, partner: Partner | None, code: str) -> None:
    """Tell the person the report came without its CSV, and how to have it."""
    how = (
        f"ask for it with {command(f'liaison report period:{month}')} (its figures will be as they stand "
        "then)"
        if partner is None
        else "the office's coordinators can send it to you"
    )
    try:
        deps.slack.send_dm(user_id, f"The CSV of the monthly report for {month} could not be attached "
                                    f"(Slack answered {code}): {how}.")  # fmt: skip
    except SlackRefused as refused:
        log.warning("could not tell %s the monthly CSV is missing: %s", user_id, refused.code)
    log.warning("the monthly report for %s went to %s without its CSV: %s", month, user_id, code)


def _claim(deps: Deps, month: str, user_id: str, partner: Partner | None, now: datetime) -> bool:
    try:
        with deps.db.session() as session:
            session.add(
                ReportSent(
                    month=month,
                    user_id=user_id,
                    partner_id=partner.id if partner else None,
                    version=_version(partner),
                    at=now,
                )
            )
        return True
    except IntegrityError:
        return False


def _unclaim(deps: Deps, month: str, user_id: str, version: int) -> None:
    with deps.db.session() as session:
        row = session.exec(
            select(ReportSent).where(
                ReportSent.month == month, ReportSent.user_id == user_id, ReportSent.version == version
            )
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
