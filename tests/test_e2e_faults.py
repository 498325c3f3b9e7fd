"""Faults Liaison must survive, each through the stand-in on SQLite and PostgreSQL: Slack down after the
client's retries (the outbox), 429 with Retry-After, bulk sends paced under Slack's limits, every command
acknowledged within 3 seconds while Slack or the database is slow, and the process killed between
storing a referral and posting its card.

Elsewhere: redelivered events and double clicks (test_e2e_referral_loop, test_e2e_consults), the database
going away and coming back (test_e2e_http), Socket Mode reconnecting (test_e2e_commands' socket bot and
test_sandbox), bad signatures, stale timestamps and replays (test_e2e_http, test_sandbox)."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
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
    OFFICE_CHANNEL,
    PARTNER_USER,
    SHARED_CHANNEL,
    RunningBot,
    add_legal_aid,
    bot_settings,
)
from tests.office import command as typed

pytestmark = pytest.mark.e2e

NEWCOMER = "U0NEW"  # home staff Liaison has never looked up: their first command asks Slack who they are
LATER = "2026-11-24T14:30:00Z"  # a tick half an hour after the office's clock starts


@pytest.fixture(scope="module")
def slack(slack: Sandbox) -> Sandbox:
    slack.add_user(NEWCOMER, "nia", tz="America/New_York")
    slack.add_member(SHARED_CHANNEL, NEWCOMER)
    return slack


@pytest.fixture(scope="module")
def bot(slack: Sandbox, http_bot: RunningBot) -> RunningBot:
    add_legal_aid(slack, http_bot)
    return http_bot


def referral(slack: Sandbox, bot: RunningBot, details: str) -> str:
    return typed(slack, bot, DEFENDER, SHARED_CHANNEL, "/referral", f"need:housing {details}")


def cards(slack: Sandbox) -> list[str]:
    """The referral cards in the shared channel, by ID (the stand-in outlives one bot: refs repeat)."""
    return [m.text.split(" ")[0] for m in slack.messages(SHARED_CHANNEL) if " · Referral to" in m.text]


def card_text(slack: Sandbox, ref: str) -> tuple[str, str]:
    card = [m for m in slack.messages(SHARED_CHANNEL) if m.text.startswith(f"{ref} · Referral")][-1]
    return card.ts, visible_text(card)


def tick(slack: Sandbox, bot: RunningBot, tmp_path: Path, at: str = LATER) -> list[str]:
    result = run_cli(["tick", "--at", at], tmp_path, **bot_settings(slack, bot.db_url))
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_a_card_slack_cannot_take_is_kept_and_posted_by_the_next_tick_once(
    slack: Sandbox, bot: RunningBot, tmp_path: Path
) -> None:
    before = cards(slack)
    slack.fail("chat.postMessage", status=503, times=3)  # the client's two retries fail as well
    try:
        answer = referral(slack, bot, "Client faces eviction; Slack is down.")
    finally:
        slack.clear_faults()
    assert answer.startswith("Saved *R-") and "its card is not in the channel yet" in answer, answer
    ref = answer.split("*")[1]
    assert cards(slack) == before, "nothing is in the channel yet"
    assert "entered-in-error" not in typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/referral", f"show {ref}")

    assert f"posted the card of {ref}" in tick(slack, bot, tmp_path)
    assert cards(slack) == [*before, ref]
    told = [visible_text(m) for m in slack.dms(DEFENDER)]
    assert any(f"The card of {ref} is now up in" in t for t in told), told
    tick(slack, bot, tmp_path)
    assert cards(slack) == [*before, ref], "posted once, however many ticks follow"


def test_a_kept_card_whose_channel_liaison_can_no_longer_see_is_closed_and_said_once(
    slack: Sandbox, bot: RunningBot, tmp_path: Path
) -> None:
    slack.fail("chat.postMessage", status=503, times=3)
    try:
        ref = referral(slack, bot, "Client needs a lawyer; Slack is down.").split("*")[1]
    finally:
        slack.clear_faults()
    told_before = len(slack.dms(DEFENDER))
    slack.fail("conversations.info", status=200, error="channel_not_found", times=None)  # removed meanwhile
    try:
        tick(slack, bot, tmp_path)
        tick(slack, bot, tmp_path)
    finally:
        slack.clear_faults()
    assert ref not in cards(slack)
    told = [visible_text(m) for m in slack.dms(DEFENDER)[told_before:]]
    assert [t for t in told if ref in t] == [
        f"{ref} was not posted, and is closed unposted: Liaison can't see <#{SHARED_CHANNEL}>: invite it "
        "with `/invite @liaison`, then try again."
    ], told
    assert "*entered-in-error*" in typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/referral", f"show {ref}")


def test_a_move_slack_cannot_show_is_shown_by_the_next_tick_once(
    slack: Sandbox, bot: RunningBot, tmp_path: Path
) -> None:
    ref = referral(slack, bot, "Client needs a shelter bed.").split("*")[1]
    slack.fail("chat.update", status=500, times=3)
    try:
        moved = typed(slack, bot, DEFENDER, SHARED_CHANNEL, "/referral", f"cancel {ref} reason:duplicate")
    finally:
        slack.clear_faults()
    assert f"{ref} is now *cancelled*. Slack is not answering right now (internal_error)" in moved
    assert "the change is saved, and its card and thread will show it as soon as Slack answers" in moved
    ts, shown = card_text(slack, ref)
    assert "cancelled" not in shown
    assert slack.messages(SHARED_CHANNEL, thread_ts=ts) == [], "no line in the thread before the card"

    done = tick(slack, bot, tmp_path)
    assert any(line.startswith(f"sent the card {ref}") for line in done), done
    assert "cancelled" in card_text(slack, ref)[1]
    lines = [visible_text(m) for m in slack.messages(SHARED_CHANNEL, thread_ts=ts)]
    assert len(lines) == 1 and f"cancelled {ref}: duplicate" in lines[0], lines
    tick(slack, bot, tmp_path)
    assert len(slack.messages(SHARED_CHANNEL, thread_ts=ts)) == 1, "the line is posted once"


def test_a_line_slack_refuses_for_good_at_the_tick_is_told_to_the_requester(
    slack: Sandbox, bot: RunningBot, tmp_path: Path
) -> None:
    """A move's thread line was kept while Slack was down; by the tick the channel was archived, so it can
    never be posted: the requester hears so (the log alone is not telling anyone)."""
    ref = referral(slack, bot, "Client needs a lawyer soon.").split("*")[1]
    slack.fail("chat.postMessage", status=503, times=3)  # the thread line, and the client's two retries
    try:
        moved = typed(slack, bot, DEFENDER, SHARED_CHANNEL, "/referral", f"cancel {ref} reason:duplicate")
    finally:
        slack.clear_faults()
    assert "its card and thread will show it as soon as Slack answers" in moved, moved
    told_before = len(slack.dms(DEFENDER))
    slack.fail("chat.postMessage", status=200, error="is_archived", times=1)  # the kept line, at the tick
    try:
        done = tick(slack, bot, tmp_path)
    finally:
        slack.clear_faults()
    assert not [line for line in done if line.startswith(f"sent the thread {ref}")], done
    told = [visible_text(m) for m in slack.dms(DEFENDER)[told_before:]]
    assert told == [
        f"Liaison has stopped trying to show a change of *{ref}* in <#{SHARED_CHANNEL}>: a line could not be "
        f"posted in its thread (Slack answered `is_archived`). The change is saved: `/referral show {ref}` "
        "shows it."
    ], told


def test_a_429_is_waited_out_for_as_long_as_retry_after_says(slack: Sandbox, bot: RunningBot) -> None:
    since = time.time()
    slack.fail("chat.postMessage", status=429, retry_after=2, times=1)
    try:
        assert referral(slack, bot, "Rate limited day.").startswith("Sent *R-")  # acknowledged at once
    finally:
        slack.clear_faults()
    refused = [c for c in slack.calls("chat.postMessage") if c.at >= since and c.status == 429]
    posts = [c for c in slack.calls("chat.postMessage") if c.at >= since and c.ok]
    assert len(refused) == 1 and len(posts) == 1
    assert posts[0].at - refused[0].at >= 2, "the retry came no sooner than Retry-After"


def test_cards_kept_during_an_outage_go_out_paced_under_slacks_limit(
    slack: Sandbox, bot: RunningBot, tmp_path: Path
) -> None:
    """Eight referrals saved while Slack was down: the tick that posts them keeps to about one message a
    second in the channel (and in the requester's DMs), where unpaced most would be answered 429."""
    before, seen = len(cards(slack)), len(slack.ephemerals(DEFENDER, SHARED_CHANNEL))
    slack.fail("chat.postMessage", status=503, times=8 * 3)  # each card: a try and the client's 2 retries
    try:
        for n in range(8):
            delivery = slack.slash_command(DEFENDER, SHARED_CHANNEL, "/referral", f"need:housing Outage {n}.")
            assert delivery.acked and not delivery.timed_out
        slack.wait_for(
            lambda: len(slack.ephemerals(DEFENDER, SHARED_CHANNEL)) == seen + 8,
            timeout=30,
            message="8 answers",
        )
    finally:
        slack.clear_faults()
    saved = [visible_text(e) for e in slack.ephemerals(DEFENDER, SHARED_CHANNEL)[seen:]]
    assert all("Saved *R-" in answer for answer in saved), saved
    since = time.time()
    slack.enforce_rate_limits()
    try:
        posted = [line for line in tick(slack, bot, tmp_path) if line.startswith("posted the card of")]
    finally:
        slack.enforce_rate_limits(False)
    assert len(posted) == 8 and len(cards(slack)) == before + 8
    assert [c.method for c in slack.calls() if c.at >= since and c.status == 429] == []


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


def test_a_command_is_acknowledged_in_time_while_the_database_is_locked(
    slack: Sandbox, bot: RunningBot
) -> None:
    """Another writer holds the referral table for four seconds (less than Liaison waits for a statement,
    storage/db.py STATEMENT_SECONDS): the person sees no timeout, no answer comes while the table is held,
    and the referral is stored once the lock is gone."""
    engine = create_engine(bot.db_url)
    locked, acked = threading.Event(), threading.Event()
    released: list[float] = []  # when the other writer let go, by the clock Slack's timestamps follow

    def hold_the_lock() -> None:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.execute(text("BEGIN"))
                conn.execute(text("LOCK TABLE referral IN ACCESS EXCLUSIVE MODE"))
            locked.set()
            acked.wait(10)
            time.sleep(4)  # how long the other writer works (the scenario, not a wait for anything to happen)
            released.append(time.time())
            conn.rollback()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert locked.wait(10)
        seen = len(slack.ephemerals(DEFENDER, SHARED_CHANNEL))
        delivery = slack.slash_command(DEFENDER, SHARED_CHANNEL, "/referral", "need:housing Locked day.")
        acked.set()
        assert delivery.acked and not delivery.timed_out, delivery
    finally:
        acked.set()
        holder.join()
        engine.dispose()
    answer = slack.wait_for(lambda: slack.ephemerals(DEFENDER, SHARED_CHANNEL)[seen:], timeout=20)
    assert [float(a.ts) > released[0] for a in answer] == [True], "one answer, after the table was let go"
    assert visible_text(answer[0]).startswith("Sent *R-"), visible_text(answer[0])


def test_a_database_locked_longer_than_its_timeout_gets_a_fast_nothing_was_saved(
    slack: Sandbox, bot: RunningBot
) -> None:
    """Another writer holds the referral table for far longer than Liaison waits for a statement (SQLite's
    busy timeout, PostgreSQL's statement_timeout): the person is told nothing was saved while the lock is
    still held, and nothing is."""
    engine = create_engine(bot.db_url)
    locked, release = threading.Event(), threading.Event()
    before = _referral_count(bot)

    def hold_the_lock() -> None:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.execute(text("BEGIN"))
                conn.execute(text("LOCK TABLE referral IN ACCESS EXCLUSIVE MODE"))
            locked.set()
            release.wait(60)
            conn.rollback()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert locked.wait(10)
        seen = len(slack.ephemerals(DEFENDER, SHARED_CHANNEL))
        delivery = slack.slash_command(DEFENDER, SHARED_CHANNEL, "/referral", "need:housing Held up.")
        assert delivery.acked and not delivery.timed_out, delivery
        answer = slack.wait_for(lambda: slack.ephemerals(DEFENDER, SHARED_CHANNEL)[seen:], timeout=30)
        assert not release.is_set(), "answered while the lock is still held"
    finally:
        release.set()
        holder.join()
        engine.dispose()
    assert "Liaison can't reach its database right now; nothing was saved" in visible_text(answer[0])
    assert _referral_count(bot) == before


def _referral_count(bot: RunningBot) -> int:
    db = Database(bot.db_url, Keyring([DATA_KEY]))
    try:
        with db.session() as session:
            return len(session.exec(select(Referral.id)).all())
    finally:
        db.dispose()


@pytest.mark.parametrize("during", [False, True], ids=["before-slack-took-it", "after-slack-took-it"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_bot_killed_while_posting_a_card_gives_it_one_card_after_restart(
    slack: Sandbox, tmp_path: Path, backend: str, during: bool
) -> None:
    """Killed while Slack sits on the card's post: either Slack has not taken it yet, or it has (the
    message is in the channel, the answer never came). Either way the referral gets one card after the
    restart; one Slack took is found by its metadata, redrawn, and its buttons work."""
    serving = slack.bot_url  # the module's bot, given back at the end
    with database_url(backend, tmp_path) as url:
        first = BotProcess(tmp_path, ["--http"], **bot_settings(slack, url))
        first.wait_until_serving()
        slack.bot_url = f"{first.url}/slack/events"
        add_legal_aid(slack, RunningBot(first, "http", url))
        before = cards(slack)
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
            slack.wait_for(lambda: cards(slack) == [*before, "R-1"], message="Slack took the card")
        assert first.stop(signal.SIGKILL) == -signal.SIGKILL
        slack.clear_faults()

        second = BotProcess(tmp_path, ["--http"], **bot_settings(slack, url))
        try:
            second.wait_until_serving()
            running = RunningBot(second, "http", url)
            slack.bot_url = f"{second.url}/slack/events"
            if backend == "postgresql":
                # Another instance could be posting that card right now: its claim is left for five minutes.
                assert "posted the card of R-1" in tick(slack, running, tmp_path, "2026-11-24T14:10:00Z")
            slack.wait_for(lambda: cards(slack) == [*before, "R-1"], timeout=10, message="one card")
            tick(slack, running, tmp_path, "2026-11-24T14:20:00Z")
            assert cards(slack) == [*before, "R-1"]
            ts, _shown = card_text(slack, "R-1")
            if during:
                assert [c for c in slack.calls("chat.update") if c.args.get("ts") == ts], "redrawn"
            slack.click(PARTNER_USER, SHARED_CHANNEL, ts, "referral.move.accepted")
            slack.wait_for(lambda: "accepted" in card_text(slack, "R-1")[1], message="its buttons work")
        finally:
            slack.bot_url = serving
            assert second.stop() == 0, second.output


def _claimed(db: Database) -> bool:
    with db.session() as session:
        stored = session.exec(select(Referral)).all()
    return len(stored) == 1 and (stored[0].card_ts or "").startswith("posting:")
