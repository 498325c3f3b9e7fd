"""Joint training through the real bot, on SQLite and PostgreSQL: a coordinator announces a session to two
partners' channels; partner staff answer from their own teams, one lands on the waitlist and is promoted
when a seat frees; the invitations and the cancelling one are valid iCalendar; the reminders go once each
at the right local times; check-in keeps its window and its code; the CSV and the certificate hold the
right hours."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from bot.sandbox import Message, Sandbox, visible_text
from storage import training
from storage.audit import Actor
from storage.errors import Conflict
from tests.databases import BACKENDS
from tests.inprocess import InProcessBot, in_process_bot
from tests.office import (
    ADMIN,
    CIVIL_TEAM,
    CIVIL_USER,
    DEFENDER,
    OFFICE_CHANNEL,
    PARTNER_TEAM,
    PARTNER_USER,
    SHARED_CHANNEL,
    STRANGER,
    Bot,
    fill_form,
    office,
)
from tests.office import command as typed

CIVIL_CHANNEL = "C0CIVIL"
SECOND = "U0LA2"  # a second Legal Aid Society person
START = datetime.fromisoformat("2026-12-10T19:00:00+00:00")  # Thursday, December 10, 2 PM in New York
SESSION = {
    "title": {"value": "Suppression after Carpenter"},
    "description": {"value": "Cell-site records, geofence warrants, and what to file."},
    "start": {"value": "dec 10 2pm"},
    "length": {"value": "90"},
    "place": {"value": "Room 4B, or https://meet.example.org/carpenter"},
    "capacity": {"value": "2"},
    "cle_hours": {"value": "1.5"},
    "course_number": {"value": "IL-2026-117"},
    "cle_state": {"value": "IL"},
    "code": {"value": ["yes"]},
}


def workspace(slack: Sandbox) -> None:
    slack.add_user(SECOND, "lou", team_id=PARTNER_TEAM, real_name="Lou Partner", tz="America/Los_Angeles")
    slack.add_member(SHARED_CHANNEL, SECOND)
    slack.add_channel(CIVIL_CHANNEL, "civil-shared", members=[DEFENDER, ADMIN, CIVIL_USER])


def set_up(slack: Sandbox, bot: Bot) -> None:
    for line in (
        f'partner add legal-aid name:"Legal Aid Society" kind:legal_aid team:{PARTNER_TEAM} '
        "scope:referral,training",
        f"channel link <#{SHARED_CHANNEL}|legal> legal-aid",
        f'partner add civil name:"Civil Rights Org" kind:civil_rights team:{CIVIL_TEAM} '
        "scope:advocacy,training",
        f"channel link <#{CIVIL_CHANNEL}|civil> civil",
        "role <@U0DEF> coordinator",
    ):
        answer = typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", line)
        assert "Sorry" not in answer, answer


@pytest.fixture
def slack() -> Iterator[Sandbox]:
    with office() as sandbox:
        workspace(sandbox)
        yield sandbox


@pytest.fixture(params=BACKENDS)
def bot(request: pytest.FixtureRequest, slack: Sandbox, tmp_path: Path) -> Iterator[InProcessBot]:
    with in_process_bot(slack, tmp_path, request.param) as running:
        set_up(slack, running)
        yield running


def _schedule(slack: Sandbox, bot: Bot, values: dict[str, dict[str, str]] = SESSION) -> str:
    seen = len(slack.ephemerals(DEFENDER, OFFICE_CHANNEL))
    assert slack.slash_command(DEFENDER, OFFICE_CHANNEL, "/training", "new").acked
    fill_form(slack, DEFENDER, values)
    answers = slack.wait_for(lambda: slack.ephemerals(DEFENDER, OFFICE_CHANNEL)[seen:], message="an answer")
    bot.settle()
    return visible_text(answers[-1])


def _card(slack: Sandbox, channel: str) -> Message:
    return next(m for m in slack.messages(channel) if m.text.startswith("T-1 · Training"))


def _click(slack: Sandbox, bot: Bot, user: str, channel: str, action: str) -> str:
    seen = len(slack.ephemerals(user, channel))
    assert slack.click(user, channel, _card(slack, channel).ts, action).acked
    answers = slack.wait_for(lambda: slack.ephemerals(user, channel)[seen:], message=f"{user}'s answer")
    bot.settle()
    return visible_text(answers[-1])


def _invitations(slack: Sandbox, user: str) -> list[Calendar]:
    found = []
    for message in slack.dms(user):
        for file_id in message.files or []:
            upload = slack.file(file_id)
            if upload is not None and upload.filename.endswith(".ics") and upload.content:
                found.append(Calendar.from_ical(upload.content))
    return found


def _event(calendar: Calendar) -> dict[str, object]:
    (event,) = calendar.walk("VEVENT")
    return {
        "method": str(calendar["METHOD"]),
        "uid": str(event["UID"]),
        "sequence": int(event["SEQUENCE"]),
        "start": event.decoded("DTSTART"),
        "end": event.decoded("DTEND"),
        "status": str(event["STATUS"]),
    }


def test_a_session_announced_answered_waitlisted_promoted_and_cancelled(slack: Sandbox, bot: Bot) -> None:
    said = _schedule(slack, bot)
    assert said.startswith(
        "Scheduled *T-1*: Suppression after Carpenter, Thursday, December 10, 2026, 2:00 PM EST"
    ), said
    assert re.search(r"Check-in code: \*\d{6}\*", said), said
    announced = typed(
        slack,
        bot,
        DEFENDER,
        OFFICE_CHANNEL,
        "/training",
        f"announce T-1 <#{SHARED_CHANNEL}|legal> <#{CIVIL_CHANNEL}|civil>",
    )
    assert announced.startswith(f"Announced T-1 in <#{SHARED_CHANNEL}>, <#{CIVIL_CHANNEL}>"), announced
    assert "Seats 2 of 2 left" in visible_text(_card(slack, SHARED_CHANNEL)).replace("*", "").replace(
        "\n", " "
    )

    assert _click(slack, bot, PARTNER_USER, SHARED_CHANNEL, "training.answer.going").startswith(
        "You're going to T-1"
    )
    assert _click(slack, bot, CIVIL_USER, CIVIL_CHANNEL, "training.answer.going").startswith(
        "You're going to T-1"
    )
    waitlisted = _click(slack, bot, SECOND, SHARED_CHANNEL, "training.answer.going")
    assert waitlisted.startswith("T-1 is full: you're number 1 on the waitlist"), waitlisted
    shown = visible_text(_card(slack, CIVIL_CHANNEL)).replace("*", "")
    assert "full (2), 1 waiting" in shown and "Civil Rights Org 1, Legal Aid Society 1" in shown, shown
    assert not _invitations(slack, SECOND)

    # A seat frees: the first on the waitlist is told privately and sent the invitation.
    assert _click(slack, bot, CIVIL_USER, CIVIL_CHANNEL, "training.answer.cant").startswith(
        "Noted: can't for T-1"
    )
    promoted = slack.wait_for(
        lambda: [m for m in slack.dms(SECOND) if "A seat freed up" in m.text], message="DM"
    )
    assert "T-1" in visible_text(promoted[0])
    (invited,) = [_event(c) for c in _invitations(slack, SECOND)]
    assert invited == {
        "method": "REQUEST",
        "uid": invited["uid"],
        "sequence": 0,
        "start": START,
        "end": START + timedelta(minutes=90),
        "status": "CONFIRMED",
    }
    civil = [_event(c) for c in _invitations(slack, CIVIL_USER)]
    assert [c["method"] for c in civil] == ["REQUEST", "CANCEL"]  # Can't takes it out of their calendar

    cancelled = typed(
        slack, bot, DEFENDER, OFFICE_CHANNEL, "/training", 'cancel T-1 reason:"presenter is ill"'
    )
    assert cancelled.startswith("Cancelled T-1; 2 people were told"), cancelled
    for user in (PARTNER_USER, SECOND):
        last = _event(_invitations(slack, user)[-1])
        assert last["method"] == "CANCEL" and last["status"] == "CANCELLED" and last["sequence"] == 1
        assert last["uid"] == invited["uid"]
    assert "Cancelled: presenter is ill" in visible_text(_card(slack, SHARED_CHANNEL)).replace("*", "")


def test_who_may_not_attend_is_told_and_nothing_changes(slack: Sandbox, bot: Bot) -> None:
    _schedule(slack, bot, {**SESSION, "audience": {"value": "partners"}, "partners": {"value": "legal-aid"}})
    refused = typed(
        slack, bot, DEFENDER, OFFICE_CHANNEL, "/training", f"announce T-1 <#{CIVIL_CHANNEL}|civil>"
    )
    assert refused.startswith(
        f"T-1 can't be announced in <#{CIVIL_CHANNEL}>: Civil Rights Org reads this channel"
    ), refused
    assert not [m for m in slack.messages(CIVIL_CHANNEL) if m.text.startswith("T-1")]
    typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/training", f"announce T-1 <#{SHARED_CHANNEL}|legal>")
    slack.add_member(SHARED_CHANNEL, STRANGER)
    try:
        told = _click(slack, bot, STRANGER, SHARED_CHANNEL, "training.answer.going")
    finally:
        slack.remove_member(SHARED_CHANNEL, STRANGER)
    assert told.startswith("T-1 is not open to your organization"), told
    assert "Going nobody yet" in visible_text(_card(slack, SHARED_CHANNEL)).replace("*", "").replace(
        "\n", " "
    )


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"start": {"value": "2026-11-20 2pm"}}, "is in the past"),
        ({"start": {"value": "dec 10"}}, "has no time of day"),
        ({"start": {"value": "whenever"}}, "is not a date and time Liaison understands"),
        ({"length": {"value": "5"}}, "is not a length"),
        ({"capacity": {"value": "-2"}}, "is not a number of seats"),
        ({"cle_hours": {"value": "1.3"}}, "is not a number of CLE hours"),
        ({"title": {"value": "Call Maria at 312-555-0143"}}, "never carry client details"),
        ({"presenters": {"value": "Jane Rivera 312-555-0143"}}, "never carry client details"),
        ({"course_number": {"value": "24-CR-0113"}}, "never carry client details"),
        ({"capacity": {"value": "²"}}, "is not a number of seats"),  # isdigit() says yes
        ({"length": {"value": "1" * 400 + "h"}}, "is not a length"),  # a float too big for minutes
        ({"repeat": {"value": "weekly"}, "times": {"value": "²"}}, "needs how many sessions in all"),
    ],
)
def test_a_bad_session_is_answered_and_nothing_is_scheduled(
    slack: Sandbox, bot: Bot, changes: dict[str, dict[str, str]], said: str
) -> None:
    seen = len(slack.ephemerals(DEFENDER, OFFICE_CHANNEL))
    assert slack.slash_command(DEFENDER, OFFICE_CHANNEL, "/training", "new").acked
    view = slack.wait_for(lambda: slack.open_views(DEFENDER), message="the form")[-1]
    delivery = slack.submit_view(DEFENDER, view.id, {**SESSION, **changes})
    assert delivery.acked
    if view.errors:
        shown = " ".join(view.errors.values())
    else:
        shown = visible_text(
            slack.wait_for(lambda: slack.ephemerals(DEFENDER, OFFICE_CHANNEL)[seen:], message="x")[-1]
        )
    assert said in shown, shown
    assert (
        "no training session" in typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/training", "show T-1").lower()
    )


def test_reminders_go_once_each_at_the_right_local_times(slack: Sandbox, bot: Bot) -> None:
    _schedule(slack, bot)
    typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/training", f"announce T-1 <#{SHARED_CHANNEL}|legal>")
    _click(slack, bot, PARTNER_USER, SHARED_CHANNEL, "training.answer.going")  # in Denver
    _click(slack, bot, SECOND, SHARED_CHANNEL, "training.answer.going")  # in Los Angeles

    def sent(at: str) -> list[str]:
        return sorted(line for line in bot.tick(datetime.fromisoformat(at)) if "T-1" in line)

    assert sent("2026-12-09T14:30:00+00:00") == []  # 07:30 in Denver, 06:30 in Los Angeles: before work
    assert sent("2026-12-09T15:00:00+00:00") == ["sent day-before for T-1 to U0LAS"]  # 08:00 in Denver
    assert sent("2026-12-09T16:00:00+00:00") == ["sent day-before for T-1 to U0LA2"]  # 08:00 in Los Angeles
    assert sent("2026-12-09T23:00:00+00:00") == []  # once each
    assert sent("2026-12-10T17:59:00+00:00") == []
    assert sent("2026-12-10T18:00:00+00:00") == [
        "sent hour-before for T-1 to U0LA2",
        "sent hour-before for T-1 to U0LAS",
    ]
    assert sent("2026-12-10T18:30:00+00:00") == []
    reminders = [m.text for m in slack.dms(PARTNER_USER) if "starts" in m.text]
    assert len(reminders) == 2 and "starts tomorrow" in reminders[0] and "starts in an hour" in reminders[1]


@pytest.fixture(params=BACKENDS)
def at_the_session(request: pytest.FixtureRequest, slack: Sandbox, tmp_path: Path) -> Iterator[InProcessBot]:
    """The bot with its clock at 1:40 PM New York on December 10: T-1 (scheduled for 1:50 PM) opens for
    check-in, T-2 (2:30 PM) does not yet."""
    start = (START - timedelta(minutes=20)).isoformat()
    with in_process_bot(slack, tmp_path, request.param, LIAISON_START_TIME=start) as running:
        set_up(slack, running)
        yield running


def test_check_in_keeps_its_window_and_code_and_the_records_hold_the_hours(
    slack: Sandbox, at_the_session: InProcessBot
) -> None:
    bot = at_the_session
    said = _schedule(slack, bot, {**SESSION, "start": {"value": "dec 10 1:50pm"}})
    code = re.search(r"Check-in code: \*(\d{6})\*", said)
    assert code is not None, said
    _schedule(
        slack, bot, {**SESSION, "title": {"value": "Later session"}, "start": {"value": "dec 10 2:30pm"}}
    )
    typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/training", f"announce T-1 <#{SHARED_CHANNEL}|legal>")
    typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/training", f"announce T-2 <#{SHARED_CHANNEL}|legal>")
    later = next(m for m in slack.messages(SHARED_CHANNEL) if m.text.startswith("T-2 · Training"))
    seen = len(slack.ephemerals(PARTNER_USER, SHARED_CHANNEL))
    slack.click(PARTNER_USER, SHARED_CHANNEL, later.ts, "training.check_in")
    early = slack.wait_for(lambda: slack.ephemerals(PARTNER_USER, SHARED_CHANNEL)[seen:], message="answer")
    assert visible_text(early[-1]).startswith("Check-in for T-2 is open from <!date^"), visible_text(
        early[-1]
    )

    # T-1's window is open, and it wants the code shown in the room.
    seen = len(slack.ephemerals(PARTNER_USER, SHARED_CHANNEL))
    assert slack.click(
        PARTNER_USER, SHARED_CHANNEL, _card(slack, SHARED_CHANNEL).ts, "training.check_in"
    ).acked
    fill_form(slack, PARTNER_USER, {"code": {"value": "000000" if code[1] != "000000" else "111111"}})
    wrong = _ephemeral_after(slack, bot, PARTNER_USER, SHARED_CHANNEL, seen)
    assert wrong.startswith("That is not the session's code"), wrong
    seen = len(slack.ephemerals(PARTNER_USER, SHARED_CHANNEL))
    slack.click(PARTNER_USER, SHARED_CHANNEL, _card(slack, SHARED_CHANNEL).ts, "training.check_in")
    fill_form(slack, PARTNER_USER, {"code": {"value": code[1]}})
    assert _ephemeral_after(slack, bot, PARTNER_USER, SHARED_CHANNEL, seen).startswith("Checked in to T-1 at")

    # The organizer adds someone who came without checking in, exports the list; each attendee's records.
    added = typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/training", "attendance T-1 add <@U0ADM>")
    assert added.startswith("*T-1 attendance: 2*"), added
    typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/training", "attendance T-1 export")
    upload = slack.file([m for m in slack.dms(DEFENDER) if m.files][-1].files[0])
    assert upload is not None and upload.content is not None
    rows = list(csv.DictReader(io.StringIO(upload.content.decode("utf-8"))))
    assert [(r["name"], r["organization"], r["hours"], r["category"], r["course number"]) for r in rows] == [
        ("U0LAS", "legal-aid", "1.5", "general", "IL-2026-117"),
        ("U0ADM", "office", "1.5", "general", "IL-2026-117"),
    ]
    credits = typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/training", "credits year:2026")
    assert credits.splitlines()[0] == "*Your CLE hours in 2026: 1.5*" and "\n• general: 1.5\n" in credits, (
        credits
    )
    assert typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/training", "credits year:2025").startswith(
        "*Your CLE hours in 2025: 0*"
    )
    assert "is in your direct messages" in typed(
        slack, bot, ADMIN, OFFICE_CHANNEL, "/training", "certificate T-1"
    )
    pdf = slack.file([m for m in slack.dms(ADMIN) if m.files][-1].files[0])
    assert pdf is not None and pdf.content is not None and pdf.content.startswith(b"%PDF-")
    assert b"CLE: 1.5 hours, general, course IL-2026-117, IL" in pdf.content
    refused = typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/training", "certificate T-1")
    assert refused.startswith("Liaison has no check-in of yours for T-1"), refused


def _ephemeral_after(slack: Sandbox, bot: Bot, user: str, channel: str, seen: int) -> str:
    answers = slack.wait_for(lambda: slack.ephemerals(user, channel)[seen:], message=f"an answer to {user}")
    bot.settle()
    return visible_text(answers[-1])


def test_a_weekly_series_and_an_edit_that_calendars_follow(slack: Sandbox, bot: Bot) -> None:
    said = _schedule(slack, bot, {**SESSION, "repeat": {"value": "weekly"}, "times": {"value": "3"}})
    assert "Also scheduled, weekly: T-2, T-3." in said, said
    third = typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/training", "show T-3")
    assert "Thursday, December 24, 2026, 2:00 PM EST" in third, third
    typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/training", f"announce T-1 <#{SHARED_CHANNEL}|legal>")
    _click(slack, bot, PARTNER_USER, SHARED_CHANNEL, "training.answer.going")
    _click(slack, bot, SECOND, SHARED_CHANNEL, "training.answer.going")
    refused = typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/training", "edit T-1 capacity:1")
    assert refused.startswith("Nothing was changed: 2 people have seats already"), refused
    colleague = typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/training", "edit T-1 place:elsewhere")
    assert colleague.startswith("Changed T-1"), colleague  # an admin may, as a coordinator may
    moved = typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/training", 'edit T-1 start:"dec 10 3pm"')
    assert moved.startswith(
        "Changed T-1: Suppression after Carpenter, Thursday, December 10, 2026, 3:00 PM EST"
    )
    latest = _event(_invitations(slack, PARTNER_USER)[-1])
    assert latest["sequence"] == 2 and latest["start"] == START + timedelta(hours=1), latest
    assert latest["method"] == "REQUEST"
    assert "elsewhere" in visible_text(_card(slack, SHARED_CHANNEL))


def test_feedback_is_asked_once_after_the_session_and_answered_once(
    slack: Sandbox, at_the_session: InProcessBot
) -> None:
    bot = at_the_session
    _schedule(slack, bot, {**SESSION, "start": {"value": "dec 10 1:50pm"}, "code": {"value": []}})
    typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/training", f"announce T-1 <#{SHARED_CHANNEL}|legal>")
    _click(slack, bot, PARTNER_USER, SHARED_CHANNEL, "training.answer.going")
    assert _click(slack, bot, PARTNER_USER, SHARED_CHANNEL, "training.check_in").startswith(
        "Checked in to T-1"
    )
    ended = START - timedelta(minutes=10) + timedelta(minutes=95)
    assert "sent feedback for T-1 to U0LAS" in bot.tick(ended)
    assert not [line for line in bot.tick(ended + timedelta(hours=1)) if "feedback" in line]
    (prompt,) = [m for m in slack.dms(PARTNER_USER) if "How did *T-1*" in m.text]

    def rate(rating: str | None, comment: str) -> str:
        before = len(_told(slack))
        assert slack.click(PARTNER_USER, prompt.channel, prompt.ts, "training.feedback").acked
        if rating is not None:
            fill_form(slack, PARTNER_USER, {"rating": {"value": rating}, "comment": {"value": comment}})
        told = slack.wait_for(lambda: _told(slack)[before:], message="an answer")
        bot.settle()
        return told[-1]

    refused = rate("4", "Call me at 312-555-0143")
    assert refused.startswith("Liaison can't post these words as they are"), (
        refused
    )  # told to a partner: masked
    assert rate("4", "Clear and practical.").startswith("Thank you: your rating of T-1 is saved.")
    assert rate(None, "").startswith("You rated T-1 already (4 of 5)")


def _told(slack: Sandbox) -> list[str]:
    """What the partner was told privately, oldest first: ephemerals and direct messages."""
    told = [(e.ts, visible_text(e)) for e in slack.ephemerals(PARTNER_USER)]
    told += [(m.ts, visible_text(m)) for m in slack.dms(PARTNER_USER)]
    return [text for _ts, text in sorted(told)]


def test_the_digest_and_the_home_tab_show_the_weeks_training(slack: Sandbox, bot: Bot) -> None:
    _schedule(slack, bot, {**SESSION, "start": {"value": "nov 27 2pm"}})
    typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/training", f"announce T-1 <#{SHARED_CHANNEL}|legal>")
    digest = typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/liaison", "digest preview")
    assert "*Training this week: 1*" in digest and "*T-1* Suppression after Carpenter" in digest, digest
    slack.open_app_home(DEFENDER)
    home = slack.wait_for(
        lambda: (view := slack.home_view(DEFENDER)) and "training" in visible_text(view) and view,
        message="home",
    )
    assert "• *T-1* Suppression after Carpenter" in visible_text(
        home
    ) and "you: not answered" in visible_text(home)


def test_check_in_closes_thirty_minutes_after_the_end(slack: Sandbox, bot: InProcessBot) -> None:
    """The window's closing edge, through the storage function the button calls (the running bot's clock
    stays where it started)."""
    _schedule(slack, bot, {**SESSION, "code": {"value": []}})
    ends = START + timedelta(minutes=90)
    with bot.db.session() as session:
        person = bot.liaison.deps.person(session, Actor(PARTNER_USER, PARTNER_TEAM))
        row = training.load(session, "T-1")
        assert row is not None and training.check_in_window(row) == (
            START - timedelta(minutes=15),
            ends + timedelta(minutes=30),
        )
        training.check_in(session, person, row, None, ends + timedelta(minutes=30))  # the last moment
    with bot.db.session() as session, pytest.raises(Conflict):
        row = training.load(session, "T-1")
        assert row is not None
        training.check_in(session, person, row, None, ends + timedelta(minutes=30, seconds=1))


def test_materials_from_the_library_show_to_whoever_may_see_them(slack: Sandbox, bot: Bot) -> None:
    from tests import test_library

    assert test_library._add(slack, bot, test_library.MEMO).startswith("Added *RS-1*")
    _schedule(slack, bot, {**SESSION, "materials": {"value": "RS-1, https://example.org/slides.pdf"}})
    shown = typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/training", "show T-1")
    assert "Materials: *RS-1* (memo: Suppressing cell-site location data after Carpenter) <https://" in shown
    # Legal Aid's agreement covers training but not resources: the entry stays a bare ID to its staff.
    theirs = typed(slack, bot, PARTNER_USER, SHARED_CHANNEL, "/training", "show T-1")
    assert "Materials: RS-1, https://example.org/slides.pdf" in theirs, theirs
