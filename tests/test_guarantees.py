"""Nothing forged, nothing refused that should be cut to fit, through the stand-in, the bot in this process
on SQLite and PostgreSQL: every card names its item in its message metadata; a forged snooze is bounded;
export and stats periods from the year 1 to 9999; a reply holding half a surrogate pair; a form
pre-filled with more than it takes. Nothing doubled (replays over HTTP, a lost answer, another instance):
tests/test_e2e_guarantees.py."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.sandbox import Delivery, Message, Sandbox, visible_text
from commands.reminders import SNOOZE_ACTION
from tests.inprocess import InProcessBot
from tests.office import (
    ADMIN,
    DEFENDER,
    OFFICE_CHANNEL,
    PARTNER_USER,
    SHARED_CHANNEL,
    Bot,
    add_legal_aid,
    shown_eventually,
)
from tests.office import command as typed


def set_up(slack: Sandbox, bot: Bot) -> None:
    add_legal_aid(slack, bot, scope="referral,consult,advocacy")


@pytest.fixture(scope="module")
def bot(slack: Sandbox, in_process: InProcessBot) -> InProcessBot:
    set_up(slack, in_process)
    return in_process


def referral(slack: Sandbox, bot: Bot, details: str) -> tuple[str, Message]:
    answer = typed(slack, bot, DEFENDER, SHARED_CHANNEL, "/referral", f"need:housing {details}")
    ref = answer.split("*")[1]
    return ref, card_of(slack, ref)


def card_of(slack: Sandbox, ref: str) -> Message:
    """The newest card of `ref` (the module's stand-in outlives one bot, so IDs repeat in the channel)."""
    return cards_of(slack, ref)[-1]


def cards_of(slack: Sandbox, ref: str, since: int = 0) -> list[Message]:
    return [m for m in slack.messages(SHARED_CHANNEL)[since:] if m.text.startswith(f"{ref} · ")]


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


def test_a_forged_snooze_holds_reminders_only_as_long_as_a_button_offers(slack: Sandbox, bot: Bot) -> None:
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
    slack: Sandbox, bot: InProcessBot
) -> None:
    span = "2000-01-01 (the earliest Liaison keeps) to 2026-11-24 (today)"
    exported = typed(
        slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", "export referrals from:0001-01-01 to:9999-12-31"
    )
    assert exported.startswith("Sent `liaison-referrals-2026-11-24.csv`") and span in exported, exported
    stats = typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", "stats from:0001-01-01 to:9999-12-31")
    assert stats.startswith(f"*Liaison, {span}* (counts only)"), stats
    result = bot.cli(["export", "referrals", "--from", "0001-01-01", "--to", "9999-12-31"])
    assert result.returncode == 0 and result.stdout.startswith("id,status,"), result.stderr


# ---- 8. half a surrogate pair --------------------------------------------------------------------------


def test_a_reply_holding_a_lone_surrogate_is_kept_with_it_replaced(slack: Sandbox, bot: Bot) -> None:
    ref, card = referral(slack, bot, "Client's papers.")
    _ts, delivery = slack.post_as_user(
        PARTNER_USER, SHARED_CHANNEL, "Got the papers \ud800 thanks", thread_ts=card.ts
    )
    assert delivery is not None and delivery.acked
    shown = shown_eventually(slack, bot, DEFENDER, "/referral", ref, "Got the papers")
    assert "Got the papers \ufffd thanks" in shown


# ---- 10. a form pre-filled with more than it takes -----------------------------------------------------


def test_a_form_prefilled_beyond_its_limit_is_cut_to_fit_and_says_so(slack: Sandbox, bot: Bot) -> None:
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
