"""Nothing doubled, through the bot as a process over HTTP on SQLite and PostgreSQL: a replayed command,
click or form does nothing, on the instance that took it first or another on the same database; a card
whose answer was lost is found by the item its metadata names and kept, not posted twice. What else is
guaranteed (forged values, periods, odd text, forms cut to fit): tests/test_guarantees.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.sandbox import Delivery, Sandbox, visible_text
from tests.botproc import BotProcess
from tests.databases import BACKENDS, database_url
from tests.office import (
    DEFENDER,
    PARTNER_USER,
    SHARED_CHANNEL,
    RunningBot,
    add_legal_aid,
    bot_settings,
    office,
    running_bot,
)
from tests.office import command as typed
from tests.test_guarantees import card_of, cards_of, referral, set_up

pytestmark = pytest.mark.e2e

IGNORED = "ignored a replayed request"
LOST = "The answer is lost."


@pytest.fixture(scope="module")
def bot(slack: Sandbox, http_bot: RunningBot) -> RunningBot:
    set_up(slack, http_bot)
    return http_bot


def replayed(slack: Sandbox, bot: RunningBot, original: Delivery) -> Delivery:
    """The same signed request again; returns once the bot has said it ignored it."""
    ignored = bot.process.output.count(IGNORED)
    again = slack.replay(original)
    assert again.status == 200 and again.body == "", again
    slack.wait_for(lambda: bot.process.output.count(IGNORED) > ignored, message="the replay ignored")
    return again


# ---- 1. replays ----------------------------------------------------------------------------------------


def test_a_replayed_slash_command_makes_no_second_referral(slack: Sandbox, bot: RunningBot) -> None:
    seen, posted = len(slack.ephemerals(DEFENDER, SHARED_CHANNEL)), len(slack.messages(SHARED_CHANNEL))
    delivery = slack.slash_command(DEFENDER, SHARED_CHANNEL, "/referral", "need:housing Replayed once.")
    answer = slack.wait_for(lambda: slack.ephemerals(DEFENDER, SHARED_CHANNEL)[seen:], message="the answer")
    ref = visible_text(answer[0]).split("*")[1]
    replayed(slack, bot, delivery)
    assert len(slack.messages(SHARED_CHANNEL)[posted:]) == 1 == len(cards_of(slack, ref, posted))
    assert len(slack.ephemerals(DEFENDER, SHARED_CHANNEL)) == seen + 1, "one answer, to the first"


def test_a_replayed_click_and_a_replayed_form_do_nothing_again(slack: Sandbox, bot: RunningBot) -> None:
    ref, card = referral(slack, bot, "Client needs a shelter bed.")
    partner_seen = len(slack.ephemerals(PARTNER_USER, SHARED_CHANNEL))
    accept = slack.click(PARTNER_USER, SHARED_CHANNEL, card.ts, "referral.move.accepted")
    slack.wait_for(lambda: "accepted" in visible_text(card_of(slack, ref)), message="accepted")

    def said_accepted() -> list[str]:
        lines = [visible_text(m) for m in slack.messages(SHARED_CHANNEL, thread_ts=card.ts)]
        return [line for line in lines if f"accepted {ref}" in line]

    slack.wait_for(said_accepted, message="the thread line")  # posted after the card is redrawn
    replayed(slack, bot, accept)
    assert len(said_accepted()) == 1, said_accepted()
    assert len(slack.ephemerals(PARTNER_USER, SHARED_CHANNEL)) == partner_seen, "not told it was accepted"

    slack.slash_command(DEFENDER, SHARED_CHANNEL, "/advocacy")
    view = slack.wait_for(lambda: slack.open_views(DEFENDER), message="the form")[-1]
    posted = len(slack.messages(SHARED_CHANNEL))
    submitted = slack.submit_view(DEFENDER, view.id, {"title": {"value": "File a comment on the rule."}})
    assert submitted.acked and not submitted.problems, submitted
    made = slack.wait_for(lambda: slack.messages(SHARED_CHANNEL)[posted:], message="the action item's card")
    replayed(slack, bot, submitted)
    assert slack.messages(SHARED_CHANNEL)[posted:] == made and len(made) == 1


# ---- 2. cards carry their item; a lost answer is not a second card -------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_card_names_its_item_and_a_post_whose_answer_was_lost_is_kept_once(
    tmp_path: Path, backend: str
) -> None:
    """On a stand-in and a bot of its own: what it counts (lookups of the channel's history) is its own."""
    with office() as slack, running_bot(slack, tmp_path, backend, "http") as bot:
        set_up(slack, bot)
        _a_lost_answer_is_kept_once(slack, bot)


def _a_lost_answer_is_kept_once(slack: Sandbox, bot: RunningBot) -> None:
    ref, card = referral(slack, bot, "An ordinary day.")
    assert card.metadata is not None and card.metadata["event_type"] == "liaison_item"
    assert card.metadata["event_payload"]["ref"] == ref

    looked, posted = len(slack.calls("conversations.history")), len(slack.messages(SHARED_CHANNEL))
    # Slack takes the card and its answer is lost (not any other post the bot may be making meanwhile).
    slack.fail(
        "chat.postMessage", status=503, times=1, after=True, where=lambda args: LOST in json.dumps(args)
    )
    try:
        answer = typed(slack, bot, DEFENDER, SHARED_CHANNEL, "/referral", f"need:housing {LOST}")
    finally:
        slack.clear_faults()
    assert answer.startswith("Sent *R-"), answer
    lost = answer.split("*")[1]
    assert len(cards_of(slack, lost, posted)) == 1, "found by its metadata, not posted again"
    assert len(slack.calls("conversations.history")) > looked, [
        (c.method, c.status, c.error) for c in slack.calls()[-12:]
    ]
    moved = slack.click(PARTNER_USER, SHARED_CHANNEL, card_of(slack, lost).ts, "referral.move.accepted")
    assert moved.acked
    slack.wait_for(lambda: "accepted" in visible_text(card_of(slack, lost)), message="its card redrawn")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_replay_sent_to_another_instance_does_nothing(slack: Sandbox, tmp_path: Path, backend: str) -> None:
    """What identifies a delivery is kept in the database, so it holds for every instance on it, and for
    the same one after a restart (which is another process on the same database). SQLite serves one
    instance at a time: there the second is the first one started again."""
    serving = slack.bot_url
    with database_url(backend, tmp_path) as url:
        instances = []

        def start(name: str) -> RunningBot:
            (tmp_path / name).mkdir()  # each its own journal
            process = BotProcess(tmp_path / name, ["--http"], **bot_settings(slack, url))
            instances.append(RunningBot(process, "http", url, slack))
            process.wait_until_serving()
            return instances[-1]

        try:
            one = start("one")
            two = start("two") if backend == "postgresql" else None
            slack.bot_url = f"{one.process.url}/slack/events"
            add_legal_aid(slack, one)
            posted = len(slack.messages(SHARED_CHANNEL))
            seen = len(slack.ephemerals(DEFENDER, SHARED_CHANNEL))
            delivery = slack.slash_command(DEFENDER, SHARED_CHANNEL, "/referral", "need:housing Sent to one.")
            slack.wait_for(lambda: slack.ephemerals(DEFENDER, SHARED_CHANNEL)[seen:], message="the answer")
            if two is None:
                assert one.process.stop() == 0, one.process.output
                two = start("two")
            slack.bot_url = f"{two.process.url}/slack/events"
            replayed(slack, two, delivery)
            assert len(slack.messages(SHARED_CHANNEL)[posted:]) == 1
            assert len(slack.ephemerals(DEFENDER, SHARED_CHANNEL)) == seen + 1
        finally:
            slack.bot_url = serving
            for instance in instances:
                assert instance.process.stop() == 0, instance.process.output
