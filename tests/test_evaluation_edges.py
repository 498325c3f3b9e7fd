"""The evaluation's edges, through the real bot on SQLite and PostgreSQL (the fixtures of
tests/test_evaluation.py): periods beyond the calendar, a partner's name a spreadsheet would run, shares
that would give away a count below 5, a CSV upload refused after the report went, a quiet period with only
standing state, a report too long for one Slack message, a contact of two partners, and one feedback form
submitted eight times at once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.sandbox import Sandbox, visible_text
from tests.databases import BACKENDS
from tests.inprocess import InProcessBot, in_process_bot
from tests.office import (
    ADMIN,
    OFFICE_CHANNEL,
    office,
)
from tests.office import command as typed
from tests.test_evaluation import _csv, _reports, seed_october, set_up


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
    said = typed(slack, bot, user, OFFICE_CHANNEL, "/liaison", line)
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
