"""`/liaison closed 2026-12-24 reason:"courthouse closed"`, `/liaison closed list` and `/liaison closed remove
2026-12-24`: the office's own closures, on top of the public holidays of its region (LIAISON_HOLIDAYS).
Closing and reopening are for coordinators and admins; anyone on the home staff may see the list."""

from __future__ import annotations

import re
from datetime import date, timedelta

from commands.grammar import UsageError
from commands.invocation import Invocation, Reply
from storage import court_calendar, deadlines, regions
from storage.court_calendar import spoken_day
from storage.permissions import Action, require

LISTED = timedelta(days=365)  # how far ahead `closed list` looks
ISO_SHAPED = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day(inv: Invocation, removing: bool = False) -> date:
    """The one date typed, as year-month-day (a closure is a day on the calendar, not a deadline to read
    in someone's zone); UsageError saying what was typed instead and how to write it."""
    words = inv.args.words
    if not words:
        raise UsageError(f"Give one date, like 2026-12-24.\nUsage: `{inv.usage}`")
    typed = " ".join(words)
    try:
        day = date.fromisoformat(words[0])
    except ValueError:
        if ISO_SHAPED.fullmatch(words[0]):  # written as asked, but no such day (`2027-02-29`, `2026-13-01`)
            raise UsageError(
                f"`{words[0]}` is written as year-month-day, but no such day is on the calendar: check the "
                f"month and the day.\nUsage: `{inv.usage}`"
            ) from None
        guess = deadlines.read_day(typed, inv.deps.today())
        meant = f" If you meant {spoken_day(guess)}, write `{guess.isoformat()}`." if guess else ""
        raise UsageError(
            f"`{typed}` is not a date Liaison can read here: write it as year-month-day, like 2026-12-24."
            f"{meant}\nUsage: `{inv.usage}`"
        ) from None
    if len(words) > 1:
        extra = " ".join(words[1:])
        if removing:
            fix = f"give only the date, like `/liaison closed remove {day}`"
        elif inv.args.first("reason") is None:
            fix = f'the reason goes in `reason:"..."`, like `/liaison closed {day} reason:"{extra}"`'
        elif any(mark in extra for mark in "'\\"):  # `reason:'courthouse closed'`, `\"` inside quotes
            raise UsageError(
                f"`{extra}` is not read: a reason of several words goes in double quotes, with no quotes "
                f'inside, like `reason:"courthouse closed"`.\nUsage: `{inv.usage}`'
            )
        else:
            fix = 'only the date goes before the reason: put all of the reason in `reason:"..."`'
        raise UsageError(f"`{extra}` after the date is not read: {fix}.\nUsage: `{inv.usage}`")
    return day


def close(inv: Invocation) -> Reply:
    day = _day(inv)
    reason = inv.args.first("reason")
    if reason is None:
        raise UsageError(
            f'Say why the office is closed, like `reason:"courthouse closed"`.\nUsage: `{inv.usage}`'
        )
    with inv.deps.db.session() as session:
        calendar = inv.deps.calendar(session)
        me, today = inv.person(session), inv.deps.today()
        court_calendar.close(session, me, calendar, day, reason, today, inv.deps.detector)
    return Reply(
        f"The office is closed on {spoken_day(day)}: {' '.join(reason.split())}. Deadlines set for that day "
        "move to the next open day, and no reminders or digests go out on it (items already due then keep "
        "their deadlines; their reminders wait for the next open day). "
        f"`/liaison closed remove {day.isoformat()}` reopens it."
    )


def remove(inv: Invocation) -> Reply:
    day = _day(inv, removing=True)
    with inv.deps.db.session() as session:
        reason = court_calendar.reopen(session, inv.person(session), inv.deps.calendar(session), day)
    return Reply(f"The office is open again on {spoken_day(day)} (it was closed: {reason}).")


def show(inv: Invocation) -> Reply:
    today = inv.deps.today()
    with inv.deps.db.session() as session:
        require(session, inv.person(session), Action.see_directory, channel_id=inv.channel_id)
        calendar = inv.deps.calendar(session)
    closed = calendar.upcoming(today, today + LISTED)
    lines = [
        f"*Days the office is closed in the next year*, besides weekends (public holidays of "
        f"{regions.name_of(calendar.region) if calendar.region else 'nowhere'}, set with LIAISON_HOLIDAYS, "
        "and the office's own closures):"
    ]
    for day, why, holiday in closed:
        lines.append(f"• {spoken_day(day)}: {why} ({'public holiday' if holiday else 'office closure'})")
    if not any(not holiday for _, _, holiday in closed):
        lines.append(
            'No office closures. Coordinators add one with `/liaison closed 2026-12-24 reason:"..."`.'
        )
    return Reply("\n".join(lines))
