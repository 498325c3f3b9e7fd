"""The evaluation's edges, through the real bot on SQLite and PostgreSQL (the fixtures of
tests/test_evaluation.py): periods beyond the calendar, a partner's name a spreadsheet would run, shares
that would give away a count below 5, a CSV upload refused after the report went, a quiet period with only
standing state, a report too long for one Slack message, a contact of two partners, and one feedback form
submitted eight times at once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.sandbox import Message, Sandbox, View, visible_text
from bot.sandbox.driver import Delivery
from storage.evaluation_tables import Feedback
from storage.item_tables import Referral, ReferralStatus
from storage.library_tables import Resource
from storage.measures_features import feedback_measures
from storage.models import AuditEntry, Partner, PartnerKind
from storage.report_periods import read_period
from storage.training_tables import Rsvp, TrainingSession
from tests.databases import BACKENDS
from tests.inprocess import InProcessBot, in_process_bot
from tests.office import (
    ADMIN,
    CIVIL_USER,
    DEFENDER,
    OFFICE_CHANNEL,
    PARTNER_USER,
    SHARED_CHANNEL,
    fill_form,
    office,
)
from tests.office import command as typed
from tests.test_evaluation import (
    REPORT_SECONDS,
    _csv,
    _partner,
    _reports,
    _told,
    at,
    seed_november,
    seed_october,
    set_up,
)


@pytest.fixture
def slack() -> Iterator[Sandbox]:
    with office() as sandbox:
        yield sandbox


@pytest.fixture(params=BACKENDS)
def bot(request: pytest.FixtureRequest, slack: Sandbox, tmp_path: Path) -> Iterator[InProcessBot]:
    with in_process_bot(slack, tmp_path, request.param) as running:
        set_up(slack, running)
        yield running


FIRST_OFFICE_DAY = datetime(2026, 12, 1, 14, 30, tzinfo=UTC)  # Tuesday, 9:30 AM in New York


def _report(slack: Sandbox, bot: InProcessBot, line: str, user: str = ADMIN) -> str:
    said = typed(slack, bot, user, OFFICE_CHANNEL, "/liaison", line, timeout=REPORT_SECONDS)
    assert "Sorry" not in said and "went wrong" not in said, (line, said)
    return said


def test_periods_past_the_calendar_are_answered_and_a_future_end_is_today(
    slack: Sandbox, bot: InProcessBot
) -> None:
    seed_october(bot)
    for line, expected in (
        ("report period:9999-12", "December 9999 has not begun yet; give a period up to today."),
        ("report period:9999-Q4", "9999-Q4 (October 1 to December 31, 9999) has not begun yet"),
        ("report from:9999-12-31", "`from:9999-12-31` has not begun yet; give a period up to today."),
        ("report period:0000-01", "`period:0000-01` is before anything Liaison keeps"),
    ):
        said = _report(slack, bot, line)
        assert said.startswith(expected), (line, said)

    said = _report(slack, bot, "report from:2026-10-01 to:9999-12-31")
    assert said.startswith("Your report for October 1, 2026 to November 24, 2026 (so far) is in your"), said
    report = _reports(slack, ADMIN)[-1]
    shown = visible_text(report)
    assert "period October 1 to November 24, 2026, office days" in shown, shown
    assert "Referrals sent: *6*" in shown
    (flow,) = [b for b in report.blocks or [] if b["type"] == "image" and "each week" in b["title"]["text"]]
    # Monday September 28 to Monday November 23: nine weeks, not the 417,000 to the year 9999.
    assert flow["alt_text"].count("week of") == 9, flow["alt_text"]
    assert flow["alt_text"].rstrip(".").endswith("week of November 23: none sent"), flow["alt_text"]
    rows = {r["measure"]: r["value"] for r in _csv(slack, ADMIN) if r["scope"] == "report"}
    assert rows["to"] == "2026-11-24"

    said = _report(slack, bot, "report period:2026-Q4")  # begun, not ended: to today, so far
    assert said.startswith("Your report for 2026-Q4 (October 1 to December 31, 2026) (so far)"), said
    assert "period October 1 to November 24, 2026" in visible_text(_reports(slack, ADMIN)[-1])


def test_a_partner_named_like_a_formula_is_inert_in_the_csv(slack: Sandbox, bot: InProcessBot) -> None:
    for line in ('partner edit civil name:"=1+2 Civil"', 'partner edit legal-aid name:"@SUM(1+1)"'):
        assert "Sorry" not in typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", line)
    seed_october(bot)
    _report(slack, bot, "report period:2026-10")
    scopes = {r["scope"] for r in _csv(slack, ADMIN)}
    assert {"'=1+2 Civil", "'@SUM(1+1)"} <= scopes, scopes
    assert not [s for s in scopes if s[:1] in ("=", "+", "-", "@")], scopes
    _report(slack, bot, "report period:2026-10 partner:civil")
    assert {r["scope"] for r in _csv(slack, ADMIN) if r["scope"] != "report"} == {"'=1+2 Civil"}


def _seed_six_one_overdue(bot: InProcessBot, overdue: int) -> None:
    """Six November referrals to Legal Aid Society, `overdue` of them past their due date by December."""
    with bot.db.session() as session:
        pid = _partner(session, "legal-aid")
        for i in range(6):
            sent = at(2 + i, month=11)
            due = at(10, month=11) if i < overdue else sent + timedelta(days=40)
            session.add(Referral(partner_id=pid, requester_id=DEFENDER, channel_id=SHARED_CHANNEL,
                                 card_ts="1.1", need="housing", details="seeded",
                                 status=ReferralStatus.requested, created_at=sent, updated_at=sent,
                                 due_at=due))  # fmt: skip


def test_a_share_leaving_the_office_does_not_give_away_a_small_count(
    slack: Sandbox, bot: InProcessBot
) -> None:
    _seed_six_one_overdue(bot, overdue=1)
    bot.tick(FIRST_OFFICE_DAY)
    (legal,) = _reports(slack, PARTNER_USER)
    shown = visible_text(legal)
    assert "Referrals sent: *6*" in shown, shown
    assert "Overdue: *fewer than 5 of 6*" in shown and "17%" not in shown, shown
    assert "overdue: fewer than 5 of 6" in shown  # the summary too
    rows = {r["measure"]: r for r in _csv(slack, PARTNER_USER)}
    assert rows["referrals_overdue_share"]["value"] == "fewer than 5 of 6"
    # A count below 5 is not given away by the column saying what it is computed from, either.
    assert rows["referrals_accepted"]["value"] == "fewer than 5"
    assert rows["referrals_accepted"]["based_on"] == "fewer than 5"
    # The office's own report shows the share as it is.
    office = visible_text(_reports(slack, DEFENDER)[-1])
    assert "Overdue: *17% of 6*" in office, office


def test_a_share_whose_rest_is_small_is_not_shown_outside_the_office(
    slack: Sandbox, bot: InProcessBot
) -> None:
    _seed_six_one_overdue(bot, overdue=5)  # 83% of 6: one not overdue
    bot.tick(FIRST_OFFICE_DAY)
    shown = visible_text(_reports(slack, PARTNER_USER)[-1])
    assert "Overdue: *all but fewer than 5 of 6*" in shown and "83%" not in shown, shown
    rows = {r["measure"]: r["value"] for r in _csv(slack, PARTNER_USER)}
    assert rows["referrals_overdue_share"] == "all but fewer than 5 of 6"


def test_a_quiet_period_with_only_standing_state_says_nothing_was_recorded(
    slack: Sandbox, bot: InProcessBot
) -> None:
    with bot.db.session() as session:
        session.add(Resource(kind="brief", title="Bail brief", summary="s", author_id=DEFENDER,
                             author_org="office", owner_id=DEFENDER, last_verified=date(2025, 1, 1),
                             review_months=6, review_due=date(2025, 7, 1),
                             created_at=datetime(2025, 1, 1, tzinfo=UTC),
                             updated_at=datetime(2025, 1, 1, tzinfo=UTC)))  # fmt: skip
        training = TrainingSession(title="Bail hearings", starts_at=at(10, month=9), minutes=60,
                                   place="Room 2", audience="agreement", organizer_id=DEFENDER)  # fmt: skip
        session.add(training)
        session.flush()
        assert training.id is not None
        session.add(Rsvp(training_id=training.id, user_id=PARTNER_USER, org="legal-aid", answer="going",
                         checked_in_at=at(10, month=9)))  # fmt: skip

    said = _report(slack, bot, "report period:2026-08")  # only the entry due for review, standing
    assert said.startswith("Nothing was recorded in August 2026"), said
    report = _reports(slack, ADMIN)[-1]
    assert "Nothing was recorded in this period" in visible_text(report)
    assert not [b for b in report.blocks or [] if b["type"] == "image"]

    # September: a session Legal Aid Society's people came to; nothing of Civil Rights Org's.
    said = _report(slack, bot, "report period:2026-09 partner:civil")
    assert said.startswith("Nothing was recorded in September 2026"), said
    said = _report(slack, bot, "report period:2026-09 partner:legal-aid")
    assert said.startswith("Your report for September 2026"), said
    assert "Attendance: *1*" in visible_text(_reports(slack, ADMIN)[-1])


def _csv_refused(slack: Sandbox) -> None:
    slack.fail("files.getUploadURLExternal", status=200, error="invalid_arguments", times=None,
               where=lambda args: str(args.get("filename", "")).endswith(".csv"))  # fmt: skip


def test_a_refused_csv_does_not_send_the_monthly_report_twice(slack: Sandbox, bot: InProcessBot) -> None:
    seed_november(bot)
    _csv_refused(slack)
    everyone = sorted((ADMIN, DEFENDER, PARTNER_USER, CIVIL_USER))
    assert _monthly(bot.tick(FIRST_OFFICE_DAY)) == [
        f"sent the monthly report for 2026-11 to {user}" for user in everyone
    ]
    slack.clear_faults()
    assert _monthly(bot.tick(FIRST_OFFICE_DAY + timedelta(hours=1))) == []  # Slack is well again: no resend
    assert _monthly(bot.tick(FIRST_OFFICE_DAY + timedelta(days=2))) == []
    for user in everyone:
        assert len(_reports(slack, user)) == 1, user
        assert not [m for m in slack.dms(user) if m.files], user
    (office,) = [t for t in _told(slack, DEFENDER) if "could not be attached" in t]
    assert office.startswith("The CSV of the monthly report for 2026-11 could not be attached"), office
    assert "ask for it with `/liaison report period:2026-11`" in office, office
    (partner,) = [t for t in _told(slack, PARTNER_USER) if "could not be attached" in t]
    assert "the office's coordinators can send it to you" in partner, partner

    _csv_refused(slack)  # asked for by hand: the report is there, and the answer says the CSV is not
    said = typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", "report period:2026-11")
    assert said.startswith(
        "Your report for November 2026 (so far) is in your direct messages with Liaison, but Slack would not "
        "take its CSV (invalid_arguments)."
    ), said
    assert len(_reports(slack, ADMIN)) == 2


def _monthly(lines: list[str]) -> list[str]:
    return sorted(line for line in lines if "monthly report" in line)


def test_a_contact_of_two_partners_gets_each_partners_report_once(slack: Sandbox, bot: InProcessBot) -> None:
    seed_november(bot)
    said = typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison",
                 f"partner edit civil contacts:<@{CIVIL_USER}>,<@{PARTNER_USER}>")  # fmt: skip
    assert "Sorry" not in said and "Usage" not in said, said
    sent = _monthly(bot.tick(FIRST_OFFICE_DAY))
    assert sent.count(f"sent the monthly report for 2026-11 to {PARTNER_USER}") == 2, sent
    assert _monthly(bot.tick(FIRST_OFFICE_DAY + timedelta(hours=1))) == []
    firsts = sorted(visible_text(r).splitlines()[0] for r in _reports(slack, PARTNER_USER))
    assert firsts == [
        "*Partnership report for Civil Rights Org: November 2026*",
        "*Partnership report for Legal Aid Society: November 2026*",
    ], firsts
    assert len(_reports(slack, CIVIL_USER)) == 1


def test_a_report_of_650_partners_goes_whole_over_several_messages(slack: Sandbox, bot: InProcessBot) -> None:
    with bot.db.session() as session:
        for i in range(650):
            partner = Partner(handle=f"p{i:03d}", name=f"Partner number {i:03d} of the county",
                              kind=PartnerKind.legal_aid, scope=["referral"])  # fmt: skip
            session.add(partner)
            session.flush()
            assert partner.id is not None
            sent = at(5 + i % 20)
            session.add(Referral(partner_id=partner.id, requester_id=DEFENDER, channel_id=SHARED_CHANNEL,
                                 card_ts="1.1", need="housing", details="seeded",
                                 status=ReferralStatus.accepted, created_at=sent, updated_at=sent,
                                 due_at=sent + timedelta(days=40),
                                 first_response_at=sent + timedelta(hours=1 + i % 7)))  # fmt: skip
    _report(slack, bot, "report period:2026-10")
    parts = _reports(slack, ADMIN)
    assert len(parts) > 1, "650 partners' lines do not fit in one message's 50 blocks"
    assert [m.text.rsplit(" ", 1)[-1] for m in parts] == [f"{len(parts)})"] * len(parts)
    for part in parts:
        assert len(part.blocks or []) <= 50
        sections = [b["text"]["text"] for b in part.blocks or [] if b["type"] == "section"]
        assert all(len(text) <= 3000 for text in sections)
    shown = "\n".join(visible_text(part) for part in parts)
    named = [line.split("*")[1] for line in shown.splitlines() if line.startswith("• *Partner number")]
    assert named == [f"Partner number {i:03d} of the county" for i in range(650)]  # each once, in order
    assert "The numbers are in the CSV beside this message; the charts are below." in visible_text(parts[-1])
    images = [b for b in parts[-1].blocks or [] if b["type"] == "image"]
    assert len(images) == 3  # under the last part, after all the text
    assert images[1]["title"]["text"] == "Time to first response, the 8 busiest of 650 partners"
    by_partner = [r for r in _csv(slack, ADMIN) if r["section"] == "By partner"]
    assert len({r["scope"] for r in by_partner}) == 650


def test_one_feedback_form_submitted_eight_times_at_once_is_saved_once(
    slack: Sandbox, bot: InProcessBot
) -> None:
    ref, _card = _completed(slack, bot)
    view = _feedback_form(slack, PARTNER_USER, ref)
    before = len(_told(slack, PARTNER_USER))
    # Eight submissions of the one open form, made before any is answered (a double click on Send, a
    # retry), then delivered together over HTTP: the first answer closes the form, so they are built first.
    lee = slack.workspace.user(PARTNER_USER)
    assert lee is not None
    with slack.workspace.lock:
        payloads = []
        for i in range(8):
            said = {"rating": {"value": str(1 + i % 5)}, "comment": {"value": f"Rated {1 + i % 5}."}}
            payloads.append(
                slack.payloads.view_submission(lee, view, slack.payloads.state_values(view, said))
            )
    results: list[Delivery] = []
    start = threading.Barrier(8)

    def submit(payload: object) -> None:
        start.wait()
        results.append(slack.driver.deliver("interactive", payload, "http"))

    threads = [threading.Thread(target=submit, args=(payload,)) for payload in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8 and all(r.acked for r in results), results
    slack.wait_for(lambda: len(_told(slack, PARTNER_USER)[before:]) >= 8, message="an answer to each")
    bot.settle()
    told = _told(slack, PARTNER_USER)[before:]
    saved = [t for t in told if t.startswith(f"Thank you: your rating of {ref} is saved.")]
    already = [t for t in told if t.startswith(f"You answered about {ref} already")]
    assert len(saved) == 1 and len(already) == 7 and len(told) == 8, told
    with bot.db.session() as session:
        (row,) = session.exec(select(Feedback).where(Feedback.item == ref, Feedback.user_id == PARTNER_USER))
        audited = session.exec(select(AuditEntry).where(AuditEntry.action == "feedback.answer")).all()
    assert len(audited) == 1, audited
    assert row.comment == f"Rated {row.rating}." and row.answered_at is not None


def test_feedback_on_a_referral_marked_entered_in_error_is_neither_taken_nor_counted(
    slack: Sandbox, bot: InProcessBot
) -> None:
    ref, card = _completed(slack, bot)
    view = _feedback_form(slack, PARTNER_USER, ref)
    _feedback_form(slack, DEFENDER, ref)  # the requester rates it first
    fill_form(slack, DEFENDER, {"rating": {"value": "2"}})
    bot.settle()
    assert _office_rating(bot) == (2, 1)
    # Meanwhile the requester finds the referral was never the partner's to complete.
    assert slack.click(DEFENDER, SHARED_CHANNEL, card.ts, "referral.move.entered-in-error").acked
    fill_form(slack, DEFENDER, {"reason": {"value": "duplicate"}})
    bot.settle()
    before = len(_told(slack, PARTNER_USER))
    said = {"rating": {"value": "5"}, "comment": {"value": "Went well."}}
    assert slack.submit_view(PARTNER_USER, view.id, said).acked
    told = slack.wait_for(lambda: _told(slack, PARTNER_USER)[before:], message="the answer")
    assert told[-1] == f"{ref} was marked as entered in error since, so Liaison takes no rating for it.", told
    with bot.db.session() as session:
        (row,) = session.exec(select(Feedback).where(Feedback.item == ref, Feedback.user_id == PARTNER_USER))
    assert row.answered_at is None and row.rating is None
    assert _office_rating(bot) == (None, 0)  # nor is the rating given before


def _office_rating(bot: InProcessBot) -> tuple[float | None, int]:
    period = read_period("2026-11", None, None, ZoneInfo("America/New_York"), bot.db.clock())
    with bot.db.session() as session:
        (rating,) = [m for m in feedback_measures(session, period, None) if m.key == "feedback_office_rating"]
    return rating.value, rating.basis


def _completed(slack: Sandbox, bot: InProcessBot) -> tuple[str, Message]:
    """A referral the partner accepted and completed, and the next tick's feedback prompts sent."""
    answer = typed(slack, bot, DEFENDER, SHARED_CHANNEL, "/referral", "need:housing Client faces eviction.")
    ref = answer.split("*")[1]
    card = next(m for m in slack.messages(SHARED_CHANNEL) if f"{ref} · Referral" in m.text)
    for move in ("accepted", "completed"):
        assert slack.click(PARTNER_USER, SHARED_CHANNEL, card.ts, f"referral.move.{move}").acked
        if move == "completed":
            fill_form(slack, PARTNER_USER, {"note": {"value": "Housed."}})
        bot.settle()
    assert f"asked {PARTNER_USER} about {ref}" in bot.tick(datetime(2026, 11, 24, 16, tzinfo=UTC))
    return ref, card


def _feedback_form(slack: Sandbox, user: str, ref: str) -> View:
    """The "How did this go?" form about `ref`, opened from the person's prompt."""
    (prompt,) = [m for m in slack.dms(user) if f"How did {ref} go?" in m.text]
    assert slack.click(user, prompt.channel, prompt.ts, "evaluation.feedback").acked
    (view,) = slack.wait_for(lambda: slack.open_views(user), message="the feedback form")
    return view
