"""Nothing doubled, nothing forged, nothing refused that should be cut to fit, through the stand-in on SQLite
and PostgreSQL: a replayed command, click or form does nothing; every card names its item in its message
metadata, and a card whose answer was lost is found and kept, not posted twice; a forged snooze is
bounded; export and stats periods from the year 1 to 9999; a reply holding half a surrogate pair; a form
pre-filled with more than it takes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox import Delivery, Message, Sandbox, visible_text
from commands.reminders import SNOOZE_ACTION
from tests.botproc import BotProcess, run_cli
from tests.databases import BACKENDS, database_url
from tests.office import (
    ADMIN,
    DEFENDER,
    OFFICE_CHANNEL,
    PARTNER_USER,
    SHARED_CHANNEL,
    RunningBot,
    add_legal_aid,
    bot_settings,
    populate,
    shown_eventually,
)
from tests.office import command as typed

IGNORED = "ignored a replayed request"


@pytest.fixture(scope="module")
def slack() -> Iterator[Sandbox]:
    with Sandbox() as sandbox:
        populate(sandbox)
        yield sandbox


@pytest.fixture(scope="module")
def bot(slack: Sandbox, http_bot: RunningBot) -> RunningBot:
    add_legal_aid(slack, http_bot, scope="referral,consult,advocacy")
    return http_bot


def referral(slack: Sandbox, bot: RunningBot, details: str) -> tuple[str, Message]:
    answer = typed(slack, bot, DEFENDER, SHARED_CHANNEL, "/referral", f"need:housing {details}")
    ref = answer.split("*")[1]
    return ref, card_of(slack, ref)


def card_of(slack: Sandbox, ref: str) -> Message:
    """The newest card of `ref` (the module's stand-in outlives one bot, so IDs repeat in the channel)."""
    return cards_of(slack, ref)[-1]


def cards_of(slack: Sandbox, ref: str, since: int = 0) -> list[Message]:
    return [m for m in slack.messages(SHARED_CHANNEL)[since:] if m.text.startswith(f"{ref} · ")]


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


def test_a_card_names_its_item_and_a_post_whose_answer_was_lost_is_kept_once(
    slack: Sandbox, bot: RunningBot
) -> None:
    ref, card = referral(slack, bot, "An ordinary day.")
    assert card.metadata is not None and card.metadata["event_type"] == "liaison_item"
    assert card.metadata["event_payload"]["ref"] == ref

    looked, posted = len(slack.calls("conversations.history")), len(slack.messages(SHARED_CHANNEL))
    slack.fail("chat.postMessage", status=503, times=1, after=True)  # Slack took it; the answer is lost
    try:
        answer = typed(slack, bot, DEFENDER, SHARED_CHANNEL, "/referral", "need:housing The answer is lost.")
    finally:
        slack.clear_faults()
    assert answer.startswith("Sent *R-"), answer
    lost = answer.split("*")[1]
    assert len(cards_of(slack, lost, posted)) == 1, "found by its metadata, not posted again"
    assert len(slack.calls("conversations.history")) > looked
    moved = slack.click(PARTNER_USER, SHARED_CHANNEL, card_of(slack, lost).ts, "referral.move.accepted")
    assert moved.acked
    slack.wait_for(lambda: "accepted" in visible_text(card_of(slack, lost)), message="its card redrawn")


# ---- 6. the snooze is the server's ---------------------------------------------------------------------


def forged_click(slack: Sandbox, user: str, card: Message, action_id: str, value: str) -> Delivery:
    """A click as a forger would send it: signed properly, but with a button value Liaison never wrote."""
    first_button = next(b for b in card.blocks or [] if b["type"] == "actions")["elements"][0]["action_id"]
    with slack.workspace.lock:
        payload: dict[str, Any] = slack.payloads.message_click(
            slack.workspace.users[user],
            slack.workspace.channels[SHARED_CHANNEL],
            card,
            first_button,
            None,
            False,
        )
    payload["actions"][0].update(action_id=action_id, value=value)
    return slack.driver.deliver("interactive", payload, "http")


def test_a_forged_snooze_holds_reminders_only_as_long_as_a_button_offers(
    slack: Sandbox, bot: RunningBot
) -> None:
    ref, card = referral(slack, bot, "Client wants quiet.")
    seen = len(slack.ephemerals(DEFENDER, SHARED_CHANNEL))
    forged = json.dumps({"ref": ref, "days": 1, "from": "2099-01-01T00:00:00+00:00"})
    assert forged_click(slack, DEFENDER, card, f"{SNOOZE_ACTION}.1", forged).acked
    told = visible_text(slack.wait_for(lambda: slack.ephemerals(DEFENDER, SHARED_CHANNEL)[seen:])[-1])
    # The office's clock starts on Tuesday, November 24, 2026: one day from now, whatever the value said.
    assert f"No reminders about {ref} until Wednesday, November 25" in told and "2099" not in told, told

    seen += 1
    too_long = json.dumps({"ref": ref, "days": 3650})
    assert forged_click(slack, DEFENDER, card, f"{SNOOZE_ACTION}.3", too_long).acked
    told = visible_text(slack.wait_for(lambda: slack.ephemerals(DEFENDER, SHARED_CHANNEL)[seen:])[-1])
    assert told == "Reminders can be snoozed for 1 or 3 days.", told


# ---- 7. periods Liaison can't hold ---------------------------------------------------------------------


def test_export_and_stats_from_year_1_to_9999_are_cut_to_what_liaison_holds(
    slack: Sandbox, bot: RunningBot, tmp_path: Path
) -> None:
    span = "2000-01-01 (the earliest Liaison keeps) to 2026-11-24 (today)"
    exported = typed(
        slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", "export referrals from:0001-01-01 to:9999-12-31"
    )
    assert exported.startswith("Sent `liaison-referrals-2026-11-24.csv`") and span in exported, exported
    stats = typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", "stats from:0001-01-01 to:9999-12-31")
    assert stats.startswith(f"*Liaison, {span}* (counts only)"), stats
    result = run_cli(
        ["export", "referrals", "--from", "0001-01-01", "--to", "9999-12-31"],
        tmp_path,
        **bot_settings(slack, bot.db_url),
    )
    assert result.returncode == 0 and result.stdout.startswith("id,status,"), result.stderr


# ---- 8. half a surrogate pair --------------------------------------------------------------------------


def test_a_reply_holding_a_lone_surrogate_is_kept_with_it_replaced(slack: Sandbox, bot: RunningBot) -> None:
    ref, card = referral(slack, bot, "Client's papers.")
    _ts, delivery = slack.post_as_user(
        PARTNER_USER, SHARED_CHANNEL, "Got the papers \ud800 thanks", thread_ts=card.ts
    )
    assert delivery is not None and delivery.acked
    shown = shown_eventually(slack, bot, DEFENDER, "/referral", ref, "Got the papers")
    assert "Got the papers \ufffd thanks" in shown


# ---- 10. a form pre-filled with more than it takes -----------------------------------------------------


def test_a_form_prefilled_beyond_its_limit_is_cut_to_fit_and_says_so(slack: Sandbox, bot: RunningBot) -> None:
    typed_text = "Client needs help. " * 173  # 3,287 characters, and no need: so the form opens
    slack.slash_command(DEFENDER, SHARED_CHANNEL, "/referral", typed_text.strip())
    view = slack.wait_for(lambda: slack.open_views(DEFENDER), message="the form")[-1]
    (details,) = [b for b in view.blocks if b.get("block_id") == "details"]
    assert len(details["element"]["initial_value"]) == details["element"]["max_length"] == 2500
    assert (
        "What you typed was 3,286 characters; this takes 2,500, so it was cut to fit"
        in details["hint"]["text"]
    )
    slack.close_view(DEFENDER, view.id)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_replay_sent_to_another_instance_does_nothing(slack: Sandbox, tmp_path: Path, backend: str) -> None:
    """What identifies a delivery is kept in the database, so it holds for every instance on it, and for
    the same one after a restart (which is another process on the same database)."""
    serving = slack.bot_url
    with database_url(backend, tmp_path) as url:
        instances = []
        try:
            for name in ("one", "two"):
                (tmp_path / name).mkdir()  # each its own journal
                process = BotProcess(tmp_path / name, ["--http"], **bot_settings(slack, url))
                instances.append(RunningBot(process, "http", url))
                process.wait_until_serving()
            one, two = instances
            slack.bot_url = f"{one.process.url}/slack/events"
            add_legal_aid(slack, one)
            posted = len(slack.messages(SHARED_CHANNEL))
            seen = len(slack.ephemerals(DEFENDER, SHARED_CHANNEL))
            delivery = slack.slash_command(DEFENDER, SHARED_CHANNEL, "/referral", "need:housing Sent to one.")
            slack.wait_for(lambda: slack.ephemerals(DEFENDER, SHARED_CHANNEL)[seen:], message="the answer")
            slack.bot_url = f"{two.process.url}/slack/events"
            replayed(slack, two, delivery)
            assert len(slack.messages(SHARED_CHANNEL)[posted:]) == 1
            assert len(slack.ephemerals(DEFENDER, SHARED_CHANNEL)) == seen + 1
        finally:
            slack.bot_url = serving
            for instance in instances:
                assert instance.process.stop() == 0, instance.process.output
