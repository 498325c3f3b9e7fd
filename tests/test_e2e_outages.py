"""The database goes away under a running bot, for real: a PostgreSQL cluster of the test's own is stopped,
or frozen (its processes SIGSTOPped), and started again; SQLite is held locked by another writer. A
partner's reply that arrives meanwhile was answered 200, so Slack never sends it again: it waits in the
journal and is recorded when the database is back, in order, once, even if the bot is killed meanwhile.
/healthz says 503 within two seconds of a frozen database, and a person's command fails fast with
"nothing was saved"."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func
from sqlmodel import Session, select

from bot.sandbox import Message, Sandbox, visible_text
from storage.item_tables import Referral
from storage.models import ThreadReply
from tests.botproc import HTTP, BotProcess
from tests.office import (
    DEFENDER,
    OFFICE_CHANNEL,
    PARTNER_USER,
    SHARED_CHANNEL,
    RunningBot,
    add_legal_aid,
    bot_settings,
    office,
)
from tests.office import command as typed
from tests.pgcluster import needs_throwaway_postgres, throwaway_postgres

pytestmark = pytest.mark.e2e

REPLY = "We can see the client on Monday at 10."
KEPT = "waits in the journal"
SLACK_GIVES_UP = 7 * 60  # Slack's redelivery covers about six minutes (three retries), for a failed delivery


@pytest.fixture
def slack() -> Iterator[Sandbox]:
    """A stand-in of the test's own: its bots come and go."""
    with office() as sandbox:
        yield sandbox


def start_bot(slack: Sandbox, folder: Path, url: str) -> RunningBot:
    process = BotProcess(folder, ["--http"], **bot_settings(slack, url))
    process.wait_until_serving()
    slack.bot_url = f"{process.url}/slack/events"
    return RunningBot(process, "http", url)


def a_referral(slack: Sandbox, bot: RunningBot) -> tuple[str, Message]:
    answer = typed(slack, bot, DEFENDER, SHARED_CHANNEL, "/referral", "need:housing Client faces eviction.")
    ref = answer.split("*")[1]
    card = next(m for m in slack.messages(SHARED_CHANNEL) if m.text.startswith(f"{ref} · Referral"))
    return ref, card


def reply_while_away(slack: Sandbox, bot: RunningBot, card: Message, text: str = REPLY) -> str:
    """The partner replies in the card's thread; Slack gets its 200 at once, and the bot keeps the reply."""
    kept_before = bot.process.output.count(KEPT)
    ts, delivery = slack.post_as_user(PARTNER_USER, SHARED_CHANNEL, text, thread_ts=card.ts)
    assert delivery is not None and delivery.acked, delivery
    slack.wait_for(lambda: bot.process.output.count(KEPT) > kept_before, timeout=20, message="kept")
    return ts


def slack_does_not_send_it_again(slack: Sandbox, ts: str) -> None:
    """Time passes beyond Slack's retries; an acknowledged event is never delivered a second time."""
    slack.advance_time(SLACK_GIVES_UP)
    sent = [
        d
        for d in slack.deliveries
        if isinstance(d.payload, dict) and d.payload.get("event", {}).get("ts") == ts
    ]
    assert len(sent) == 1 and sent[0].acked


