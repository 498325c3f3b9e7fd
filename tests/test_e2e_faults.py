"""Slack failing Liaison, through the stand-in to the bot as a process on SQLite and PostgreSQL: Slack down
after the client's retries (the outbox, finished by the next `liaison tick`), a refusal for good at the
tick, 429 with Retry-After, and bulk sends paced under Slack's limits.

Elsewhere: commands acknowledged in time while Slack or the database is slow (test_e2e_slow), the process
killed between storing a referral and posting its card (test_e2e_crashes, test_e2e_recovery), the
database going away and coming back (test_e2e_http, test_e2e_outages), redelivered events and double
clicks (test_referral_loop, test_consults), Socket Mode reconnecting (test_e2e_commands' socket bot and
test_sandbox), bad signatures, stale timestamps and replays (test_e2e_http, test_e2e_guarantees,
test_e2e_malformed, test_sandbox)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.sandbox import Sandbox, visible_text
from tests.botproc import run_cli
from tests.office import (
    DEFENDER,
    OFFICE_CHANNEL,
    SHARED_CHANNEL,
    RunningBot,
    add_legal_aid,
    bot_settings,
)
from tests.office import command as typed

pytestmark = pytest.mark.e2e

LATER = "2026-11-24T14:30:00Z"  # a tick half an hour after the office's clock starts


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
    before = cards(slack)  # the module's other bot's too: its refs repeat this one's
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
    assert cards(slack) == before, "no card went up"
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


def answers(slack: Sandbox, seen: int) -> list[str]:
    """The defender's answers since the first `seen`, leaving out notices that a command is queued."""
    shown = [visible_text(e) for e in slack.ephemerals(DEFENDER, SHARED_CHANNEL)[seen:]]
    return [answer for answer in shown if not answer.startswith("Liaison is busy")]


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
        # Each command waits for the one worker while Slack is retried: some are told they are queued.
        slack.wait_for(lambda: len(answers(slack, seen)) == 8, timeout=60, message="8 answers")
    finally:
        slack.clear_faults()
    saved = answers(slack, seen)
    assert all("Saved *R-" in answer for answer in saved), saved
    since = time.time()
    slack.enforce_rate_limits()
    try:
        posted = [line for line in tick(slack, bot, tmp_path) if line.startswith("posted the card of")]
    finally:
        slack.enforce_rate_limits(False)
    assert len(posted) == 8 and len(cards(slack)) == before + 8
    assert [c.method for c in slack.calls() if c.at >= since and c.status == 429] == []
