"""`liaison demo` runs the whole referral loop offline and prints what each person sees, as their Slack
client shows it."""

from __future__ import annotations

import re
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.botproc import run_cli

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """One run of `liaison demo` in an empty folder, read by both tests."""
    folder = tmp_path_factory.mktemp("demo")
    return folder, run_cli(["demo"], folder, timeout=120)


def test_the_demo_walks_a_referral_from_request_to_outcome(
    demo: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    folder, result = demo
    assert result.returncode == 0, result.stderr
    transcript = result.stdout
    for step in (
        "only Ari sees: Added Legal Aid Society (legal-aid) to the partner directory.",
        "Legal Aid Society (legal-aid), legal aid, active",
        "only Ari sees: Linked #legal-aid-shared to Legal Aid Society.",
        "only Dana sees: Sent R-1 to Legal Aid Society: housing, due",
        "[Accept] [Reject…] [Cancel referral…] [Entered in error…]",
        "Lee (Legal Aid Society) clicks [Accept] on the card",
        "Status: completed",
        "only Lee sees: R-1 is now completed.",
        "Lee (Legal Aid Society): We have an attorney for this. Calling the client today.",
        "Liaison: @Lee Chen (Legal Aid Society) accepted R-1",
        "│ Represented at the hearing; the eviction was dismissed.",
        "@Dana Reyes, R-1 is now completed.",
        "@Lee Chen requested → accepted",
        "Thread: 1 reply, first response",
        "      Open the card",
    ):
        assert step in transcript, step
    shared = [line for line in transcript.splitlines() if line.startswith("  | ")]
    assert shared and not [line for line in shared if "24-CR-0113" in line]
    assert "Traceback" not in result.stderr
    assert not list(folder.iterdir()), "the demo leaves nothing behind"


def test_the_demo_reads_like_slack_not_like_its_markup(
    demo: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    transcript = demo[1].stdout
    shown = [line for line in transcript.splitlines() if " types: " not in line]  # what people typed stays
    for markup in ("<@", "<#", "<http", "<!date", "*R-1*", "`", "UTC", "legal_aid", "&gt;", "&lt;"):
        assert not [line for line in shown if markup in line], markup
    # The same deadline, in each reader's own zone: 5 PM for Dana in New York, 4 PM for Lee in Chicago.
    said = re.search(r"due \w+, (\w+) (\d+), 5:00 PM E[SD]T", transcript)
    assert said, "the read-back names the deadline in Dana's zone"
    month, day = said.group(1)[:3], said.group(2)
    cards = [line for line in shown if line.startswith("  | Need:")]
    for card, zone, hour in ((cards[0], "America/New_York", 5), (cards[1], "America/Chicago", 4)):
        assert re.search(rf"Due: {_as_slack_says(month, day, zone)} {hour}:00 PM ·", card), card


def _as_slack_says(month: str, day: str, zone: str) -> str:
    """A short date as the reader's client shows it: "Today" or "Tomorrow" when it is (the demo's
    "due:friday" is tomorrow when it runs on a Thursday), otherwise "Dec 4, 2026"."""
    today = datetime.now(ZoneInfo(zone)).date()
    for offset, word in ((0, "Today"), (1, "Tomorrow")):
        near = today + timedelta(days=offset)
        if (f"{near:%b}", str(near.day)) == (month, day):
            return word
    return rf"{month} {day}, \d{{4}}"
