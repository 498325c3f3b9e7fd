"""Keeping the library current: when an entry passes its review date its owner is told once (in their
working hours, claimed by the same unique key as every reminder, so once across restarts and instances),
and it shows as due for review; the coordinators' digest counts what is due, and the Home tab lists a
person's own entries due for review and the newest entries they may see."""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from commands.invocation import Deps, SlackRefused
from storage import library, schedule
from storage.audit import SYSTEM
from storage.deadlines import is_working_time
from storage.models import ReminderKind
from storage.people import Affiliation, Person
from storage.wording import command

log = logging.getLogger("liaison")
SHOWN = 5


def remind_owners(deps: Deps, now: datetime) -> list[str]:
    """One pass: every entry past its review date is marked so, and its owner told once."""
    today = deps.today()
    with deps.db.session() as session:
        due = library.due_for_review(session, today)
        for row in due:
            library.mark_stale(session, row)
        plans = [(row.ref, row.owner_id, row.review_due, library.label(row)) for row in due]
        calendar = deps.calendar(session)
    done = []
    for ref, owner, day, label in plans:
        if not is_working_time(now.astimezone(ZoneInfo(deps.zone_of(owner))), calendar):
            continue
        if not schedule.claim_reminder(deps.db, ref, ReminderKind.review, day, now):
            continue
        try:
            deps.slack.send_dm(
                owner,
                f":hourglass: {label} was due for review on {day:%B} {day.day}. Check it still holds "
                f"(caselaw changes), then {command('resource verify ' + ref)}, or "
                f"{command('resource edit ' + ref)} or "
                f"{command('resource withdraw ' + ref + ' reason:...')}.",
            )
        except SlackRefused as refused:
            log.warning("could not remind the owner of %s: %s; trying again", ref, refused.code)
            schedule.reminder_sent(deps.db, ref, ReminderKind.review, day, now, sent=False)
            continue
        schedule.reminder_sent(deps.db, ref, ReminderKind.review, day, now, sent=True)
        with deps.db.session() as session:
            library.reminded(session, ref, day)
        done.append(f"sent review reminder for {ref} to {owner}")
    return done


def digest_lines(deps: Deps, _now: datetime) -> list[str]:
    with deps.db.session() as session:
        rows, total = library.listed(session, "stale", _nobody(deps), deps.today(), limit=SHOWN)
        waiting = library.listed(session, "suggested", _nobody(deps), deps.today(), limit=1)[1]
    lines = [f"\n*Library entries due for review: {total}*"]
    lines += [f"• {library.label(r)}, looked after by <@{r.owner_id}>" for r in rows]
    if total > len(rows):
        lines.append(f"…and {total - len(rows)} more: {command('resource list stale')} shows them.")
    if waiting:
        lines.append(f"Suggestions waiting for curators: {waiting} ({command('resource list suggested')}).")
    return lines


def home_sections(deps: Deps, me: Person) -> list[str]:
    if me.affiliation != Affiliation.home:
        return []
    today = deps.today()
    with deps.db.session() as session:
        mine, _ = library.listed(session, "mine", me, today, limit=50)
        stale = [r for r in mine if library.is_due(r, today)][:SHOWN]
        newest, _ = library.listed(session, "new", me, today, limit=SHOWN)
    due = [f"*Your library entries due for review: {len(stale)}*"]
    due += [f"• {library.label(r)}, due {r.review_due}" for r in stale] or ["Nothing due."]
    new = ["*Newest in the library*"] + [f"• {library.label(r)} · {library.age(r, today)}" for r in newest]
    return ["\n".join(due), "\n".join(new if newest else [*new, "Nothing yet: `/resource add`."])]


def _nobody(_deps: Deps) -> Person:
    """The digest's lists are everyone's, no person's own."""
    return Person(SYSTEM, Affiliation.home)
