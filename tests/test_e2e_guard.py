"""The bot as a process, on SQLite and PostgreSQL, configured as the guard corpus's office: its log never
carries the client's words, whatever comes in (every library it runs on and every error path write to
the process's output). The guard itself: tests/test_guard.py and tests/test_guard_bot.py."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from bot.sandbox import Sandbox, slack_signature
from tests.databases import BACKENDS
from tests.office import DEFENDER, OFFICE_CHANNEL, PARTNER_USER, SHARED_CHANNEL, RunningBot, running_bot
from tests.office import command as typed
from tests.test_guard_bot import SETTINGS, card_of, set_up, workspace

pytestmark = pytest.mark.e2e

MARKER = "Quillfeather"  # a word no log line of Liaison's own would hold


@pytest.fixture(scope="module")
def slack(slack: Sandbox) -> Sandbox:
    workspace(slack)
    return slack


@pytest.fixture(scope="module", params=BACKENDS)
def bot(
    request: pytest.FixtureRequest, slack: Sandbox, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningBot]:
    folder = tmp_path_factory.mktemp(request.param)
    with running_bot(slack, folder, request.param, "http", **SETTINGS) as running:
        set_up(slack, running)
        yield running


def test_the_log_never_carries_the_clients_words(slack: Sandbox, bot: RunningBot) -> None:
    """Good and bad requests alike, with the client's words in them: the log names what happened only."""
    sent = typed(slack, bot, DEFENDER, SHARED_CHANNEL, "/referral", f"need:housing {MARKER} needs a lawyer.")
    card = card_of(slack, sent)
    typed(slack, bot, DEFENDER, SHARED_CHANNEL, "/referral", f"need:housing {MARKER} SSN 123-45-6789")
    typed(slack, bot, DEFENDER, SHARED_CHANNEL, "/referral", f"need:{MARKER}-housing prority:urgent {MARKER}")
    slack.post_as_user(PARTNER_USER, SHARED_CHANNEL, f"{MARKER} is housed now", thread_ts=card.ts)
    body = f"token=x&command=%2Freferral&text={MARKER}&user_id={DEFENDER}&team_id=T0HOME&channel_id=C1"
    for headers in (
        {"X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=bad"},  # a forged request
        {},  # no signature at all
    ):
        delivery = slack.post_raw(
            body.encode(), {"Content-Type": "application/x-www-form-urlencoded", **headers}
        )
        assert delivery.status in (400, 401), delivery
    garbled = json.dumps({"type": "event_callback", "event": {"type": "message", "text": MARKER, "ts": 5}})
    now = str(int(time.time()))  # Bolt checks a signature's time against the real clock
    signed = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": now,
        "X-Slack-Signature": slack_signature(slack.signing_secret, now, garbled.encode()),
    }
    assert slack.post_raw(garbled.encode(), signed).status < 500
    slack.wait_for(
        lambda: (
            MARKER in typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/referral", f"show {card.text.split()[0]}")
        )
    )
    assert MARKER not in bot.process.output
    assert "123-45-6789" not in bot.process.output
