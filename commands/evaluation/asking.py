"""Asking both sides how it went: a private "How did this go?" to the requester and the partner staff who
handled a referral once it closes, and each quarter a three-question survey to both sides' coordinators.
Sent by the scheduler in each person's working hours, once each (claimed by a database key); answered
once, in a form; a comment is refused if it looks identifying, and only the office's coordinators read it."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import select

from commands import forms
from commands.cards import Button
from commands.evaluation.reports import MONTHLY_AT, in_window
from commands.forms import Form
from commands.invocation import Deps, Reply, SlackRefused
from commands.items.fields import written_by_liaison
from commands.kinds.spec import FormValues
from storage import disclosure, feedback
from storage.audit import Actor
from storage.court_calendar import CourtCalendar
from storage.deadlines import is_working_time
from storage.evaluation_tables import Feedback, Side, Survey
from storage.models import Partner
from storage.people import Person
from storage.report_periods import quarter_name, quarter_of

log = logging.getLogger("liaison")
FEEDBACK_ACTION, FEEDBACK_FORM = "evaluation.feedback", "evaluation.feedback"
SURVEY_ACTION, SURVEY_FORM = "evaluation.survey", "evaluation.survey"
COMMENTS = "Comments are read by the office's coordinators"
_NO_DETAILS = "No client names or details, please: only the office's coordinators read comments."


def prompts(deps: Deps, now: datetime) -> list[str]:
    """Prompts for referrals closed since the last tick, and any not yet sent, to those in working hours."""
    feedback.ask_about_closures(deps.db)
    with deps.db.session() as session:
        calendar = deps.calendar(session)
        waiting = feedback.unsent_prompts(session, now)
        names = {p.id: p.name for p in session.exec(select(Partner)).all()}
    done = []
    for prompt in waiting:
        if not _working(deps, prompt.user_id, now, calendar) or not feedback.claim(
            deps.db, Feedback, prompt.id or 0
        ):
            continue
        whose = (
            "you sent to"
            if prompt.side == Side.office
            else "you handled for the public defender's office, at"
        )
        text = (
            f"*How did {prompt.item} go?* The referral {whose} "
            f"{names.get(prompt.partner_id, 'a partner')} is closed. A rating from 1 to 5, and a comment if "
            "you like, help the partnership see what works. "
            "Only the office's coordinators read comments."
        )
        button = Button("How did it go?", FEEDBACK_ACTION, json.dumps({"ref": prompt.item}), "primary")
        if _sent(deps, prompt.user_id, text, button, Feedback, prompt.id or 0):
            done.append(f"asked {prompt.user_id} about {prompt.item}")
    return done


def surveys(deps: Deps, now: datetime) -> list[str]:
    """The quarter's survey, from its first office day, to both sides' coordinators in their working hours."""
    local = now.astimezone(ZoneInfo(deps.timezone))
    with deps.db.session() as session:
        calendar = deps.calendar(session)
    if not in_window(local, MONTHLY_AT, calendar.next_open(quarter_of(local.date())[0])):
        return []
    quarter = quarter_name(local.date())
    with deps.db.session() as session:
        people = feedback.survey_recipients(session, deps.admins)
        asked = set(session.exec(select(Survey.user_id).where(Survey.quarter == quarter)).all())
    done = []
    for user_id, partner_id in people:
        if user_id in asked or not _working(deps, user_id, now, calendar):
            continue
        row = feedback.ask_survey(deps.db, quarter, user_id, partner_id, now)
        if row is None or not feedback.claim(deps.db, Survey, row.id or 0):
            continue
        text = (
            f"*The partnership's survey for {quarter}*: three questions, a minute of your time. Both sides' "
            "coordinators answer; the office's report shows the averages."
        )
        button = Button("Answer the survey", SURVEY_ACTION, json.dumps({"ref": quarter}), "primary")
        if _sent(deps, user_id, text, button, Survey, row.id or 0):
            done.append(f"sent the survey for {quarter} to {user_id}")
    return done


def _working(deps: Deps, user_id: str, now: datetime, calendar: CourtCalendar) -> bool:
    return is_working_time(now.astimezone(ZoneInfo(deps.zone_of(user_id))), calendar)


def _sent(
    deps: Deps, user_id: str, text: str, button: Button, table: type[Feedback] | type[Survey], row_id: int
) -> bool:
    try:
        deps.slack.send_dm(user_id, text, (button,))
        return True
    except SlackRefused as refused:  # given back: a later tick tries again
        log.warning("could not ask %s for feedback: %s", user_id, refused.code)
        feedback.claim(deps.db, table, row_id, sent=False)
        return False


def feedback_form(deps: Deps, actor: Actor, ref: str, _channel_id: str) -> Form:
    with deps.db.session() as session:
        feedback.answerable(session, actor.user_id, ref)
    return Form(
        callback_id=FEEDBACK_FORM,
        title=f"How did {ref} go?",
        submit="Send",
        fields=(forms.rating(), forms.remark()),
        metadata=json.dumps({"ref": ref}),
        notes=(_NO_DETAILS,),
    )


def feedback_submitted(deps: Deps, actor: Actor, metadata: str, values: FormValues) -> Reply:
    ref = str(written_by_liaison(metadata).get("ref"))
    rating = forms.rated(values, "rating")
    with deps.db.session() as session:
        me = deps.person(session, actor)
        comment = _comment(deps, me, values.get("comment"))
        feedback.answer(session, me, ref, rating, comment)
    return Reply(f"Thank you: your rating of {ref} is saved.")


SURVEY_QUESTIONS = (
    ("working", "How well is the partnership working?"),
    ("responsive", "How quickly and clearly do we answer each other?"),
)


def survey_form(deps: Deps, actor: Actor, quarter: str, _channel_id: str) -> Form:
    with deps.db.session() as session:
        feedback.survey_answerable(session, actor.user_id, quarter)
    return Form(
        callback_id=SURVEY_FORM,
        title=f"Survey {quarter}",
        submit="Send",
        fields=(
            *(forms.rating(key, f"{question} (1 to 5)") for key, question in SURVEY_QUESTIONS),
            forms.remark("change", "One thing to change (optional)"),
        ),
        metadata=json.dumps({"quarter": quarter}),
        notes=(_NO_DETAILS,),
    )


def survey_submitted(deps: Deps, actor: Actor, metadata: str, values: FormValues) -> Reply:
    quarter = str(written_by_liaison(metadata).get("quarter"))
    working, responsive = forms.rated(values, "working"), forms.rated(values, "responsive")
    with deps.db.session() as session:
        me = deps.person(session, actor)
        change = _comment(deps, me, values.get("change"))
        feedback.answer_survey(session, me, quarter, working, responsive, change)
    return Reply(f"Thank you: your answers for {quarter} are saved.")


def _comment(deps: Deps, me: Person, said: object) -> str | None:
    if not isinstance(said, str) or not said.strip():
        return None
    disclosure.screen_shared(deps.detector, me, said, None, what="comment", kind="feedback", because=COMMENTS)
    return said.strip()
