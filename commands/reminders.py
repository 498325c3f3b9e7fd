"""Reminders, from the deadlines in the database: one business day before the due time, a reminder in the
item's thread mentioning whoever must act; at the due time an overdue notice there and a DM to the
requester; after that at most one nudge a business day. Nothing is sent outside 08:00-18:00 on a day the
office is open (the court calendar: weekends, holidays, the office's closures) in the recipient's time zone
(it waits for the next working morning), nothing about a snoozed item, and nothing about an item that is
closed."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from commands.cards import Button
from commands.format import when
from commands.invocation import Deps, Reply, SlackRefused
from commands.items.cards import permit_of
from commands.items.fields import UNREADABLE, written_by_liaison
from storage import audit, items, moves, schedule
from storage.audit import Actor
from storage.court_calendar import CourtCalendar
from storage.deadlines import business_day_before, business_days_between, is_working_time, spoken
from storage.errors import Conflict, LiaisonError
from storage.item_tables import ItemBase
from storage.models import ReminderKind
from storage.permissions import refuse

log = logging.getLogger("liaison")
SNOOZE_ACTION = "reminder.snooze"
SNOOZE_DAYS = (1, 3)


FINAL = frozenset(  # Slack refusals a retry will not cure: the reminder is given up, and the log says so
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "user_not_found",
        "account_inactive",
        "cannot_dm_bot",
    }
)


def next_reminder(
    due_at: datetime,
    now: datetime,
    zone: ZoneInfo,
    sent: dict[tuple[str, date], datetime | None],
    quiet: bool,
    calendar: CourtCalendar,
) -> tuple[ReminderKind, date] | None:
    """The thread reminder an open item needs now, if any, and its key day. `zone` is the recipient's;
    `sent` maps the (kind, day) of reminders sent or being sent to when they went; `quiet`: snoozed (the
    past-due notice goes anyway: a snooze holds nudges, not the news that a deadline passed)."""
    local_now = now.astimezone(zone)
    if not is_working_time(local_now, calendar):
        return None
    key_day = due_at.astimezone(UTC).date()  # the item's own: the same whoever is reminded
    if now < due_at:
        due_local = due_at.astimezone(zone)
        if (
            not quiet
            and now >= business_day_before(due_local, calendar)
            and (ReminderKind.before, key_day) not in sent
        ):
            return ReminderKind.before, key_day
        return None
    if (ReminderKind.due, key_day) not in sent:
        return ReminderKind.due, key_day
    noticed = sent[(ReminderKind.due, key_day)]
    today = local_now.date()
    # Nudges start the business day after the notice actually went (a notice held over a weekend is not
    # followed a minute later by a nudge).
    if quiet or noticed is None or today <= noticed.astimezone(zone).date():
        return None
    if (ReminderKind.nudge, today) not in sent:
        return ReminderKind.nudge, today
    return None


def requester_notice(
    due_at: datetime,
    now: datetime,
    zone: ZoneInfo,
    sent: dict[tuple[str, date], datetime | None],
    calendar: CourtCalendar,
) -> date | None:
    """The key day of the requester's past-due DM, when it is due now in the requester's working hours."""
    key_day = due_at.astimezone(UTC).date()
    if now < due_at or not is_working_time(now.astimezone(zone), calendar):
        return None
    if (ReminderKind.requester, key_day) in sent:
        return None
    return key_day


@dataclass(frozen=True)
class Plan:
    item: ItemBase
    kind: ReminderKind
    day: date  # the claim's key day
    recipients: list[str]
    partner_name: str | None
    late: int = 0  # business days past due, for a nudge


def send_reminders(deps: Deps, now: datetime, *, dry_run: bool = False) -> list[str]:
    """One pass: every reminder due now, each claimed before it is sent; one item's trouble does not stop
    the others. Returns what was (or would be) sent, a line each."""
    done = []
    for plan in _plans(deps, now):
        what = f"{plan.kind} reminder for {plan.item.ref} to {', '.join(plan.recipients) or 'nobody named'}"
        if dry_run:
            done.append(f"would send {what}")
            continue
        if not schedule.claim_reminder(deps.db, plan.item.ref, plan.kind, plan.day, now):
            continue  # another tick or instance has it
        try:
            if not _still_open(deps, plan.item):  # closed while this tick was running
                schedule.reminder_sent(deps.db, plan.item.ref, plan.kind, plan.day, now, sent=False)
                continue
            _send(deps, plan, now)
        except SlackRefused as refused:
            final = refused.code in FINAL
            log.warning(
                "could not send the %s: %s; %s", what, refused.code, "given up" if final else "trying again"
            )
            schedule.reminder_sent(deps.db, plan.item.ref, plan.kind, plan.day, now, sent=final)
            continue
        except Exception:
            log.exception("could not send the %s; trying again next tick", what)
            schedule.reminder_sent(deps.db, plan.item.ref, plan.kind, plan.day, now, sent=False)
            continue
        schedule.reminder_sent(deps.db, plan.item.ref, plan.kind, plan.day, now, sent=True)
        done.append(f"sent {what}")
    return done


def _still_open(deps: Deps, item: ItemBase) -> bool:
    with deps.db.session() as session:
        now = session.get(type(item), item.id)
        return now is not None and items.is_open(now)


def _plans(deps: Deps, now: datetime) -> list[Plan]:
    with deps.db.session() as session:
        calendar = deps.calendar(session)  # once a pass: the closures change only by command
        ahead = schedule.horizon(now.astimezone(deps.clock.zone).date(), calendar)
        candidates = schedule.due_soon(session, deps.kinds, now, ahead)
        refs = [item.ref for item in candidates]
        quiet = schedule.snoozed(session, refs, now)
        sent: dict[str, dict[tuple[str, date], datetime | None]] = {}
        for row in schedule.sent_reminders(session, refs, now):
            sent.setdefault(row.item, {})[(row.kind, row.day)] = row.sent_at
        people = {item.ref: schedule.who_must_act(session, item) for item in candidates}
        names = {item.ref: getattr(items.partner_of(session, item), "name", None) for item in candidates}
    # Each item's zone is its first recipient's (and its requester's, for their DM): known in a few calls.
    deps.slack.learn_people(
        {p for ps in people.values() for p in ps[:1]} | {i.requester_id for i in candidates}
    )
    plans = []
    for item in candidates:
        recipients, done = people[item.ref], sent.get(item.ref, {})
        zone = ZoneInfo(deps.zone_of(recipients[0] if recipients else None))
        step = next_reminder(item.due_at, now, zone, done, item.ref in quiet, calendar)
        if step is not None:
            late = business_days_between(item.due_at.astimezone(zone).date(), step[1], calendar)
            plans.append(Plan(item, step[0], step[1], recipients, names[item.ref], late))
        requester_zone = ZoneInfo(deps.zone_of(item.requester_id))
        day = requester_notice(item.due_at, now, requester_zone, done, calendar)
        if day is not None:
            plans.append(Plan(item, ReminderKind.requester, day, [item.requester_id], names[item.ref]))
    return plans


def _send(deps: Deps, plan: Plan, now: datetime) -> None:
    item = plan.item
    assert item.card_ts is not None
    if plan.kind == ReminderKind.requester:
        to = f" to {plan.partner_name}" if plan.partner_name else ""
        deps.slack.send_dm(
            item.requester_id,
            f":warning: *{item.ref}*{to} is past due (it was due {when(item.due_at)}): "
            f"<{deps.slack.link(item.channel_id, item.card_ts)}|its thread>.",
        )
        return
    mentions = " ".join(f"<@{u}>" for u in plan.recipients) or (
        f"{plan.partner_name}:" if plan.partner_name else ""
    )
    if plan.kind == ReminderKind.before:
        text = f"{mentions} Reminder: *{item.ref}* is due {when(item.due_at)}."
    elif plan.kind == ReminderKind.due:
        text = f"{mentions} :warning: *{item.ref}* is past due: it was due {when(item.due_at)}."
    else:
        days = f"{plan.late} business day{'s' * (plan.late != 1)}"
        text = f"{mentions} *{item.ref}* is still open, {days} past due."
    text += deps.specs.of(item).reminder_note(item)  # in every reminder to the partner
    deps.slack.post_in_thread(
        item.channel_id,
        item.card_ts,
        text.strip(),
        permit_of(deps, item),
        snooze_buttons(item.ref),
    )


def snooze_buttons(ref: str) -> tuple[Button, ...]:
    """The value says only which item and which choice: when the snooze ends is the server's to work out
    (a value is the client's to forge)."""
    return tuple(
        Button(
            f"Snooze {n} day{'s' * (n != 1)}",
            f"{SNOOZE_ACTION}.{n}",
            json.dumps({"ref": ref, "days": n}),
        )
        for n in SNOOZE_DAYS
    )


def snooze(deps: Deps, actor: Actor, value: str) -> Reply:
    """A Snooze button: no reminders about the item for that many days from its latest reminder (or from
    now, if that is later). Anyone on a side of the item may. Buttons posted before the value lost its
    `from` time still work; that time is ignored."""
    chosen = written_by_liaison(value)
    try:
        ref, days = chosen["ref"], int(chosen["days"])
    except (KeyError, ValueError):
        raise LiaisonError(UNREADABLE) from None
    if days not in SNOOZE_DAYS:
        raise Conflict("Reminders can be snoozed for 1 or 3 days.")
    with deps.db.session() as session:
        me = deps.person(session, actor)
        item = moves.acting_on(session, deps.kinds, me, ref)
        if not moves.sides_of(me, item):
            refuse(
                me, "reminder.snooze", f"Only the people on {item.ref} can snooze its reminders.", subject=ref
            )
        until = schedule.snooze(session, item.ref, deps.clock(), timedelta(days=days), actor.user_id)
        audit.record(session, actor, "reminder.snooze", subject=item.ref, reason=f"until {until.isoformat()}")
    zone = ZoneInfo(deps.zone_of(actor.user_id))
    return Reply(f"No reminders about {item.ref} until {spoken(until.astimezone(zone), deps.clock())}.")
