"""The daily digest: one DM a day, at the person's chosen local time, of where things stand. Sent once per
person per day whatever the restarts, clock jumps or instances (a claim keyed by person and local day);
a digest missed while Liaison was down goes when it is back, the same local day."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from datetime import datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from commands import reminders
from commands.format import when
from commands.grammar import UsageError
from commands.invocation import Deps, Invocation, Reply, SlackRefused
from storage import digests, schedule
from storage.court_calendar import CourtCalendar
from storage.deadlines import business_days_after, business_days_before
from storage.digests import Contents
from storage.item_tables import ItemBase
from storage.kinds import Moments
from storage.models import DigestDays, DigestSetting
from storage.permissions import Action, require

log = logging.getLogger("liaison")
SHOWN = 10  # items listed under a heading; the rest are counted


def send_digests(deps: Deps, now: datetime, *, dry_run: bool = False) -> list[str]:
    """One pass: the digest of everyone whose time has come today and who has not had it."""
    with deps.db.session() as session:
        people = digests.recipients(session, deps.admins)
        calendar = deps.calendar(session)  # once a pass: the closures change only by command
    # The same for everyone: read once, if needed.
    contents = cache(lambda: read_contents(deps, now, calendar))
    deps.slack.learn_people([setting.user_id for setting in people])
    done = []
    for setting in people:
        try:
            line = _send_one(deps, setting, now, contents, calendar, dry_run)
        except Exception:  # one person's trouble (Slack down, a bad row) must not stop everyone's digest
            log.exception("could not send %s's digest; trying again next tick", setting.user_id)
            continue
        if line:
            done.append(line)
    return done


def _send_one(
    deps: Deps,
    setting: DigestSetting,
    now: datetime,
    contents: Callable[[], Contents],
    calendar: CourtCalendar,
    dry_run: bool,
) -> str | None:
    """One person's digest if it is due; what was done."""
    zone_name = deps.slack.timezone_of(setting.user_id)
    local_now = now.astimezone(ZoneInfo(zone_name or deps.timezone))
    if not digests.is_due(setting, local_now, calendar):
        return None
    day = local_now.date()
    with deps.db.session() as session:
        if setting.user_id in schedule.digests_sent(session, day, now):
            return None
    if dry_run:
        return f"would send the digest for {day} to {setting.user_id}"
    if not schedule.claim_digest(deps.db, setting.user_id, day, now):
        return None  # another instance has it
    try:
        deps.slack.send_dm(setting.user_id, render(deps, contents(), local_now, fallback=zone_name is None))
    except SlackRefused as refused:
        final = refused.code in reminders.FINAL
        log.warning("could not send %s's digest: %s", setting.user_id, refused.code)
        schedule.digest_sent(deps.db, setting.user_id, day, now, sent=final)
        return None
    except Exception:
        schedule.digest_sent(deps.db, setting.user_id, day, now, sent=False)
        raise
    schedule.digest_sent(deps.db, setting.user_id, day, now, sent=True)
    return f"sent the digest for {day} to {setting.user_id}"


def read_contents(deps: Deps, now: datetime, calendar: CourtCalendar) -> Contents:
    """What every digest of this tick lists (the same for everyone: read once)."""
    office = now.astimezone(ZoneInfo(deps.timezone))
    week_end = datetime.combine(office.date() + timedelta(days=6 - office.weekday()), time.max, office.tzinfo)
    soon, since = business_days_after(office, 2, calendar), business_days_before(office, 2, calendar)
    with deps.db.session() as session:
        return digests.contents(session, deps.kinds, Moments(now, soon, since, week_end), office.date())


