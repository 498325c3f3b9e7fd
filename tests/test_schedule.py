"""Reminders and digests through the stand-in, with a controlled clock: the bot runs in this process on
SQLite and PostgreSQL, and each scheduler pass is what `liaison tick --at <time>` does against the same
database, as an operator would run it. The scheduler in processes (the running bot ticking by itself,
two `liaison tick`s at once): tests/test_e2e_schedule.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete
from sqlmodel import select

from bot.sandbox import Message, Sandbox, visible_text
from storage.crypto import Keyring
from storage.db import Database
from storage.item_tables import Consult
from storage.models import Partner, ReminderKind, ReminderSent, SlackCall
from tests.databases import BACKENDS
from tests.inprocess import InProcessBot, in_process_bot
from tests.office import (
    ADMIN,
    CIVIL_TEAM,
    CIVIL_USER,
    DATA_KEY,
    DEFENDER,
    OFFICE_CHANNEL,
    Bot,
    office,
)
from tests.office import command as typed

CIVIL_CHANNEL = "C0CIVIL"
NIGHT_OWL = "U0OWL"  # home staff in Tokyo, for the bot's own scheduler


def workspace(slack: Sandbox) -> None:
    """Someone in Tokyo in the office's channel, and the channel shared with Civil Rights Org."""
    slack.add_user(NIGHT_OWL, "owl", tz="Asia/Tokyo")
    slack.add_member(OFFICE_CHANNEL, NIGHT_OWL)
    slack.add_channel(CIVIL_CHANNEL, "civil-shared", members=[DEFENDER, ADMIN, CIVIL_USER])


@pytest.fixture
def slack() -> Iterator[Sandbox]:
    """A stand-in of the test's own: a pass reminds about every item there is, and a digest counts them."""
    with office() as sandbox:
        workspace(sandbox)
        yield sandbox


def set_up(slack: Sandbox, bot: Bot) -> None:
    for text in (
        f'partner add civil-rights name:"Civil Rights Org" kind:civil_rights team:{CIVIL_TEAM} '
        f"scope:consult,referral contacts:<@{CIVIL_USER}> mou_expires:2026-12-10",
        f"channel link <#{CIVIL_CHANNEL}|civil> civil-rights",
    ):
        assert "Sorry" not in typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", text)


@pytest.fixture(params=BACKENDS)
def bot(request: pytest.FixtureRequest, slack: Sandbox, tmp_path: Path) -> Iterator[InProcessBot]:
    """The bot on a database of the test's own."""
    with in_process_bot(slack, tmp_path, request.param) as running:
        set_up(slack, running)
        yield running


def tick(slack: Sandbox, bot: Bot, tmp_path: Path, at: str) -> list[str]:
    """What one pass at `at` sent, a line each (`liaison tick --at`). The passes are hours or days apart on
    the office's clock but a moment apart on the real one, by which Slack's rate budget is counted
    (bot/pacing.py; on PostgreSQL in the database, storage/rate_budget.py): each pass starts with the
    budget it would have by then, none of it spent."""
    engine = create_engine(bot.db_url)
    try:
        with engine.begin() as conn:
            conn.execute(delete(SlackCall))
    finally:
        engine.dispose()
    return bot.tick(datetime.fromisoformat(at))


def digests(lines: list[str]) -> str:
    """The digests a pass sent (other tests' items are reminded about too, and tested where they belong)."""
    return " ".join(line for line in lines if "digest" in line)


def reminders(slack: Sandbox, bot: Bot, tmp_path: Path, at: str, ref: str) -> list[str]:
    """The reminders about `ref` one pass at `at` sent (other tests' items and the coordinators' digests
    are sent too, and tested where they belong)."""
    return [line for line in tick(slack, bot, tmp_path, at) if f"reminder for {ref} " in line]


def ask(slack: Sandbox, bot: Bot, due: str) -> Message:
    answer = typed(slack, bot, DEFENDER, CIVIL_CHANNEL, "/consult", f"due:{due} Any rulings on this?")
    ref = answer.split("*")[1]
    return [m for m in slack.messages(CIVIL_CHANNEL) if m.text.startswith(f"{ref} · Consult")][-1]


def thread(slack: Sandbox, card: Message) -> list[Message]:
    return slack.messages(CIVIL_CHANNEL, thread_ts=card.ts)


