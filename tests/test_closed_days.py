"""The court calendar through the real bot, on SQLite and PostgreSQL: an office in Illinois
(LIAISON_HOLIDAYS=US-IL) whose due dates move off the state's holidays with the reason said, whose
coordinators close days of their own with `/liaison closed`, and whose reminders and digests wait for the
next open day. The clock starts on Tuesday, November 24, 2026 (tests/office.py), two days before
Thanksgiving. The arithmetic itself: tests/test_court_calendar.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete
from sqlmodel import col, select

from bot.sandbox import Message, Sandbox, visible_text
from storage.court_calendar import OfficeClosure
from storage.models import AuditEntry, SlackCall
from tests.databases import BACKENDS
from tests.inprocess import InProcessBot, in_process_bot
from tests.office import ADMIN, CIVIL_TEAM, CIVIL_USER, DEFENDER, OFFICE_CHANNEL, office
from tests.office import command as typed

CIVIL_CHANNEL = "C0CIVIL"


@pytest.fixture
def slack() -> Iterator[Sandbox]:
    with office() as sandbox:
        sandbox.add_channel(CIVIL_CHANNEL, "civil-shared", members=[DEFENDER, ADMIN, CIVIL_USER])
        yield sandbox


@pytest.fixture(params=BACKENDS)
def bot(request: pytest.FixtureRequest, slack: Sandbox, tmp_path: Path) -> Iterator[InProcessBot]:
    """An Illinois office's bot on a database of the test's own, with Civil Rights Org in its channel."""
    with in_process_bot(slack, tmp_path, request.param, LIAISON_HOLIDAYS="US-IL") as running:
        for text in (
            f'partner add civil-rights name:"Civil Rights Org" kind:civil_rights team:{CIVIL_TEAM} '
            f"scope:consult,referral contacts:<@{CIVIL_USER}>",
            f"channel link <#{CIVIL_CHANNEL}|civil> civil-rights",
        ):
            assert "Sorry" not in typed(slack, running, ADMIN, OFFICE_CHANNEL, "/liaison", text)
        yield running


def liaison(slack: Sandbox, bot: InProcessBot, text: str, user: str = ADMIN) -> str:
    return typed(slack, bot, user, OFFICE_CHANNEL, "/liaison", text)


def closures(bot: InProcessBot) -> list[tuple[date, str]]:
    with bot.db.session() as session:
        return [(row.day, row.reason) for row in session.exec(select(OfficeClosure)).all()]


def calendar_audit(bot: InProcessBot) -> list[tuple[str, str | None, str | None, str]]:
    with bot.db.session() as session:
        rows = session.exec(
            select(AuditEntry)
            .where(col(AuditEntry.action).startswith("calendar.") | (col(AuditEntry.action) == "close_days"))
            .order_by(col(AuditEntry.id))
        ).all()
        return [(row.action, row.subject, row.reason, row.decision) for row in rows]


def tick(bot: InProcessBot, at: str) -> list[str]:
    """One scheduler pass at `at`, with the rate budget it would have by then (tests/test_schedule.py)."""
    engine = create_engine(bot.db_url)
    try:
        with engine.begin() as conn:
            conn.execute(delete(SlackCall))
    finally:
        engine.dispose()
    return bot.tick(datetime.fromisoformat(at))


def test_a_due_date_on_a_state_holiday_moves_to_the_next_open_day_and_says_why(
    slack: Sandbox, bot: InProcessBot
) -> None:
    # Friday, February 12, 2027 is Lincoln's Birthday in Illinois, and Monday the 15th Washington's.
    posted = typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/advocacy", "File the amicus brief due:2027-02-12")
    assert "due Tuesday, February 16, 2027, 5:00 PM CST." in posted, posted
    assert "moved from Friday, February 12: Lincoln's Birthday; the office is closed that day." in posted

    # Casimir Pulaski Day, the first Monday of March, is Illinois's alone; the sender is in New York.
    asked = typed(slack, bot, DEFENDER, CIVIL_CHANNEL, "/consult", "due:2027-03-01 Any rulings on this?")
    assert "to Civil Rights Org: a question, due Tuesday, March 2, 2027, 5:00 PM EST." in asked, asked
    assert "It was moved from Monday, March 1: Casimir Pulaski Day; the office is closed that day." in asked
    ref = asked.split("*")[1]
    card = [m for m in slack.messages(CIVIL_CHANNEL) if m.text.startswith(ref)][-1]
    assert "Casimir" not in visible_text(card), "the card shows the deadline, not the read-back"
    extended = typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/consult", f"extend {ref} due:2027-02-12")
    assert f"{ref} is now due Tuesday, February 16, 2027, 5:00 PM EST." in extended, extended
    assert "It was moved from Friday, February 12: Lincoln's Birthday" in extended

    # Counting court days skips Thanksgiving (Thursday); nothing moved, so nothing is said about it.
    counted = typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/advocacy", 'Call the clerk due:"in 3 court days"')
    assert "due Monday, November 30, 5:00 PM CST." in counted and "moved" not in counted, counted
    by_default = typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/advocacy", "Collect the records")
    assert "due Wednesday, December 2, 5:00 PM CST." in by_default, "five business days, Thanksgiving not one"


def test_coordinators_close_list_and_reopen_days_and_bad_input_stores_nothing(
    slack: Sandbox, bot: InProcessBot
) -> None:
    refused = liaison(slack, bot, 'closed 2026-12-24 reason:"courthouse closed"', user=DEFENDER)
    assert "Only a Liaison coordinator or admin can close the office on a day or reopen it" in refused
    assert "is now a *coordinator*" in liaison(slack, bot, f"role <@{DEFENDER}> coordinator")

    closed = liaison(slack, bot, 'closed 2026-12-24 reason:"courthouse closed"', user=DEFENDER)
    assert closed.startswith("The office is closed on Thursday, December 24, 2026: courthouse closed."), (
        closed
    )
    assert closures(bot) == [(date(2026, 12, 24), "courthouse closed")]

    listed = liaison(slack, bot, "closed list", user=DEFENDER)
    assert "• Thursday, November 26, 2026: Thanksgiving Day (public holiday)" in listed, listed
    assert "• Thursday, December 24, 2026: courthouse closed (office closure)" in listed
    assert "• Friday, December 25, 2026: Christmas Day (public holiday)" in listed
    assert "• Monday, March 1, 2027: Casimir Pulaski Day (public holiday)" in listed, "the state's own"
    assert "(public holidays of Illinois, United States (US-IL), set with LIAISON_HOLIDAYS," in listed
    assert listed.index("November 26") < listed.index("December 24") < listed.index("March 1, 2027")

    # A deadline set on the closure moves off it, saying why.
    posted = typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/advocacy", "Serve the subpoena due:2026-12-24")
    assert "due Monday, December 28, 5:00 PM EST." in posted, posted
    assert (
        "It was moved from Thursday, December 24: courthouse closed; the office is closed that day." in posted
    )

    bad = {
        'closed 2026-11-20 reason:"snow"': "Friday, November 20, 2026 is not in the future",
        'closed 2026-11-24 reason:"snow"': "Tuesday, November 24, 2026 is not in the future",  # today
        'closed 12/31/2026 reason:"snow"': "`12/31/2026` is not a date Liaison can read here: write it as "
        "year-month-day, like 2026-12-24.",
        'closed 2026-13-01 reason:"snow"': "`2026-13-01` is written as year-month-day, but no such day is "
        "on the calendar: check the month and the day.",
        'closed 2027-02-29 reason:"snow"': "`2027-02-29` is written as year-month-day, but no such day",
        'closed reason:"snow"': "Give one date, like 2026-12-24.",
        "closed 2026-12-30": 'Say why the office is closed, like `reason:"courthouse closed"`.',
        'closed 2026-12-30 reason:" "': "`reason:` needs a value right after the colon",
        'closed 2026-12-26 reason:"snow"': "Saturday, December 26, 2026 is a weekend day: the office is "
        "closed then already.",
        'closed 2026-12-25 reason:"snow"': "Friday, December 25, 2026 is closed already: Christmas Day, a "
        "public holiday.",
        'closed 2026-12-24 reason:"snow"': "Thursday, December 24, 2026 is closed already: courthouse "
        "closed.",
        "closed remove 2026-12-31": "Thursday, December 31, 2026 is not an office closure, so there is "
        "nothing to remove",
        "closed remove 2026-12-25": "Friday, December 25, 2026 is Christmas Day, a public holiday of "
        "Illinois, United States (US-IL) from LIAISON_HOLIDAYS, not an office closure, so it cannot be "
        "removed here",
        # A date written otherwise: what was typed, and how to write it.
        'closed Dec 24 reason:"snow"': "`Dec 24` is not a date Liaison can read here: write it as "
        "year-month-day, like 2026-12-24. If you meant Thursday, December 24, 2026, write `2026-12-24`.",
        # A reason without `reason:` is not taken for part of the date.
        "closed 2026-12-23 courthouse closed": "`courthouse closed` after the date is not read: the reason "
        'goes in `reason:"..."`, like `/liaison closed 2026-12-23 reason:"courthouse closed"`.',
        'closed 2026-12-23 snow reason:"day"': "`snow` after the date is not read: only the date goes "
        'before the reason: put all of the reason in `reason:"..."`.',
        "closed remove 2026-12-24 please": "`please` after the date is not read: give only the date, like "
        "`/liaison closed remove 2026-12-24`.",
        # Years ahead: a typo, and a date no deadline could move past.
        'closed 9999-12-31 reason:"far"': "Friday, December 31, 9999 is more than two years away: Liaison "
        "takes closures up to Thursday, November 23, 2028. Check the year, or close it nearer the time.",
        "closed remove tomorrow": "`tomorrow` is not a date Liaison can read here",
        # Quotes the grammar does not take: the advice is about the quotes, not the order.
        "closed 2026-12-23 reason:'courthouse closed'": "`closed'` is not read: a reason of several words "
        'goes in double quotes, with no quotes inside, like `reason:"courthouse closed"`.',
        'closed 2026-12-23 reason:"\u200b"': 'Say why, like `reason:"courthouse closed"`.',  # draws nothing
        'closed 2026-12-23 reason:"call <tel:+13125550143|312-555-0143>"': "this one has what looks like a "
        "phone number",
        'closed 2026-12-30 reason:"hearing for client, call 312-555-0199"': "A closure's reason is read by "
        "everyone in the office whose deadline moves off that day, and kept in the audit log for years, so "
        "it carries no client details; this one has what looks like a phone number.",
    }
    for text, expected in bad.items():
        answer = liaison(slack, bot, text, user=DEFENDER)
        assert expected in answer and "The office is" not in answer, (text, answer)
    assert closures(bot) == [(date(2026, 12, 24), "courthouse closed")], "nothing stored on a refusal"

    reopened = liaison(slack, bot, "closed remove 2026-12-24")
    assert "The office is open again on Thursday, December 24, 2026 (it was closed: courthouse closed)." in (
        reopened
    )
    assert closures(bot) == []
    assert "No office closures." in liaison(slack, bot, "closed list")
    assert calendar_audit(bot) == [
        ("close_days", None, "Only a Liaison coordinator or admin can close the office on a day or "
         "reopen it; you are a defender. Admins are set with LIAISON_ADMINS or "
         "`/liaison role @person admin`.", "denied"),
        ("calendar.close", "2026-12-24", "courthouse closed", "done"),
        ("calendar.identifying_details", "2026-12-23", "a closure's reason with a phone number", "denied"),
        ("calendar.identifying_details", "2026-12-30", "a closure's reason with a phone number", "denied"),
        ("calendar.reopen", "2026-12-24", "courthouse closed", "done"),
    ]  # fmt: skip


def test_a_deadline_years_away_is_refused_and_one_in_another_year_is_read_back_with_its_year(
    slack: Sandbox, bot: InProcessBot
) -> None:
    """`due:"9999-12-31 9am"` once crashed moving off a closure at the calendar's end: now refused, saying
    how far Liaison reads, with nothing stored; a date next year or later says its year."""
    before = len(slack.messages(OFFICE_CHANNEL))
    far = typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/advocacy", 'Call the clerk due:"9999-12-31 9am"')
    assert far.startswith(
        "`due:9999-12-31 9am` is more than five years away: Liaison read it as Friday, December 31, 9999, "
        "9:00 AM CST. Give a date no later than Monday, November 24, 2031."
    ), far
    assert len(slack.messages(OFFICE_CHANNEL)) == before, "nothing posted"
    later = typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/advocacy", "Call the clerk due:2030-12-11")
    assert "due Wednesday, December 11, 2030, 5:00 PM CST." in later, later
    this_year = typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/advocacy", "Call the clerk due:2026-12-09")
    assert "due Wednesday, December 9, 5:00 PM CST." in this_year, this_year


def test_a_month_without_its_day_is_refused_not_read_as_this_day_of_that_month(
    slack: Sandbox, bot: InProcessBot
) -> None:
    """`due:Dec 4` unquoted gives `due:` only `Dec`: once read as December 24 (today's day number), with the
    4 left in the item's text for the partner to read."""
    before = len(slack.messages(OFFICE_CHANNEL))
    for typed_due in ("Dec", "dec.", "January", "Sept"):
        said = typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/advocacy", f"Call the clerk due:{typed_due} 4")
        assert said.startswith(
            f"`due:{typed_due}` names a month but no day. Put a date with spaces in quotes"
        ), said
    assert len(slack.messages(OFFICE_CHANNEL)) == before, "nothing posted"
    quoted = typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/advocacy", 'Call the clerk due:"Dec 4"')
    assert "due Friday, December 4, 5:00 PM CST." in quoted, quoted


def past_due_lines(lines: list[str], ref: str) -> list[str]:
    return [line for line in lines if f" reminder for {ref} " in line]


def test_a_reminder_due_on_a_closure_goes_the_next_open_day_and_no_digest_comes_on_a_holiday(
    slack: Sandbox, bot: InProcessBot
) -> None:
    asked = typed(slack, bot, DEFENDER, CIVIL_CHANNEL, "/consult", "due:2026-12-03 Any rulings on this?")
    ref = asked.split("*")[1]
    card: Message = [m for m in slack.messages(CIVIL_CHANNEL) if m.text.startswith(f"{ref} · Consult")][-1]
    # Afterwards the courthouse closes on the day it is due (a Thursday): the item keeps its deadline.
    assert "courthouse closed" in liaison(slack, bot, 'closed 2026-12-03 reason:"courthouse closed"')

    assert past_due_lines(tick(bot, "2026-12-02T22:00Z"), ref) == [
        f"sent before reminder for {ref} to {CIVIL_USER}"
    ], "a business day before, Wednesday 5 PM"
    assert past_due_lines(tick(bot, "2026-12-03T22:00Z"), ref) == [], "5 PM on the closure: nothing"
    assert past_due_lines(tick(bot, "2026-12-03T23:30Z"), ref) == [], "6:30 PM: after hours anyway"
    assert past_due_lines(tick(bot, "2026-12-04T12:59Z"), ref) == [], "7:59 AM the next day"
    assert past_due_lines(tick(bot, "2026-12-04T13:00Z"), ref) == [
        f"sent due reminder for {ref} to {CIVIL_USER}",
        f"sent requester reminder for {ref} to {DEFENDER}",
    ], "8 AM on Friday, the next open day"
    thread = slack.messages(CIVIL_CHANNEL, thread_ts=card.ts)
    assert f":warning: *{ref}* is past due" in visible_text(thread[-1])
    # The first nudge comes the business day after the notice went, Monday: two business days late
    # (Friday and Monday) counted from the due date.
    assert past_due_lines(tick(bot, "2026-12-07T14:00Z"), ref) == [
        f"sent nudge reminder for {ref} to {CIVIL_USER}"
    ]
    assert "2 business days past due" in visible_text(slack.messages(CIVIL_CHANNEL, thread_ts=card.ts)[-1])

    # Coordinators' digests come on weekdays the office is open: not on Thanksgiving.
    assert "is now a *coordinator*" in liaison(slack, bot, f"role <@{DEFENDER}> coordinator")
    assert f"to {DEFENDER}" not in " ".join(tick(bot, "2026-11-26T14:00Z")), "Thanksgiving"
    assert f"sent the digest for 2026-11-27 to {DEFENDER}" in tick(bot, "2026-11-27T14:00Z")


def test_the_reminder_a_business_day_before_reaches_back_over_a_long_weekend(
    slack: Sandbox, bot: InProcessBot
) -> None:
    """Thanksgiving, then the office closed on Friday: Monday's deadline is reminded of on Wednesday at
    the due time of day, five calendar days ahead (further than an ordinary weekend's four)."""
    asked = typed(slack, bot, DEFENDER, CIVIL_CHANNEL, "/consult", "due:2026-11-30 Any rulings on this?")
    ref = asked.split("*")[1]
    assert "office closed" in liaison(slack, bot, 'closed 2026-11-27 reason:"office closed"')
    assert past_due_lines(tick(bot, "2026-11-25T21:59Z"), ref) == [], "4:59 PM on Wednesday"
    assert past_due_lines(tick(bot, "2026-11-25T22:00Z"), ref) == [
        f"sent before reminder for {ref} to {CIVIL_USER}"
    ], "5 PM on Wednesday, the business day before Monday"
