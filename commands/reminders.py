"""Reminders, from the deadlines in the database: one business day before the due time, a reminder in the
item's thread mentioning whoever must act; at the due time an overdue notice there and a DM to the
requester; after that at most one nudge a business day. Nothing is sent outside 08:00-18:00 on weekdays
in the recipient's time zone (it waits for the next working morning), nothing about a snoozed item, and
nothing about an item that is closed."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from commands.cards import Button
from commands.format import when
from commands.invocation import Deps, Reply, SlackRefused
from storage import audit, items, schedule
from storage.audit import Actor
from storage.deadlines import business_day_before, business_days_between, is_working_time, spoken
from storage.errors import Conflict
from storage.items import Item
from storage.models import ReminderKind
from storage.people import identify
from storage.permissions import refuse

log = logging.getLogger("liaison")
SNOOZE_ACTION = "reminder.snooze"
SNOOZE_DAYS = (1, 3)


def next_reminder(
    due_at: datetime, now: datetime, zone: ZoneInfo, sent: set[tuple[str, date]]
) -> tuple[ReminderKind, date] | None:
    """The reminder an open item needs now, if any, and its key day. `zone` is the recipient's; `sent`
    holds the (kind, day) of the reminders already sent or being sent."""
    local_due, local_now = due_at.astimezone(zone), now.astimezone(zone)
    due_day = local_due.date()
    if not is_working_time(local_now):
        return None
    if now < due_at:
        if now >= business_day_before(local_due) and (ReminderKind.before, due_day) not in sent:
            return ReminderKind.before, due_day
        return None
    if (ReminderKind.due, due_day) not in sent:
        return ReminderKind.due, due_day
    today = local_now.date()
    if today > due_day and (ReminderKind.nudge, today) not in sent:
        return ReminderKind.nudge, today
    return None


@dataclass(frozen=True)
class Plan:
    item: Item
    kind: ReminderKind
    day: date
    recipients: list[str]
    partner_name: str | None
    due_day: date  # in the recipient's zone


def send_reminders(deps: Deps, now: datetime, *, dry_run: bool = False) -> list[str]:
    """One pass: every reminder due now, each claimed before it is sent. Returns what was (or would be)
    sent, a line each."""
    plans = _plans(deps, now)
    done = []
    for plan in plans:
        what = f"{plan.kind} reminder for {plan.item.ref} to {', '.join(plan.recipients) or 'nobody named'}"
        if dry_run:
            done.append(f"would send {what}")
            continue
        if not schedule.claim_reminder(deps.db, plan.item.ref, plan.kind, plan.day, now):
            continue  # another tick or instance has it
        try:
            _send(deps, plan, now)
        except SlackRefused as refused:
            log.warning("could not send the %s: %s; trying again next tick", what, refused.code)
            schedule.reminder_sent(deps.db, plan.item.ref, plan.kind, plan.day, now, sent=False)
            continue
        schedule.reminder_sent(deps.db, plan.item.ref, plan.kind, plan.day, now, sent=True)
        done.append(f"sent {what}")
    return done


def _plans(deps: Deps, now: datetime) -> list[Plan]:
    with deps.db.session() as session:
        candidates = schedule.due_soon(session, now)
        refs = [item.ref for item in candidates]
        quiet = schedule.snoozed(session, refs, now)
        sent: dict[str, set[tuple[str, date]]] = {}
        for row in schedule.sent_reminders(session, refs):
            sent.setdefault(row.item, set()).add((row.kind, row.day))
        people = {item.ref: schedule.who_must_act(session, item) for item in candidates}
        names = {item.ref: getattr(items.partner_of(session, item), "name", None) for item in candidates}
    plans = []
    for item in candidates:
        if item.ref in quiet:
            continue
        recipients = people[item.ref]
        zone = ZoneInfo(_zone_of(deps, recipients[0] if recipients else None))
        step = next_reminder(item.due_at, now, zone, sent.get(item.ref, set()))
        if step is not None:
            due_day = item.due_at.astimezone(zone).date()
            plans.append(Plan(item, step[0], step[1], recipients, names[item.ref], due_day))
    return plans


def _zone_of(deps: Deps, user_id: str | None) -> str:
    return (deps.slack.timezone_of(user_id) if user_id else None) or deps.timezone


def _send(deps: Deps, plan: Plan, now: datetime) -> None:  # now: when the tick runs
    item = plan.item
    assert item.card_ts is not None
    mentions = " ".join(f"<@{u}>" for u in plan.recipients) or (
        f"{plan.partner_name}:" if plan.partner_name else ""
    )
    if plan.kind == ReminderKind.before:
        text = f"{mentions} Reminder: *{item.ref}* is due {when(item.due_at)}."
    elif plan.kind == ReminderKind.due:
        text = f"{mentions} :warning: *{item.ref}* is past due: it was due {when(item.due_at)}."
    else:
        late = business_days_between(plan.due_day, plan.day)
        text = f"{mentions} *{item.ref}* is still open, {late} business day{'s' * (late != 1)} past due."
    deps.slack.post_in_thread(item.channel_id, item.card_ts, text.strip(), snooze_buttons(item.ref, now))
    if plan.kind == ReminderKind.due:
        to = f" to {plan.partner_name}" if plan.partner_name else ""
        deps.slack.tell(
            item.requester_id,
            f":warning: *{item.ref}*{to} is past due (it was due {when(item.due_at)}): "
            f"<{deps.slack.link(item.channel_id, item.card_ts)}|its thread>.",
        )


def snooze_buttons(ref: str, sent_at: datetime) -> tuple[Button, ...]:
    return tuple(
        Button(
            f"Snooze {n} day{'s' * (n != 1)}",
            f"{SNOOZE_ACTION}.{n}",
            json.dumps({"ref": ref, "days": n, "from": sent_at.isoformat()}),
        )
        for n in SNOOZE_DAYS
    )


def snooze(deps: Deps, actor: Actor, value: str) -> Reply:
    """A Snooze button: no reminders about the item for that many days from the reminder (or from now, if
    that is later). Anyone on a side of the item may."""
    chosen = json.loads(value)
    ref, days = str(chosen["ref"]), int(chosen["days"])
    if days not in SNOOZE_DAYS:
        raise Conflict("Reminders can be snoozed for 1 or 3 days.")
    until = max(deps.clock(), datetime.fromisoformat(chosen["from"])) + timedelta(days=days)
    with deps.db.session() as session:
        me = identify(session, actor, deps.home_team_id, deps.admins)
        item = items.acting_on(session, me, ref)
        if not items.sides_of(me, item):
            refuse(
                me, "reminder.snooze", f"Only the people on {item.ref} can snooze its reminders.", subject=ref
            )
        schedule.snooze(session, item.ref, until, actor.user_id)
        audit.record(session, actor, "reminder.snooze", subject=item.ref, reason=f"until {until.isoformat()}")
    zone = ZoneInfo(deps.slack.timezone_of(actor.user_id) or deps.timezone)
    return Reply(f"No reminders about {item.ref} until {spoken(until.astimezone(zone))}.")
