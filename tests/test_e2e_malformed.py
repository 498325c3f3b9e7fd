"""The labelled corpus of malformed requests and replays (tests/malformed.py) against the real bot on
SQLite and PostgreSQL: each gets the status it must (a 4xx, never a 500; a replay is answered and does
nothing), none creates a duplicate, nothing is stored, and no log line carries a body."""

from __future__ import annotations

import pytest

from bot.sandbox import Sandbox
from tests import malformed
from tests.office import RunningBot, add_legal_aid
from tests.test_bad_input import stored_rows

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def bot(slack: Sandbox, http_bot: RunningBot) -> RunningBot:
    add_legal_aid(slack, http_bot)
    return http_bot


def test_every_malformed_request_gets_its_4xx_and_every_replay_does_nothing(
    slack: Sandbox, bot: RunningBot
) -> None:
    bot.settle()  # what the module's earlier tests asked is done: its kept commands are not counted
    before = stored_rows(bot.db_url)
    log_at = len(bot.process.output)
    result = malformed.run(slack, bot)
    assert result.wrong == [], result.wrong
    assert result.total == len(malformed.TABLE) + 3
    assert result.duplicates == []
    assert result.leaked == [], "a log line carried a request's body"
    log = bot.process.output[log_at:]
    assert "Traceback" not in log and "unexpected error" not in log, log[-3000:]
    # The last command's answer may come just before its worker deletes the kept row (storage/work.py).
    after = slack.wait_for(lambda: (rows := stored_rows(bot.db_url))["work"] == 0 and rows, message="done")
    grew = {
        table: after[table] - before.get(table, 0) for table in after if after[table] != before.get(table)
    }
    # The replayed referral, accepted once, with one reply: what the first deliveries did, nothing else.
    assert grew == {"referral": 1, "item_event": 1, "thread_reply": 1}, grew
