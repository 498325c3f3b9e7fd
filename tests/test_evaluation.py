"""Evaluating the partnership through the real bot, on SQLite and PostgreSQL: a month of activity seeded
with known moments gives a report whose every figure is checked against a count by hand; its charts are
PNGs uploaded privately and shown by image blocks; the monthly report goes once to each coordinator and
to each partner's contact with only that partner's numbers and small counts suppressed; a closed referral
asks both sides "How did this go?" once; bad periods and partners get clear private answers.

The month is written straight into the tables (as bench/office.py does for 100,000 items): the moments
a report measures are days apart, and the bot's clock cannot be wound back to make them."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image as PILImage

from bot.sandbox import Message, Sandbox, visible_text
from storage.item_tables import Advocacy, Consult, Referral
from storage.models import ItemEvent, Partner
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
    Bot,
    fill_form,
    office,
)
from tests.office import command as typed

CIVIL_CHANNEL = "C0CIVIL"


# How long a report may take to be answered: it draws its charts and uploads them first, on a machine
# that runs the other tests beside it.
REPORT_SECONDS = 30.0


def at(day: int, hour: int = 14, month: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def set_up(slack: Sandbox, bot: Bot) -> None:
    slack.add_channel(CIVIL_CHANNEL, "civil-shared", members=[DEFENDER, ADMIN, CIVIL_USER])
    for line in (
        f'partner add legal-aid name:"Legal Aid Society" kind:legal_aid team:{PARTNER_TEAM} '
        f"scope:referral,consult contacts:<@{PARTNER_USER}>",
        f"channel link <#{SHARED_CHANNEL}|legal> legal-aid",
        f'partner add civil name:"Civil Rights Org" kind:civil_rights team:{CIVIL_TEAM} '
        f"scope:referral,consult contacts:<@{CIVIL_USER}>",
        f"channel link <#{CIVIL_CHANNEL}|civil> civil",
        "role <@U0DEF> coordinator",
    ):
        answer = typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", line)
        assert "Sorry" not in answer and "did not expect" not in answer, answer


@pytest.fixture
def slack() -> Iterator[Sandbox]:
    with office() as sandbox:
        yield sandbox


@pytest.fixture(params=BACKENDS)
def bot(request: pytest.FixtureRequest, slack: Sandbox, tmp_path: Path) -> Iterator[InProcessBot]:
    with in_process_bot(slack, tmp_path, request.param) as running:
        set_up(slack, running)
        yield running


def seed_october(bot: InProcessBot) -> None:
    """October 2026: eight referrals (six count), three consults, three action items. The figures each
    test expects are counted by hand from this list, in the comments."""
    with bot.db.session() as session:
        legal, civil = _partner(session, "legal-aid"), _partner(session, "civil")

        def referral(
            pid: int,
            sent: datetime,
            due: datetime,
            status: str,
            moves: list[tuple[str, datetime, str | None]],
        ) -> None:
            first = next((when for _to, when, _why in moves if _to != "cancelled"), None)
            row = Referral(partner_id=pid, requester_id=DEFENDER, channel_id=SHARED_CHANNEL, card_ts="1.1",
                           need="housing", details="seeded", status=status, created_at=sent, updated_at=sent,
                           due_at=due, first_response_at=first)  # fmt: skip
            session.add(row)
            session.flush()
            before = "requested"
            for to, when, why in moves:
                session.add(ItemEvent(item=row.ref, at=when, actor_user_id=PARTNER_USER, from_status=before,
                                      to_status=to, reason_code=why))  # fmt: skip
                before = to

        # answered in 2 h by accepting, completed before its due date.
        referral(
            legal, at(5), at(10), "completed", [("accepted", at(5, 16), None), ("completed", at(9), None)]
        )
        # rejected 4 h after sending, for no capacity.
        referral(legal, at(6), at(8), "rejected", [("rejected", at(6, 18), "no-capacity")])
        # accepted after 10 h, still in progress past its due date of October 20: overdue.
        referral(
            legal,
            at(12),
            at(20),
            "in-progress",
            [("accepted", at(13, 0), None), ("in-progress", at(14), None)],
        )
        # never answered, due October 27: overdue.
        referral(civil, at(20), at(27), "requested", [])
        # accepted after 1 h, could not complete on October 30, after its due date of the 25th: overdue.
        referral(civil, at(21), at(25), "failed", [("accepted", at(21, 15), None), ("failed", at(30), None)])
        # sent in September: not October's.
        referral(legal, at(30, month=9), at(5), "requested", [])
        # entered in error: left out.
        referral(legal, at(15), at(22), "entered-in-error", [("entered-in-error", at(15, 15), None)])
        # cancelled by the office, no answer.
        referral(legal, at(16), at(23), "cancelled", [("cancelled", at(16, 15), None)])
        for pid, sent, due, answered in (
            (legal, at(7), at(9), at(8)),  # answered on time, 24 h
            (civil, at(8), at(10), at(12)),  # late, 96 h
            (legal, at(9), at(14), None),  # unanswered
        ):
            session.add(Consult(partner_id=pid, requester_id=DEFENDER, channel_id=SHARED_CHANNEL,
                                card_ts="1.2", question="seeded", status="open", created_at=sent,
                                updated_at=sent, due_at=due, first_response_at=answered))  # fmt: skip
        for campaign, status in (("bail-reform", "done"), ("bail-reform", "open"), (None, "dropped")):
            session.add(Advocacy(title="Comment on the bail rule", campaign=campaign, owners=[DEFENDER],
                                 requester_id=DEFENDER, channel_id=OFFICE_CHANNEL, card_ts="1.3",
                                 status=status, created_at=at(3), updated_at=at(3),
                                 due_at=at(28)))  # fmt: skip


def _partner(session: object, handle: str) -> int:
    from sqlmodel import Session, select

    assert isinstance(session, Session)
    found = session.exec(select(Partner).where(Partner.handle == handle)).one()
    assert found.id is not None
    return found.id


def _reports(slack: Sandbox, user: str) -> list[Message]:
    return [
        m
        for m in slack.dms(user)
        if m.text.startswith("*Partnership report") or "Partnership report" in m.text
    ]


def _csv(slack: Sandbox, user: str) -> list[dict[str, str]]:
    message = [m for m in slack.dms(user) if m.files][-1]
    upload = slack.file(message.files[0])
    assert upload is not None and upload.content is not None and upload.filename.endswith(".csv")
    return list(csv.DictReader(io.StringIO(upload.content.decode())))


def test_a_month_reported_matches_the_count_by_hand(slack: Sandbox, bot: InProcessBot) -> None:
    seed_october(bot)
    line = "report period:2026-10"
    said = typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", line, timeout=REPORT_SECONDS)
    assert said.startswith(
        "Your report for October 2026 is in your direct messages with Liaison, with a CSV."
    ), said
    (report,) = _reports(slack, ADMIN)
    shown = visible_text(report)
    assert f"Asked for by <@{ADMIN}>" in shown and "period October 1 to October 31, 2026" in shown, shown
    for expected in (
        "Referrals sent: *6*",  # R-1, 2, 3, 4, 5 and 8
        "Accepted: *3*",  # R-1, 3, 5
        "Rejected: *1*",
        "Rejected: no-capacity: *1*",
        "Completed: *1*",
        "Could not complete: *1*",
        "Cancelled: *1*",
        "Overdue: *50% of 6*",  # R-3, 4, 5
        "Time to first response, median: *3.0 hours*",  # 1, 2, 4, 10
        "Time to first response, 90th percentile: *8.2 hours*",  # 4 + 0.7 × (10 − 4)
        "Time to acceptance, median: *2.0 hours*",  # 1, 2, 10
        "Consults sent: *3*",
        "Answered on time: *33% of 3*",
        "Time to answer, median: *60.0 hours*",  # 24 and 96
        "Action items, bail-reform: *2*",
        "Done, bail-reform: *1*",
        "Dropped, no campaign: *1*",
        "*Legal Aid Society*: Referrals sent 4 · Accepted 2 · Rejected 1 · Completed 1",
        "*Civil Rights Org*: Referrals sent 2 · Accepted 1 · Rejected 0 · Completed 0",
    ):
        assert expected in shown, f"{expected!r} not in the report:\n{shown}"
    assert "_Referrals created in the period (any later marked entered in error are left out)._" in shown
    rows = {(r["scope"], r["measure"]): r for r in _csv(slack, ADMIN)}
    assert rows[("overall", "referrals_sent")]["value"] == "6"
    assert rows[("overall", "referrals_overdue_share")]["value"] == "0.500"
    assert rows[("Civil Rights Org", "referrals_sent")]["value"] == "2"
    assert rows[("report", "asked_by")]["value"] == ADMIN

    images = [b for b in report.blocks or [] if b["type"] == "image"]
    assert [b["title"]["text"] for b in images] == [
        "Referrals sent each week, by where they stand now",
        "Time to first response, by partner",
        "Open items by age",
    ]
    for block in images:
        upload = slack.file(block["slack_file"]["id"])
        assert upload is not None and upload.content is not None and upload.completed
        picture = PILImage.open(io.BytesIO(upload.content))
        assert picture.format == "PNG" and picture.size == (800, 400)
    assert "week of October 19: 2 sent (1 waiting, 1 could not complete)" in images[0]["alt_text"]
    assert "Legal Aid Society: median 4.0 hours over 3 referrals" in images[1]["alt_text"]


def test_one_partner_and_the_bad_periods(slack: Sandbox, bot: InProcessBot) -> None:
    seed_october(bot)
    line = "report period:2026-Q4 partner:civil"
    said = typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/liaison", line, timeout=REPORT_SECONDS)
    assert said.startswith("Your report for 2026-Q4 (October 1 to December 31, 2026) (so far)"), said
    shown = visible_text(_reports(slack, DEFENDER)[-1])
    assert "*Partnership report for Civil Rights Org" in shown and "Referrals sent: *2*" in shown, shown
    assert "Legal Aid Society" not in shown and "Policy advocacy" not in shown
    for typed_text, expected in (
        ("report period:someday", "`period:someday` is not a period Liaison knows. Try `last-month`"),
        ("report period:2026-13", "`period:2026-13` has no month 13"),
        (
            "report from:2026-10-15 to:2026-10-01",
            "`to:2026-10-01` comes before `from:2026-10-15`; swap them.",
        ),
        ("report from:2026-10-xx", "`from:2026-10-xx` is not a date; write it as YYYY-MM-DD."),
        ("report period:2027-03", "March 2027 has not begun yet"),
        ("report partner:civl", "There is no partner `civl`. Did you mean `civil`?"),
        ("report period:2026-10 from:2026-10-01", "Give either `period:` or `from:`/`to:`, not both."),
    ):
        answer = typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", typed_text)
        assert answer.startswith(expected), (typed_text, answer)
    refused = typed(slack, bot, PARTNER_USER, SHARED_CHANNEL, "/liaison", "report")
    assert "see the partnership's reports" in refused, refused
    empty = typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", "report period:2025-06")
    assert empty.startswith("Nothing was recorded in June 2025; your direct messages with Liaison say so."), (
        empty
    )
    told = visible_text(_reports(slack, ADMIN)[-1])
    assert "Nothing was recorded in this period" in told
    assert not [b for b in _reports(slack, ADMIN)[-1].blocks or [] if b["type"] == "image"], "no empty charts"


def seed_november(bot: InProcessBot) -> None:
    """Three referrals to Legal Aid Society (a count below 5), six to Civil Rights Org."""
    with bot.db.session() as session:
        for handle, n in (("legal-aid", 3), ("civil", 6)):
            pid = _partner(session, handle)
            for i in range(n):
                sent = at(2 + i, month=11)
                session.add(Referral(partner_id=pid, requester_id=DEFENDER, channel_id=SHARED_CHANNEL,
                                     card_ts="1.1", need="housing", details="seeded", status="requested",
                                     created_at=sent, updated_at=sent,
                                     due_at=sent + timedelta(days=30)))  # fmt: skip


def _monthly(lines: list[str]) -> list[str]:
    return sorted(line for line in lines if "monthly report" in line)


def test_the_monthly_report_goes_once_each_and_partners_see_only_their_own(
    slack: Sandbox, bot: InProcessBot
) -> None:
    seed_november(bot)
    first_office_day = datetime(2026, 12, 1, 14, 30, tzinfo=UTC)  # Tuesday, 9:30 AM in New York
    assert _monthly(bot.tick(first_office_day - timedelta(days=1))) == []  # Monday, November 30
    assert _monthly(bot.tick(first_office_day - timedelta(hours=2))) == []  # 7:30 AM: not yet
    assert _monthly(bot.tick(first_office_day)) == [
        f"sent the monthly report for 2026-11 to {user}"
        for user in sorted((ADMIN, DEFENDER, PARTNER_USER, CIVIL_USER))
    ]
    assert _monthly(bot.tick(first_office_day + timedelta(hours=1))) == []  # once
    assert _monthly(bot.tick(first_office_day + timedelta(days=2))) == []

    office = visible_text(_reports(slack, DEFENDER)[-1])
    assert "Liaison's monthly report" in office and "Referrals sent: *9*" in office, office
    assert "*Legal Aid Society*: Referrals sent 3" in office  # inside the office, every count is shown
    assert len([b for b in _reports(slack, DEFENDER)[-1].blocks or [] if b["type"] == "image"]) == 3

    (legal,) = _reports(slack, PARTNER_USER)
    legal_text = visible_text(legal)
    assert "*Partnership report for Legal Aid Society: November 2026*" in legal_text, legal_text
    assert "Referrals sent: *fewer than 5*" in legal_text and "Civil Rights Org" not in legal_text
    assert "Overdue: *not shown: from fewer than 5*" in legal_text
    assert not [b for b in legal.blocks or [] if b["type"] == "image"], "no charts leave the office"
    rows = {r["measure"]: r["value"] for r in _csv(slack, PARTNER_USER)}
    assert rows["referrals_sent"] == "fewer than 5" and rows["referrals_accepted"] == "fewer than 5"

    (civil,) = _reports(slack, CIVIL_USER)
    civil_text = visible_text(civil)
    assert "Referrals sent: *6*" in civil_text and "Legal Aid Society" not in civil_text, civil_text
    assert "Comments" not in civil_text


def test_a_closed_referral_asks_both_sides_once(slack: Sandbox, bot: InProcessBot) -> None:
    answer = typed(slack, bot, DEFENDER, SHARED_CHANNEL, "/referral", "need:housing Client faces eviction.")
    ref = answer.split("*")[1]
    card = next(m for m in slack.messages(SHARED_CHANNEL) if f"{ref} · Referral" in m.text)
    for move in ("accepted", "completed"):
        assert slack.click(PARTNER_USER, SHARED_CHANNEL, card.ts, f"referral.move.{move}").acked
        if move == "completed":
            fill_form(slack, PARTNER_USER, {"note": {"value": "Housed."}})
        bot.settle()
    later = datetime.fromisoformat("2026-11-24T16:00:00+00:00")
    assert sorted(line for line in bot.tick(later) if "asked" in line) == [
        f"asked {DEFENDER} about {ref}",
        f"asked {PARTNER_USER} about {ref}",
    ]
    assert not [line for line in bot.tick(later + timedelta(minutes=5)) if "asked" in line]
    (prompt,) = [m for m in slack.dms(PARTNER_USER) if f"How did {ref} go?" in m.text]
    assert "Housed" not in visible_text(prompt) and "eviction" not in visible_text(prompt)

    def rate(rating: str | None, comment: str) -> str:
        before = len(_told(slack, PARTNER_USER))
        assert slack.click(PARTNER_USER, prompt.channel, prompt.ts, "evaluation.feedback").acked
        if rating is not None:
            fill_form(slack, PARTNER_USER, {"rating": {"value": rating}, "comment": {"value": comment}})
        told = slack.wait_for(lambda: _told(slack, PARTNER_USER)[before:], message="an answer")
        bot.settle()
        return told[-1]

    assert rate("4", "Client SSN is 123-45-6789").startswith("Liaison can't post these words as they are")
    assert rate("4", "Quick and clear.").startswith(f"Thank you: your rating of {ref} is saved.")
    assert rate(None, "").startswith(f"You answered about {ref} already (4 of 5)")
    typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", "report period:this-month")
    shown = visible_text(_reports(slack, ADMIN)[-1])
    assert "Referral rating by partner staff: *4.0 of 5, from 1 answers*" in shown, shown
    assert f"• {ref}, partner, 4 of 5: “Quick and clear.”" in shown


def _told(slack: Sandbox, user: str) -> list[str]:
    told = [(e.ts, visible_text(e)) for e in slack.ephemerals(user)]
    told += [(m.ts, visible_text(m)) for m in slack.dms(user)]
    return [text for _ts, text in sorted(told)]


def test_the_quarterly_survey_goes_to_both_sides_once(slack: Sandbox, bot: InProcessBot) -> None:
    quarter_begun = datetime(2027, 1, 5, 15, 0, tzinfo=UTC)  # Tuesday of the quarter's first week, 10 AM
    sent = sorted(line for line in bot.tick(quarter_begun) if "survey" in line)
    assert sent == [
        f"sent the survey for 2027-Q1 to {u}" for u in sorted((ADMIN, DEFENDER, PARTNER_USER, CIVIL_USER))
    ]
    assert not [line for line in bot.tick(quarter_begun + timedelta(hours=1)) if "survey" in line]
    (survey,) = [m for m in slack.dms(CIVIL_USER) if "survey for 2027-Q1" in m.text]
    assert slack.click(CIVIL_USER, survey.channel, survey.ts, "evaluation.survey").acked
    fill_form(slack, CIVIL_USER, {"working": {"value": "5"}, "responsive": {"value": "3"},
                                  "change": {"value": "Faster replies on weekends."}})  # fmt: skip
    slack.wait_for(lambda: [t for t in _told(slack, CIVIL_USER) if "answers for 2027-Q1 are saved" in t])


def test_the_coordinators_home_tab_chart_is_drawn_once_a_day(slack: Sandbox, bot: InProcessBot) -> None:
    seed_november(bot)

    def chart(user: str) -> list[dict[str, object]]:
        slack.open_app_home(user)
        view = slack.wait_for(lambda: slack.home_view(user), message="the Home tab")
        bot.settle()
        view = slack.home_view(user)
        assert view is not None
        return [b for b in view.blocks if b["type"] == "image"]

    (first,) = chart(DEFENDER)  # a coordinator
    uploads = len(slack.calls("files.getUploadURLExternal"))
    file_id = first["slack_file"]["id"]  # type: ignore[index]
    upload = slack.file(str(file_id))
    assert upload is not None and upload.content is not None
    assert PILImage.open(io.BytesIO(upload.content)).format == "PNG"
    assert "week of November 2: 9 sent, 0 closed" in str(first["alt_text"])
    (again,) = chart(ADMIN)
    assert (
        again["slack_file"] == first["slack_file"]
        and len(slack.calls("files.getUploadURLExternal")) == uploads
    )