def render(deps: Deps, found: Contents, local_now: datetime, *, fallback: bool) -> str:
    """The digest's text: counts and lists, each item a link to its thread; long lists summarized."""
    zone = f"{local_now.tzinfo}" + (
        " (your Slack profile has no time zone, so Liaison used the office's, LIAISON_TIMEZONE)"
        if fallback
        else ""
    )
    lines = [f"*Liaison digest for {local_now:%A, %B} {local_now.day}* · times in {zone}"]
    by_partner: dict[str, int] = {}
    for item in found.overdue:
        name = found.partner_names.get(item.ref, "action items")
        by_partner[name] = by_partner.get(name, 0) + 1
    lines += _section("Overdue", found.overdue, deps, found)
    if by_partner:
        lines.append("By partner: " + ", ".join(f"{name} {n}" for name, n in sorted(by_partner.items())))
    lines += _section("Due in the next two business days", found.due_soon, deps, found)
    for key, title in deps.specs.digest_titles.items():
        lines += _section(title, found.lists[key], deps, found)
    for feature in deps.specs.features:
        lines += feature.digest(deps, local_now)
    lines.append(f"\n*Agreements expiring within 30 days: {len(found.expiring)}*")
    lines += [f"• {p.name}: its MOU ends on {p.mou_expires}" for p in found.expiring[:SHOWN]]
    if len(found.expiring) > SHOWN:
        lines.append(f"…and {len(found.expiring) - SHOWN} more: `/liaison partner list` shows them.")
    return "\n".join(lines)


def _section(title: str, listed: Sequence[ItemBase], deps: Deps, found: Contents) -> list[str]:
    lines = [f"\n*{title}: {len(listed)}*"]
    for item in listed[:SHOWN]:
        assert item.card_ts is not None
        to = f" {found.partner_names[item.ref]}" if item.ref in found.partner_names else ""
        link = deps.slack.link(item.channel_id, item.card_ts)
        lines.append(f"• <{link}|{item.ref}>{to}, {item.status}, due {when(item.due_at)}")
    if len(listed) > SHOWN:
        lines.append(f"…and {len(listed) - SHOWN} more: open Liaison's *Home* tab to see them all.")
    return lines


def turn_on(inv: Invocation) -> Reply:
    """`/liaison digest on [at:08:30] [days:weekdays|daily]`."""
    _require_home_staff(inv)
    zone = inv.deps.zone_of(inv.actor.user_id)
    at, days = _at(inv.args.first("at")), _days(inv.args.first("days"))
    with inv.deps.db.session() as session:
        setting = digests.set_digest(session, inv.actor.user_id, True, at, days)
        when_, on = setting.at, setting.days
    return Reply(f"Your digest comes at {when_} ({zone}) on {on}. `/liaison digest preview` shows one now.")


def turn_off(inv: Invocation) -> Reply:
    _require_home_staff(inv)
    with inv.deps.db.session() as session:
        digests.set_digest(session, inv.actor.user_id, False, None, None)
    return Reply("No more digests. `/liaison digest on` brings them back.")


def preview(inv: Invocation) -> Reply:
    """Today's digest, now, privately."""
    _require_home_staff(inv)
    zone_name = inv.deps.slack.timezone_of(inv.actor.user_id)  # None: the digest says it used the office's
    now = inv.deps.clock()
    with inv.deps.db.session() as session:
        calendar = inv.deps.calendar(session)
    found = read_contents(inv.deps, now, calendar)
    return Reply(
        render(
            inv.deps,
            found,
            now.astimezone(ZoneInfo(zone_name or inv.deps.timezone)),
            fallback=zone_name is None,
        )
    )


def _require_home_staff(inv: Invocation) -> None:
    """Digests list every partner's items: home staff only."""
    with inv.deps.db.session() as session:
        require(session, inv.person(session), Action.see_directory)


_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*([ap]m)?$", re.IGNORECASE)


def _at(value: str | None) -> str | None:
    """`at:8:30`, `at:08:30`, `at:8am`, `at:17` as HH:MM."""
    if value is None:
        return None
    match = _TIME.match(value.strip())
    hour, minute = (int(match[1]), int(match[2] or 0)) if match else (99, 0)
    if match and match[3]:
        hour = hour % 12 + (12 if match[3].lower() == "pm" else 0) if hour <= 12 else 99
    if not (hour < 24 and minute < 60):
        raise UsageError(f"`at:{value}` is not a time of day; write it like `at:08:30` or `at:8am`.")
    return f"{hour:02d}:{minute:02d}"


def _days(value: str | None) -> DigestDays | None:
    if value is None:
        return None
    if value.lower() not in {d.value for d in DigestDays}:
        raise UsageError(f"`days:{value}` must be `weekdays` or `daily`.")
    return DigestDays(value.lower())
