"""The bot as a process killed while Slack sits on a card's post, before or after Slack took it, on SQLite
and PostgreSQL: after a restart the referral has one card, and its buttons work."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from bot.sandbox import Sandbox, visible_text
from storage.crypto import Keyring
from storage.db import Database
from storage.item_tables import Referral
from tests.botproc import BotProcess, run_cli
from tests.databases import BACKENDS, database_url
from tests.office import (
    DATA_KEY,
    DEFENDER,
    PARTNER_USER,
    SHARED_CHANNEL,
    START,
    RunningBot,
    add_legal_aid,
    bot_settings,
    office,
    referral_cards,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def slack() -> Iterator[Sandbox]:
    """A stand-in of the test's own: its bots are killed and started again."""
    with office() as sandbox:
        yield sandbox


def card_text(slack: Sandbox, ref: str) -> tuple[str, str]:
    card = [m for m in slack.messages(SHARED_CHANNEL) if m.text.startswith(f"{ref} · Referral")][-1]
    return card.ts, visible_text(card)


def tick(slack: Sandbox, bot: RunningBot, tmp_path: Path, at: str) -> list[str]:
    result = run_cli(["tick", "--at", at], tmp_path, **bot_settings(slack, bot.db_url))
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


@pytest.mark.parametrize("during", [False, True], ids=["before-slack-took-it", "after-slack-took-it"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_bot_killed_while_posting_a_card_gives_it_one_card_after_restart(
    slack: Sandbox, tmp_path: Path, backend: str, during: bool
) -> None:
    """Killed while Slack sits on the card's post: either Slack has not taken it yet, or it has (the
    message is in the channel, the answer never came). Either way the referral gets one card after the
    restart; one Slack took is found by its metadata, redrawn, and its buttons work."""
    with database_url(backend, tmp_path) as url:
        started = datetime.now(UTC)
        first = BotProcess(tmp_path, ["--http"], **bot_settings(slack, url))
        first.wait_until_serving()
        slack.bot_url = f"{first.url}/slack/events"
        add_legal_aid(slack, RunningBot(first, "http", url, slack))
        before = referral_cards(slack)
        if during:  # Slack posts the card at once, and answers eight seconds later
            slack.fail("chat.postMessage", status=None, hold=8, after=True)
        else:  # Slack sits on the post, then does nothing with it
            slack.fail("chat.postMessage", status=503, hold=8)
        delivery = slack.slash_command(DEFENDER, SHARED_CHANNEL, "/referral", "need:housing Killed mid-post.")
        assert delivery.acked
        db = Database(url, Keyring([DATA_KEY]))
        try:
            slack.wait_for(lambda: _claimed(db), timeout=10, message="the referral stored, its card claimed")
        finally:
            db.dispose()
        if during:
            slack.wait_for(lambda: referral_cards(slack) == [*before, "R-1"], message="Slack took the card")
        assert first.stop(signal.SIGKILL) == -signal.SIGKILL
        slack.clear_faults()

        # The office's clock goes on where the killed bot's had got to (its claim is not in the future).
        resumed = datetime.fromisoformat(START) + (datetime.now(UTC) - started)
        again = {**bot_settings(slack, url), "LIAISON_START_TIME": resumed.isoformat()}
        second = BotProcess(tmp_path, ["--http"], **again)
        try:
            second.wait_until_serving()
            running = RunningBot(second, "http", url)
            slack.bot_url = f"{second.url}/slack/events"
            if backend == "postgresql":
                # Another instance could be posting that card right now: its claim is left for five minutes.
                assert "posted the card of R-1" in tick(slack, running, tmp_path, "2026-11-24T14:10:00Z")
            slack.wait_for(lambda: referral_cards(slack) == [*before, "R-1"], timeout=10, message="one card")
            tick(slack, running, tmp_path, "2026-11-24T14:20:00Z")
            assert referral_cards(slack) == [*before, "R-1"]
            ts, _shown = card_text(slack, "R-1")
            if during:
                assert [c for c in slack.calls("chat.update") if c.args.get("ts") == ts], "redrawn"
            slack.click(PARTNER_USER, SHARED_CHANNEL, ts, "referral.move.accepted")
            slack.wait_for(lambda: "accepted" in card_text(slack, "R-1")[1], message="its buttons work")
        finally:
            assert second.stop() == 0, second.output


def _claimed(db: Database) -> bool:
    with db.session() as session:
        stored = session.exec(select(Referral)).all()
    return len(stored) == 1 and (stored[0].card_ts or "").startswith("posting:")