def thread_shown(slack: Sandbox, bot: RunningBot, ref: str, expected: str, timeout: float = 40) -> str:
    """`/referral show` once it lists `expected` (the journal is replayed within seconds of the database
    coming back, after a wait that grows while it is away)."""
    found: list[str] = []

    def shown() -> bool:
        found.append(typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/referral", f"show {ref}"))
        return expected in found[-1]

    slack.wait_for(shown, timeout=timeout, message=f"{ref} to show {expected!r}")
    return found[-1]


def replies_stored(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            return list(session.exec(select(ThreadReply.ts)).all())
    finally:
        engine.dispose()


@needs_throwaway_postgres
def test_a_reply_while_postgresql_is_down_is_recorded_once_it_is_back_even_across_a_kill(
    slack: Sandbox, tmp_path: Path
) -> None:
    with throwaway_postgres() as pg:
        first = start_bot(slack, tmp_path, pg.url)
        add_legal_aid(slack, first)
        ref, card = a_referral(slack, first)

        pg.stop()
        ts = reply_while_away(slack, first, card)
        slack_does_not_send_it_again(slack, ts)
        assert "was told" not in first.process.output, "nobody could be told, and the log must not say so"
        assert first.process.stop(signal.SIGKILL) == -signal.SIGKILL  # and the bot dies meanwhile

        pg.start()
        second = start_bot(slack, tmp_path, pg.url)  # the same folder: the same journal
        try:
            shown = thread_shown(slack, second, ref, REPLY)
            assert "Thread: 1 reply" in shown
            card_now = slack.wait_for(
                lambda: (
                    "Replies*\n1," in visible_text(slack.messages(SHARED_CHANNEL)[0])
                    and slack.messages(SHARED_CHANNEL)[0]
                ),
                timeout=10,
                message="the card to count the reply",
            )
            assert card_now.ts == card.ts
        finally:
            assert second.process.stop() == 0, second.process.output
        assert (tmp_path / "liaison-journal.jsonl").read_text() == "", "nothing waits any more"

        third = start_bot(slack, tmp_path, pg.url)
        try:
            assert "Thread: 1 reply" in typed(
                slack, third, DEFENDER, OFFICE_CHANNEL, "/referral", f"show {ref}"
            )
        finally:
            assert third.process.stop() == 0
        assert replies_stored(pg.url) == [ts], "recorded once"


def test_replies_and_edits_while_sqlite_is_locked_are_recorded_in_order(
    slack: Sandbox, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'liaison.db'}"
    bot = start_bot(slack, tmp_path, url)
    try:
        add_legal_aid(slack, bot)
        ref, card = a_referral(slack, bot)
        locked, release = threading.Event(), threading.Event()

        def another_writer() -> None:
            engine = create_engine(url)
            with engine.connect() as conn:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                locked.set()
                release.wait(60)
                conn.rollback()
            engine.dispose()

        holder = threading.Thread(target=another_writer)
        holder.start()
        try:
            assert locked.wait(10)
            ts = reply_while_away(slack, bot, card, "First thoughts.")
            kept_before = bot.process.output.count(KEPT)
            slack.edit_as_user(
                PARTNER_USER, SHARED_CHANNEL, ts, REPLY
            )  # after the reply, before it is recorded
            slack.wait_for(lambda: bot.process.output.count(KEPT) > kept_before, timeout=20, message="kept")
        finally:
            release.set()
            holder.join()
        shown = thread_shown(slack, bot, ref, REPLY)
        assert "First thoughts." not in shown and "_(edited)_" in shown, "the edit came after the reply"
        assert replies_stored(url) == [ts]
    finally:
        assert bot.process.stop() == 0, bot.process.output


def health(bot: RunningBot) -> int:
    """/healthz's status; a check that takes longer than two seconds fails the test."""
    return HTTP.get(f"{bot.process.url}/healthz", timeout=2.0).status_code


def referrals(url: str) -> int:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            return session.exec(select(func.count()).select_from(Referral)).one()
    finally:
        engine.dispose()


@needs_throwaway_postgres
def test_a_frozen_postgresql_is_a_503_within_two_seconds_and_a_fast_nothing_was_saved(
    slack: Sandbox, tmp_path: Path
) -> None:
    with throwaway_postgres() as pg:
        bot = start_bot(slack, tmp_path, pg.url)
        try:
            add_legal_aid(slack, bot)
            a_referral(slack, bot)  # the pool holds open connections now
            assert health(bot) == 200

            pg.freeze(postmaster_only=True)  # takes no new connections; open ones still answer
            assert health(bot) == 503
            pg.thaw()
            slack.wait_for(lambda: health(bot) == 200, timeout=10, message="healthy again")

            pg.freeze()  # every process: nothing answers, on open connections either
            assert health(bot) == 503
            assert health(bot) == 503, "a check still out is not doubled up: answered at once"
            seen = len(slack.ephemerals(DEFENDER, SHARED_CHANNEL))
            delivery = slack.slash_command(DEFENDER, SHARED_CHANNEL, "/referral", "need:housing Frozen day.")
            assert delivery.acked and not delivery.timed_out
            answer = slack.wait_for(
                lambda: slack.ephemerals(DEFENDER, SHARED_CHANNEL)[seen:], timeout=30, message="an answer"
            )
            assert "Liaison can't reach its database right now; nothing was saved" in visible_text(answer[0])
            pg.thaw()
            slack.wait_for(lambda: health(bot) == 200, timeout=10, message="healthy again")
            assert "role *defender*" in typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/liaison", "whoami")
            assert referrals(pg.url) == 1, "the referral typed while frozen was not half-saved"
        finally:
            assert bot.process.stop() == 0, bot.process.output
