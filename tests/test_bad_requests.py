"""Property-based bad requests against the real bot, through the stand-in, the bot in this process on
SQLite and PostgreSQL: arbitrary JSON in the events, clicks and form submissions Slack could send, and
every example request in Slack's own files. Whatever comes in: no exception escapes (the bot's log shows
no traceback), every request gets a 2xx or a 4xx, and a rejected one stores nothing. Arbitrary text at
every command: tests/test_bad_input.py."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.sandbox import Sandbox
from commands.kinds import referral
from tests.inprocess import InProcessBot
from tests.office import DEFENDER, PARTNER_USER, SHARED_CHANNEL, Bot
from tests.slack_originals import examples, needs_slack_files
from tests.test_bad_input import RUNS, Watch, set_up


@pytest.fixture(scope="module")
def bot(slack: Sandbox, in_process: InProcessBot) -> InProcessBot:
    set_up(slack, in_process)
    return in_process


# ---- events, clicks and forms ------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


def _patched(base: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    """`base` with some fields replaced by arbitrary JSON or removed, at any depth."""
    payload = copy.deepcopy(base)
    for _ in range(data.draw(st.integers(1, 5))):
        node: Any = payload
        while isinstance(node, dict) and node and data.draw(st.booleans()):
            child = node[data.draw(st.sampled_from(sorted(node)))]
            if not isinstance(child, dict) or not child:
                break
            node = child
        if not isinstance(node, dict) or not node:
            continue
        key = data.draw(st.sampled_from(sorted(node)))
        if data.draw(st.booleans()):
            del node[key]
        else:
            node[key] = data.draw(JSON_VALUES)
    return payload


def _card_click(slack: Sandbox) -> dict[str, Any]:
    """The requester pressing the partner's Accept: well-formed, and refused (it is not theirs to press),
    so whatever survives the patching must leave nothing stored."""
    card = next(m for m in slack.messages(SHARED_CHANNEL) if " · Referral to" in m.text)
    buttons = [b for b in card.blocks or [] if b["type"] == "actions"]
    action = buttons[0]["elements"][0]["action_id"]
    assert action.endswith(".accepted"), action
    user, channel = slack.workspace.users[DEFENDER], slack.workspace.channels[SHARED_CHANNEL]
    with slack.workspace.lock:
        return slack.payloads.message_click(user, channel, card, action, None, False)


def _reply_event(slack: Sandbox) -> dict[str, Any]:
    card = next(m for m in slack.messages(SHARED_CHANNEL) if " · Referral to" in m.text)
    return {
        "type": "message",
        "channel": SHARED_CHANNEL,
        "channel_type": "channel",
        "user": PARTNER_USER,
        "user_team": "T0LEGAL",
        "text": "We can help.",
        "ts": "1800000000.000100",
        "thread_ts": card.ts,
        "event_ts": "1800000000.000100",
    }


def _deliver(slack: Sandbox, kind: str, payload: dict[str, Any]) -> int | None:
    if kind == "event":
        return slack.send_event(payload).status
    body = b"payload=" + json.dumps(payload).encode()
    return slack.post_raw(body, slack.driver.signed_headers(body, "application/x-www-form-urlencoded")).status


@pytest.mark.parametrize("kind", ["event", "click", "form"])
def test_arbitrary_json_in_events_clicks_and_forms_is_answered_2xx_or_4xx_and_changes_nothing(
    slack: Sandbox, bot: Bot, kind: str
) -> None:
    if kind == "event":
        base = _reply_event(slack)
    else:
        base = _card_click(slack)
        if kind == "form":
            base = {
                **{k: base[k] for k in ("user", "team", "api_app_id", "token", "is_enterprise_install")},
                "type": "view_submission",
                "view": {
                    "id": "V0FUZZ",
                    "type": "modal",
                    "callback_id": referral.FORM_CALLBACK,
                    "private_metadata": json.dumps({"channel": SHARED_CHANNEL}),
                    "state": {"values": {"to": {"to": {"type": "static_select", "selected_option": None}}}},
                },
            }

    @RUNS
    @given(st.data())
    def check(data: st.DataObject) -> None:
        payload = _patched(base, data)
        watch = Watch(bot)
        status = _deliver(slack, kind, payload)
        assert status is not None and (200 <= status < 300 or 400 <= status < 500), status
        watch.assert_nothing_escaped()
        if kind != "event":  # an event may be a real reply in a card's thread, which is kept
            watch.assert_nothing_stored()

    check()


SLACKS_OWN_KINDS = (
    "view_submission",
    "block_actions",
    "app_home_opened",
    "message_event",
    "message_event_thread",
)


@needs_slack_files
@pytest.mark.parametrize("kind", SLACKS_OWN_KINDS)
def test_the_payloads_slack_itself_wrote_pass_the_shape_check(slack: Sandbox, bot: Bot, kind: str) -> None:
    """The 400 for malformed requests must never catch a real one: every example in Slack's own files
    gets past the shape check (to a listener, or to Bolt's 404 for one it lacks). Without those files,
    tests/test_slack_facts.py checks that what the shape check requires is in every request Slack sends."""
    for number, payload in enumerate(examples(kind)):
        watch = Watch(bot)
        status = (
            slack.send_event(payload["event"]).status
            if payload.get("type") == "event_callback"
            else _deliver(slack, "click", payload)
        )
        refused = "not shaped as Slack sends it" in watch.new_log()
        assert status != 400 and not refused, (kind, number, status)