def test_a_reminder_before_the_notice_at_due_time_and_no_nudges_at_night_or_weekends(
    slack: Sandbox, bot: Bot, tmp_path: Path
) -> None:
    card = ask(slack, bot, "2026-12-01")  # Tuesday 5 PM in New York, where the partner's contact is too
    ref = card.text.split(" ")[0]
    requester_dms = len(slack.dms(DEFENDER))

    assert reminders(slack, bot, tmp_path, "2026-11-30T21:59Z", ref) == [], "not yet a business day before"
    sent = reminders(slack, bot, tmp_path, "2026-11-30T22:00Z", ref)  # Monday 5 PM: one business day before
    assert sent == [f"sent before reminder for {ref} to {CIVIL_USER}"]
    reminder = thread(slack, card)[-1]
    assert f"<@{CIVIL_USER}> Reminder: *{ref}* is due <!date^" in visible_text(reminder)
    buttons = [e["text"]["text"] for b in reminder.blocks if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["Snooze 1 day", "Snooze 3 days"]
    assert reminders(slack, bot, tmp_path, "2026-11-30T22:10Z", ref) == [], "once"

    assert reminders(slack, bot, tmp_path, "2026-12-01T22:00Z", ref) == [
        f"sent due reminder for {ref} to {CIVIL_USER}",
        f"sent requester reminder for {ref} to {DEFENDER}",
    ]
    assert f":warning: *{ref}* is past due" in visible_text(thread(slack, card)[-1])
    dm = slack.wait_for(lambda: slack.dms(DEFENDER)[requester_dms:], message="the requester's DM")[-1]
    assert f"*{ref}* to Civil Rights Org is past due" in visible_text(dm)

    assert reminders(slack, bot, tmp_path, "2026-12-02T03:00Z", ref) == [], (
        "10 PM in New York: held for the morning"
    )
    assert reminders(slack, bot, tmp_path, "2026-12-02T12:59Z", ref) == [], "7:59 AM"
    nudged = reminders(slack, bot, tmp_path, "2026-12-02T13:00Z", ref)
    assert nudged == [f"sent nudge reminder for {ref} to {CIVIL_USER}"]
    assert f"*{ref}* is still open, 1 business day past due." in visible_text(thread(slack, card)[-1])
    assert reminders(slack, bot, tmp_path, "2026-12-02T20:00Z", ref) == [], "one nudge a business day"
    assert reminders(slack, bot, tmp_path, "2026-12-05T15:00Z", ref) == [], "Saturday"
    assert reminders(slack, bot, tmp_path, "2026-12-06T15:00Z", ref) == [], "Sunday"
    assert reminders(slack, bot, tmp_path, "2026-12-07T13:00Z", ref) == [
        f"sent nudge reminder for {ref} to {CIVIL_USER}"
    ]
    assert "4 business days past due" in visible_text(thread(slack, card)[-1])


def test_snooze_holds_the_nudges_and_a_closed_item_is_never_reminded(
    slack: Sandbox, bot: Bot, tmp_path: Path
) -> None:
    card = ask(slack, bot, "2026-12-01")
    ref = card.text.split(" ")[0]
    reminders(slack, bot, tmp_path, "2026-12-01T22:00Z", ref)  # the overdue notice
    notice = thread(slack, card)[-1]
    before = len(slack.ephemerals(DEFENDER, CIVIL_CHANNEL))
    delivery = slack.click(DEFENDER, CIVIL_CHANNEL, notice.ts, "reminder.snooze.3")
    assert delivery.acked and not delivery.problems
    answer = slack.wait_for(lambda: slack.ephemerals(DEFENDER, CIVIL_CHANNEL)[before:])[-1]
    assert f"No reminders about {ref} until Friday, December 4, 5:00 PM EST." in visible_text(answer)
    assert reminders(slack, bot, tmp_path, "2026-12-02T14:00Z", ref) == []
    assert reminders(slack, bot, tmp_path, "2026-12-04T14:00Z", ref) == [], "still snoozed on Friday morning"
    assert reminders(slack, bot, tmp_path, "2026-12-07T14:00Z", ref) == [
        f"sent nudge reminder for {ref} to {CIVIL_USER}"
    ]

    partner_before = len(slack.ephemerals(CIVIL_USER, CIVIL_CHANNEL))
    slack.click(CIVIL_USER, CIVIL_CHANNEL, notice.ts, "reminder.snooze.1")  # the partner is on the item too
    told = slack.wait_for(lambda: slack.ephemerals(CIVIL_USER, CIVIL_CHANNEL)[partner_before:])[-1]
    assert f"No reminders about {ref} until" in visible_text(told)
    assert f"{ref} is now *resolved*." in typed(
        slack, bot, DEFENDER, OFFICE_CHANNEL, "/consult", f"resolve {ref}"
    )
    assert reminders(slack, bot, tmp_path, "2026-12-09T14:00Z", ref) == [], (
        "a resolved consult is never reminded"
    )


def test_the_digest_comes_once_a_day_at_the_local_hour_across_daylight_saving(
    slack: Sandbox, bot: Bot, tmp_path: Path
) -> None:
    assert "Your digest comes at 08:30 (America/New_York) on weekdays." in typed(
        slack, bot, DEFENDER, OFFICE_CHANNEL, "/liaison", "digest on at:8:30"
    )
    before = len(slack.dms(DEFENDER))
    # 8:30 in New York is 13:30 UTC in winter (EST) and 12:30 UTC in summer (EDT).
    for day, utc_time in (("2026-11-27", "13:30"), ("2027-03-12", "13:30"), ("2027-03-15", "12:30")):
        early = datetime.fromisoformat(f"{day}T{utc_time}Z") - timedelta(minutes=1)
        assert DEFENDER not in digests(tick(slack, bot, tmp_path, early.isoformat())), f"before 8:30 on {day}"
        assert f"sent the digest for {day} to {DEFENDER}" in tick(slack, bot, tmp_path, f"{day}T{utc_time}Z")
        assert DEFENDER not in digests(tick(slack, bot, tmp_path, f"{day}T20:00Z")), "once a day"
    assert len(slack.dms(DEFENDER)) - before == 3
    digest = visible_text(slack.dms(DEFENDER)[-1])
    assert "*Liaison digest for Monday, March 15* · times in America/New_York" in digest
    assert "*Agreements expiring within 30 days: 0*" in digest  # the MOU ended in December 2026
    saturday = tick(slack, bot, tmp_path, "2027-03-13T15:00Z")
    assert DEFENDER not in digests(saturday), "weekdays only"
    late = tick(slack, bot, tmp_path, "2027-03-16T21:00Z")  # Liaison was down all morning: still today
    assert f"sent the digest for 2027-03-16 to {DEFENDER}" in late
    # Down all day: at 11:30 PM the missed digest waits, and the next morning's comes at its time.
    assert DEFENDER not in digests(tick(slack, bot, tmp_path, "2027-03-18T03:30Z")), "23:30 local: held"
    assert DEFENDER not in digests(tick(slack, bot, tmp_path, "2027-03-18T11:00Z")), "7 AM: held"
    assert f"sent the digest for 2027-03-18 to {DEFENDER}" in tick(slack, bot, tmp_path, "2027-03-18T12:30Z")
    assert "*Liaison digest for Thursday, March 18*" in visible_text(slack.dms(DEFENDER)[-1])
    assert "No more digests." in typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/liaison", "digest off")
    assert DEFENDER not in digests(tick(slack, bot, tmp_path, "2027-03-17T14:00Z"))


def test_the_digest_counts_what_matters_without_case_numbers(slack: Sandbox, bot: Bot) -> None:
    answer = typed(
        slack, bot, DEFENDER, CIVIL_CHANNEL, "/referral", "need:housing case:24-CR-0999 due:tomorrow Help."
    )
    ref = answer.split("*")[1]
    preview = typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", "digest preview")
    assert "*Liaison digest for" in preview and "times in America/Chicago" in preview
    assert (
        "*Due in the next two business days:" in preview and f"|{ref}> Civil Rights Org, requested" in preview
    )
    assert "*Agreements expiring within 30 days: 1*" in preview
    assert "• Civil Rights Org: its MOU ends on 2026-12-10" in preview
    assert "24-CR-0999" not in preview
    refused = typed(slack, bot, CIVIL_USER, CIVIL_CHANNEL, "/liaison", "digest preview")
    assert "As staff of Civil Rights Org" in refused and "*Liaison digest" not in refused


def test_a_digest_of_300_items_stays_within_slack_limits(slack: Sandbox, bot: Bot, tmp_path: Path) -> None:
    db = Database(bot.db_url, Keyring([DATA_KEY]))
    try:
        with db.session() as session:
            partner_id = session.exec(select(Partner.id).where(Partner.handle == "civil-rights")).one()
            for n in range(300):
                session.add(
                    Consult(
                        partner_id=partner_id,
                        question=f"Question {n}",
                        due_at=datetime(2027, 6, 1, 21, tzinfo=UTC) + timedelta(hours=n),  # no reminders yet
                        requester_id=DEFENDER,
                        channel_id=CIVIL_CHANNEL,
                        card_ts=f"1790000000.{n:06d}",
                    )
                )
    finally:
        db.dispose()
    before = len(slack.dms(ADMIN))
    assert f"sent the digest for 2026-12-15 to {ADMIN}" in tick(slack, bot, tmp_path, "2026-12-15T15:00Z")
    digest = slack.dms(ADMIN)[before]
    assert len(digest.blocks) <= 50 and all(len(b["text"]["text"]) <= 3000 for b in digest.blocks)
    text = visible_text(digest)
    waiting = int(text.split("*Consults waiting for a first answer: ")[1].split("*")[0])
    assert waiting >= 300 and text.count("|C-") <= 6 * 10, "each list shows ten, and counts the rest"
    assert "more: open Liaison's *Home* tab to see them all." in text
    assert text.count("• <") <= 60


def test_a_notice_held_over_the_weekend_is_not_followed_at_once_by_a_nudge(
    slack: Sandbox, bot: Bot, tmp_path: Path
) -> None:
    card = ask(slack, bot, '"dec 4 7pm"')  # Friday evening, after working hours
    ref = card.text.split(" ")[0]
    assert reminders(slack, bot, tmp_path, "2026-12-05T00:30Z", ref) == [], "Friday 7:30 PM: held"
    assert reminders(slack, bot, tmp_path, "2026-12-05T15:00Z", ref) == [], "Saturday: held"
    monday = reminders(slack, bot, tmp_path, "2026-12-07T13:00Z", ref)
    assert f"sent due reminder for {ref} to {CIVIL_USER}" in monday
    assert reminders(slack, bot, tmp_path, "2026-12-07T13:01Z", ref) == [], "no nudge right after the notice"
    assert reminders(slack, bot, tmp_path, "2026-12-08T13:00Z", ref) == [
        f"sent nudge reminder for {ref} to {CIVIL_USER}"
    ]
    assert "is still open, 2 business days past due." in visible_text(thread(slack, card)[-1])


def test_a_reminder_claimed_by_a_process_that_stopped_is_sent_later(
    slack: Sandbox, bot: Bot, tmp_path: Path
) -> None:
    """A claim is taken before a send; a process killed between the two leaves it unsent. Once the claim
    is older than any send could take, the next tick sends the reminder; a younger one is left alone."""
    card = ask(slack, bot, "2026-12-22")
    ref = card.text.split(" ")[0]
    key = date(2026, 12, 22)
    db = Database(bot.db_url, Keyring([DATA_KEY]))
    try:
        with db.session() as session:
            session.add(
                ReminderSent(item=ref, kind=ReminderKind.before, day=key, claimed_at=_at("2026-12-21T22:05Z"))
            )
        assert reminders(slack, bot, tmp_path, "2026-12-21T22:06Z", ref) == [], "someone is sending it"
        assert reminders(slack, bot, tmp_path, "2026-12-21T22:20Z", ref) == [
            f"sent before reminder for {ref} to {CIVIL_USER}"
        ]
        with db.session() as session:
            row = session.exec(select(ReminderSent).where(ReminderSent.item == ref)).one()
            assert row.sent_at is not None
    finally:
        db.dispose()


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_every_reminder_about_a_do_not_contact_referral_says_so(
    slack: Sandbox, bot: Bot, tmp_path: Path
) -> None:
    answer = typed(
        slack, bot, DEFENDER, CIVIL_CHANNEL, "/referral", "need:housing dnc:yes due:2026-12-29 Help."
    )
    ref = answer.split("*")[1]
    card = [m for m in slack.messages(CIVIL_CHANNEL) if m.text.startswith(f"{ref} ·")][-1]
    assert reminders(slack, bot, tmp_path, "2026-12-28T22:00Z", ref) == [
        f"sent before reminder for {ref} to {CIVIL_USER}"
    ]
    assert thread(slack, card)[-1].text.endswith(":no_entry: Do not contact the client directly.")
