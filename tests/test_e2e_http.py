"""HTTP mode: Slack's signatures, the health check, a database outage, and stopping."""

from __future__ import annotations

import hashlib
import hmac
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy.engine import make_url

from bot.sandbox import Sandbox
from tests.botproc import HTTP, BotProcess
from tests.databases import database_url
from tests.office import DEFENDER, OFFICE_CHANNEL, RunningBot, bot_settings, command
from tests.tcpproxy import TcpProxy

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def bot(http_bot: RunningBot) -> RunningBot:
    return http_bot


def _command_body(slack: Sandbox) -> bytes:
    """`/liaison whoami` typed by the defender, as Slack posts it (its response_url one the stand-in serves:
    an answer to it shows as the defender's ephemeral; help would be answered in the ack instead)."""
    with slack.workspace.lock:
        fields = slack.payloads.slash_command(
            slack.workspace.users[DEFENDER], slack.workspace.channels[OFFICE_CHANNEL], "/liaison", "whoami"
        )
    return urlencode(fields).encode()


def _signed(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    base = b"v0:" + str(timestamp).encode() + b":" + body
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": signature,
        "Content-Type": "application/x-www-form-urlencoded",
    }


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda s, b: _signed("not-the-secret", int(time.time()), b), id="wrong-secret"),
        pytest.param(lambda s, b: _signed(s.signing_secret, int(time.time()) - 301, b), id="stale-timestamp"),
        pytest.param(lambda s, b: _signed(s.signing_secret, int(time.time()), b + b"&x=1"), id="tampered"),
        pytest.param(lambda s, b: {"Content-Type": "application/x-www-form-urlencoded"}, id="unsigned"),
    ],
)
def test_a_request_not_signed_by_slack_gets_401_and_changes_nothing(
    slack: Sandbox, bot: RunningBot, forge
) -> None:
    body = _command_body(slack)
    headers = forge(slack, body)
    calls_before, answers_before = len(slack.calls()), len(slack.ephemerals(DEFENDER))
    response = HTTP.post(f"{bot.process.url}/slack/events", content=body, headers=headers, timeout=10)
    assert response.status_code == 401
    slack.wait_until_quiet()
    assert len(slack.calls()) == calls_before
    assert len(slack.ephemerals(DEFENDER)) == answers_before
    # A wrongly accepted request would have been acted on before one sent after it: once that one is
    # answered, and nothing is under way between the bot and the stand-in, its answer is the only new one.
    signed = _command_body(slack)
    after = HTTP.post(
        f"{bot.process.url}/slack/events",
        content=signed,
        headers=_signed(slack.signing_secret, int(time.time()), signed),
        timeout=10,
    )
    assert after.status_code == 200
    slack.wait_for(
        lambda: len(slack.ephemerals(DEFENDER)) > answers_before, message="the signed one's answer"
    )
    slack.wait_until_quiet()
    assert len(slack.ephemerals(DEFENDER)) == answers_before + 1


def test_the_same_request_signed_correctly_is_accepted(slack: Sandbox, bot: RunningBot) -> None:
    """The control for the test above: only the signature differs."""
    body = _command_body(slack)
    response = HTTP.post(
        f"{bot.process.url}/slack/events",
        content=body,
        headers=_signed(slack.signing_secret, int(time.time()), body),
        timeout=10,
    )
    assert response.status_code == 200


def test_healthz_reports_a_reachable_database(bot: RunningBot) -> None:
    response = HTTP.get(f"{bot.process.url}/healthz", timeout=10)
    assert response.status_code == 200
    assert response.json() == {"ok": True, "database": "reachable", "mode": "http"}


def test_a_database_outage_is_explained_to_the_person_and_recovered_from(
    slack: Sandbox, tmp_path: Path
) -> None:
    """PostgreSQL goes away under a running bot (a proxy between them is cut), then comes back."""
    with database_url("postgresql", tmp_path) as direct_url:
        direct = make_url(direct_url)
        proxy = TcpProxy(direct.host or "127.0.0.1", direct.port or 5432)
        url = direct.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        process = BotProcess(tmp_path, ["--http"], **bot_settings(slack, url))
        try:
            process.wait_until_serving()
            slack.bot_url = f"{process.url}/slack/events"
            bot = RunningBot(process, "http")
            assert "role *defender*" in command(slack, bot, DEFENDER, OFFICE_CHANNEL, "/liaison", "whoami")

            proxy.cut()
            answer = command(slack, bot, DEFENDER, OFFICE_CHANNEL, "/liaison", "whoami")
            assert "Liaison can't reach its database right now; nothing was saved" in answer
            # Said in the ack now, perhaps before the log line has come through the process's pipe.
            slack.wait_for(lambda: "database unreachable" in process.output, message="the log line")
            health = HTTP.get(f"{process.url}/healthz", timeout=10)
            assert (health.status_code, health.json()["database"]) == (503, "unreachable")
            assert "`/liaison help`" in command(slack, bot, DEFENDER, OFFICE_CHANNEL, "/liaison", "help")

            proxy.restore()
            assert "role *defender*" in command(slack, bot, DEFENDER, OFFICE_CHANNEL, "/liaison", "whoami")
            assert HTTP.get(f"{process.url}/healthz", timeout=10).status_code == 200
        finally:
            assert process.stop() == 0, process.output
            proxy.close()


def test_sigterm_stops_the_bot_cleanly_and_frees_its_port(slack: Sandbox, tmp_path: Path) -> None:
    process = BotProcess(tmp_path, ["--http"], **bot_settings(slack, f"sqlite:///{tmp_path / 'l.db'}"))
    process.wait_until_serving()
    assert process.stop() == 0
    assert "Liaison stopped" in process.output
    assert "Traceback" not in process.output
    with pytest.raises(httpx.TransportError):
        HTTP.get(f"{process.url}/healthz", timeout=2)
