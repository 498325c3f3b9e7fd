"""Every command acknowledged within Slack's 3 seconds while Slack or the database is slow, through the
stand-in to the bot as a process on SQLite and PostgreSQL; a database held past Liaison's patience is a
fast "nothing was saved"."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import select

from bot.sandbox import Sandbox, visible_text
from storage.crypto import Keyring
from storage.db import STATEMENT_SECONDS, Database
from storage.item_tables import Referral
from tests.office import (
    DATA_KEY,
    DEFENDER,
    SHARED_CHANNEL,
    RunningBot,
    add_legal_aid,
)

pytestmark = pytest.mark.e2e

NEWCOMER = "U0NEW"  # home staff Liaison has never looked up: their first command asks Slack who they are


@pytest.fixture(scope="module")
def slack(slack: Sandbox) -> Sandbox:
    slack.add_user(NEWCOMER, "nia", tz="America/New_York")
    slack.add_member(SHARED_CHANNEL, NEWCOMER)
    return slack


@pytest.fixture(scope="module")
def bot(slack: Sandbox, http_bot: RunningBot) -> RunningBot:
    add_legal_aid(slack, http_bot)
    return http_bot


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("/referral", "need:housing Client needs help while Slack is slow."),
        ("/consult", "list"),
        ("/advocacy", "list"),
        ("/liaison", "whoami"),
    ],
)
def test_every_command_is_acknowledged_in_time_while_slack_is_slow(
    slack: Sandbox, bot: RunningBot, name: str, text: str
) -> None:
    seen = len(slack.ephemerals(NEWCOMER, SHARED_CHANNEL))
    for method in ("users.info", "conversations.info", "chat.postMessage"):
        slack.slow(method, 3.5)
    try:
        delivery = slack.slash_command(NEWCOMER, SHARED_CHANNEL, name, text)
        assert delivery.acked and not delivery.timed_out and delivery.problems == [], delivery
        answers = slack.wait_for(lambda: slack.ephemerals(NEWCOMER, SHARED_CHANNEL)[seen:], timeout=30)
    finally:
        slack.clear_faults()
    assert "Sorry" not in visible_text(answers[0])


class AnotherWriter:
    """Another writer holding the referral table (on SQLite the whole database: SQLite locks it all) on a
    connection of its own, from entering the block until `let_go` (and its `after` seconds of work) or
    the block's end."""

    def __init__(self, url: str) -> None:
        self._engine = create_engine(url)
        self._locked, self._go = threading.Event(), threading.Event()
        self._after = 0.0
        self.released_at: float | None = None  # by the clock Slack's timestamps follow
        self._holder = threading.Thread(target=self._hold)

    def __enter__(self) -> AnotherWriter:
        self._holder.start()
        assert self._locked.wait(10), "the other writer took the lock"
        return self

    def let_go(self, after: float = 0.0) -> None:
        """Let go `after` seconds from now (how long the other writer works: the scenario, not a wait)."""
        self._after = after
        self._go.set()

    def __exit__(self, *_exc: object) -> None:
        self._go.set()
        self._holder.join()
        self._engine.dispose()

    def _hold(self) -> None:
        with self._engine.connect() as conn:
            if self._engine.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.execute(text("BEGIN"))
                conn.execute(text("LOCK TABLE referral IN ACCESS EXCLUSIVE MODE"))
            self._locked.set()
            self._go.wait(60)
            time.sleep(self._after)
            self.released_at = time.time()
            conn.rollback()


def test_a_command_is_acknowledged_in_time_while_the_database_is_locked(
    slack: Sandbox, bot: RunningBot
) -> None:
    """Another writer holds the referral table for four seconds (less than Liaison waits for a statement,
    storage/db.py STATEMENT_SECONDS): the person sees no timeout, no answer comes while the table is held,
    and the referral is stored once the lock is gone."""
    with AnotherWriter(bot.db_url) as writer:
        seen = len(slack.ephemerals(DEFENDER, SHARED_CHANNEL))
        delivery = slack.slash_command(DEFENDER, SHARED_CHANNEL, "/referral", "need:housing Locked day.")
        writer.let_go(after=4)
        assert delivery.acked and not delivery.timed_out, delivery
    answer = slack.wait_for(lambda: slack.ephemerals(DEFENDER, SHARED_CHANNEL)[seen:], timeout=20)
    assert writer.released_at is not None
    assert [float(a.ts) > writer.released_at for a in answer] == [True], (
        "one answer, after the table was let go"
    )
    assert visible_text(answer[0]).startswith("Sent *R-"), visible_text(answer[0])


def test_a_database_locked_longer_than_its_timeout_gets_a_fast_nothing_was_saved(
    slack: Sandbox, bot: RunningBot
) -> None:
    """Another writer holds the referral table for far longer than Liaison waits for a statement (SQLite's
    busy timeout, PostgreSQL's statement_timeout): the person is told nothing was saved while the lock is
    still held, and nothing is."""
    before = _referral_count(bot)
    with AnotherWriter(bot.db_url) as writer:
        seen = len(slack.ephemerals(DEFENDER, SHARED_CHANNEL))
        delivery = slack.slash_command(DEFENDER, SHARED_CHANNEL, "/referral", "need:housing Held up.")
        assert delivery.acked and not delivery.timed_out, delivery
        answer = slack.wait_for(lambda: slack.ephemerals(DEFENDER, SHARED_CHANNEL)[seen:], timeout=30)
        assert writer.released_at is None, "answered while the lock is still held"
    assert "Liaison can't reach its database right now; nothing was saved" in visible_text(answer[0])
    assert _referral_count(bot) == before


def _referral_count(bot: RunningBot) -> int:
    db = Database(bot.db_url, Keyring([DATA_KEY]))
    try:
        with db.session() as session:
            return len(session.exec(select(Referral.id)).all())
    finally:
        db.dispose()


def test_a_command_the_database_kept_too_late_runs_once_even_when_replayed(
    slack: Sandbox, bot: RunningBot
) -> None:
    """SQLite locked a little longer than its busy timeout: keeping the command fails after its ack went
    out, so the command runs where it is once the lock is gone, and a replay of the same request then
    does nothing (found by an adversarial review: the replay ran it again, two referrals)."""
    if not bot.db_url.startswith("sqlite"):
        pytest.skip("on PostgreSQL keeping a command takes no lock another writer holds for long")
    before = _referral_count(bot)
    with AnotherWriter(bot.db_url) as writer:
        seen = len(slack.ephemerals(DEFENDER, SHARED_CHANNEL))
        said = "need:housing Locked, then replayed."
        delivery = slack.slash_command(DEFENDER, SHARED_CHANNEL, "/referral", said)
        writer.let_go(after=STATEMENT_SECONDS + 1)  # a writer a second longer than the busy timeout
        assert delivery.acked and not delivery.timed_out, delivery
    answer = slack.wait_for(lambda: slack.ephemerals(DEFENDER, SHARED_CHANNEL)[seen:], timeout=30)
    assert visible_text(answer[0]).startswith("Sent *R-"), visible_text(answer[0])
    assert slack.replay(delivery).status == 200
    bot.settle()
    assert _referral_count(bot) == before + 1
    assert len(slack.ephemerals(DEFENDER, SHARED_CHANNEL)[seen:]) == 1, "one answer"
