"""The scheduler in processes: `liaison run` ticks by itself, and two `liaison tick`s at once on one
PostgreSQL send one digest between them. What each pass sends, and when: tests/test_schedule.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.sandbox import visible_text
from tests.botproc import clean_environment
from tests.inprocess import in_process_bot
from tests.office import ADMIN, OFFICE_CHANNEL, bot_settings, office, running_bot
from tests.office import command as typed
from tests.test_schedule import NIGHT_OWL, set_up, workspace

pytestmark = pytest.mark.e2e


def test_two_processes_ticking_on_one_postgresql_send_one_digest(tmp_path: Path) -> None:
    with office() as slack:
        workspace(slack)
        with in_process_bot(slack, tmp_path, "postgresql") as bot:
            set_up(slack, bot)
            before = len(slack.dms(ADMIN))
            env = clean_environment(**bot_settings(slack, bot.db_url))
            ticks = [
                subprocess.Popen(
                    [sys.executable, "-m", "bot.cli", "tick", "--at", "2026-12-16T15:00Z"],
                    cwd=tmp_path,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for _ in range(2)
            ]
            outputs = [p.communicate(timeout=60) for p in ticks]
            assert all(p.returncode == 0 for p in ticks), outputs
            said = [
                line
                for out, _ in outputs
                for line in out.splitlines()
                if f"digest for 2026-12-16 to {ADMIN}" in line
            ]
            assert said == [f"sent the digest for 2026-12-16 to {ADMIN}"], outputs
            assert len(slack.dms(ADMIN)) - before == 1


def test_the_running_bot_ticks_by_itself(tmp_path: Path) -> None:
    """`liaison run` starts the scheduler: a digest that is due arrives without anyone ticking by hand."""
    with office() as slack:
        workspace(slack)
        with running_bot(slack, tmp_path, "sqlite", "http", LIAISON_TICK_SECONDS="1") as ticking:
            # The office's clock starts at 23:00 in Tokyo: a digest at that time is on time, even at night.
            answer = typed(
                slack, ticking, NIGHT_OWL, OFFICE_CHANNEL, "/liaison", "digest on at:23:00 days:daily"
            )
            assert "Your digest comes at 23:00 (Asia/Tokyo) on daily." in answer
            digest = slack.wait_for(lambda: slack.dms(NIGHT_OWL), timeout=15, message="the digest")[-1]
            assert "*Liaison digest for" in visible_text(digest) and "times in Asia/Tokyo" in visible_text(
                digest
            )
