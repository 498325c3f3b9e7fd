"""Two processes sending at once share one app's rate budget (on PostgreSQL, the only database several
instances share): two `liaison tick`s, each finishing thread lines kept while Slack was down in one
channel, post them together at Slack's pace, with the stand-in answering 429 above it. Each pacing only
itself, they would send twice as fast between them and be refused."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from bot.sandbox import Sandbox
from storage import outbox
from storage.crypto import Keyring
from storage.db import Database
from storage.models import OutboxKind
from tests.botproc import clean_environment
from tests.office import (
    DATA_KEY,
    DEFENDER,
    SHARED_CHANNEL,
    START,
    add_legal_aid,
    bot_settings,
    office,
    running_bot,
)
from tests.office import command as typed

pytestmark = pytest.mark.e2e

LINES = 12
LATER = "2026-11-24T14:30:00Z"


@pytest.fixture
def slack() -> Iterator[Sandbox]:
    """A stand-in of the test's own: its bots come and go."""
    with office() as sandbox:
        yield sandbox


def test_two_ticks_at_once_keep_together_to_one_apps_budget(slack: Sandbox, tmp_path: Path) -> None:
    with running_bot(slack, tmp_path, "postgresql", "http") as bot:
        add_legal_aid(slack, bot)
        answer = typed(slack, bot, DEFENDER, SHARED_CHANNEL, "/referral", "need:housing Many lines to come.")
        ref = answer.split("*")[1]
        card = next(m for m in slack.messages(SHARED_CHANNEL) if m.text.startswith(f"{ref} · "))
        db = Database(bot.db_url, Keyring([DATA_KEY]))
        try:
            kept_at = datetime.fromisoformat(START)
            for n in range(LINES):  # what Slack could not take while it was down
                line = f"Line {n} of {ref}'s thread."
                key = f"thread:{ref}:{n}"
                kept = outbox.keep(
                    db,
                    OutboxKind.thread,
                    key,
                    SHARED_CHANNEL,
                    kept_at,
                    item=ref,
                    thread_ts=card.ts,
                    text=line,
                )
                assert kept
        finally:
            db.dispose()

        since = time.time()
        slack.enforce_rate_limits()
        try:
            env = clean_environment(**bot_settings(slack, bot.db_url))
            ticks = [
                subprocess.Popen(
                    [sys.executable, "-m", "bot.cli", "tick", "--at", LATER],
                    cwd=tmp_path,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for _ in range(2)
            ]
            outputs = [tick.communicate(timeout=120) for tick in ticks]
        finally:
            slack.enforce_rate_limits(False)
        assert all(tick.returncode == 0 for tick in ticks), outputs
        sent = [
            [line for line in out.splitlines() if line.startswith("sent the thread")] for out, _ in outputs
        ]
        assert sum(map(len, sent)) == LINES and all(sent), f"both ticks sent some: {sent}"
        assert len(slack.messages(SHARED_CHANNEL, thread_ts=card.ts)) == LINES
        refused = [c.method for c in slack.calls() if c.at >= since and c.status == 429]
        assert refused == [], refused
