"""What the scheduler does for training, once each per person across restarts and instances (each send
is claimed first by a unique key, `training_sent`): the day-before reminder in the person's working
hours, the one-hour reminder, and after the session the feedback prompt to those who checked in. The
digest lists the week's sessions; the Home tab, upcoming sessions one may attend and one's answers."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from commands.cards import Button
from commands.format import plain, when
from commands.invocation import Deps, SlackRefused
from storage import training
from storage.court_calendar import NO_HOLIDAYS
from storage.deadlines import is_working_time
from storage.people import Affiliation, Person
from storage.training_tables import Answer, TrainingSent

log = logging.getLogger("liaison")
FEEDBACK_ACTION = "training.feedback"
DAY_BEFORE, HOUR_BEFORE, FEEDBACK = "day-before", "hour-before", "feedback"


def remind(deps: Deps, now: datetime) -> list[str]:
    done = []
    with deps.db.session() as session:
        soon = training.upcoming(session, now - timedelta(days=2), now + timedelta(days=2))
        plans = []
        for row in soon:
            for rsvp in training.answers(session, row):
                what = _due(
                    deps,
                    row.starts_at,
                    row.ends_at,
                    now,
                    rsvp.user_id,
                    rsvp.seated,
                    rsvp.checked_in_at is not None,
                )
                if what is not None:
                    plans.append((row.id, row.ref, row.title, row.starts_at, rsvp.user_id, what))
    for training_id, ref, title, starts, user_id, what in plans:
        if not _claim(deps, training_id, user_id, what, now):
            continue
        try:
            if what == FEEDBACK:
                deps.slack.send_dm(
                    user_id,
                    f"How did *{ref}* ({plain(title)}) go? A rating from 1 to 5, and a comment if you like.",
                    (Button("Rate this session", FEEDBACK_ACTION, json.dumps({"ref": ref}), "primary"),),
                )
            else:
                lead = "tomorrow" if what == DAY_BEFORE else "in an hour"
                deps.slack.send_dm(
                    user_id, f":calendar: *{ref}* ({plain(title)}) starts {lead}: {when(starts)}."
                )
        except SlackRefused as refused:  # the claim is given back: a later tick tries again
            log.warning("could not send the %s of %s to %s: %s", what, ref, user_id, refused.code)
            _unclaim(deps, training_id, user_id, what)
            continue
        done.append(f"sent {what} for {ref} to {user_id}")
    return done


def _due(
    deps: Deps, starts: datetime, ends: datetime, now: datetime, user_id: str, seated: bool, came: bool
) -> str | None:
    if came and ends <= now < ends + timedelta(days=1):
        return FEEDBACK
    if not seated or now >= starts:
        return None
    local = now.astimezone(ZoneInfo(deps.zone_of(user_id)))
    if starts - timedelta(hours=1) <= now:
        return HOUR_BEFORE
    # The day before goes even when the office is closed that day: the session happens all the same.
    if local.date() == (starts.astimezone(local.tzinfo) - timedelta(days=1)).date() and is_working_time(
        local, NO_HOLIDAYS
    ):
        return DAY_BEFORE
    return None


def _claim(deps: Deps, training_id: int | None, user_id: str, what: str, now: datetime) -> bool:
    try:
        with deps.db.session() as session:
            session.add(TrainingSent(training_id=training_id or 0, user_id=user_id, what=what, at=now))
        return True
    except IntegrityError:
        return False


def _unclaim(deps: Deps, training_id: int | None, user_id: str, what: str) -> None:
    with deps.db.session() as session:
        session.execute(
            delete(TrainingSent).where(
                col(TrainingSent.training_id) == training_id,
                col(TrainingSent.user_id) == user_id,
                col(TrainingSent.what) == what,
            )
        )


def digest_lines(deps: Deps, now: datetime) -> list[str]:
    with deps.db.session() as session:
        week = training.upcoming(session, now, now + timedelta(days=7))
        lines = [f"\n*Training this week: {len(week)}*"]
        for row in week:
            counted = training.counts(training.answers(session, row))
            lines.append(f"• *{row.ref}* {plain(row.title)}, {when(row.starts_at)}, {counted.going} going")
    return lines


def home_sections(deps: Deps, me: Person) -> list[str]:
    if me.affiliation != Affiliation.home:
        return []
    now = deps.clock()
    with deps.db.session() as session:
        rows = training.upcoming(session, now, now + timedelta(days=60), limit=10)
        lines = [f"*Upcoming training: {len(rows)}*"]
        for row in rows:
            mine = next((r for r in training.answers(session, row) if r.user_id == me.user_id), None)
            said = (
                "not answered"
                if mine is None
                else (
                    "going" if mine.seated else ("waitlist" if mine.answer == Answer.going else mine.answer)
                )
            )
            lines.append(f"• *{row.ref}* {plain(row.title)}, {when(row.starts_at)} · you: {said}")
    return ["\n".join(lines if rows else [*lines, "Nothing scheduled: `/training new`."])]
