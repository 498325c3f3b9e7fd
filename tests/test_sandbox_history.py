"""What the stand-in learned for issue 16, checked with slack_sdk's own client: conversations.history as its
catalog page describes it (newest first, metadata only when asked, its documented errors), message
metadata on chat.postMessage and chat.update, group DMs and the scopes they need, a fault that lets the
call take effect and loses only its answer, and plain-text inputs' length limits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from bot.sandbox import Sandbox
from tests.sandbox_helpers import web_client
from tests.test_sandbox import error_of

CARD = {"event_type": "liaison_item", "event_payload": {"ref": "R-1"}}


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox() as sandbox:
        sandbox.add_team("T0PART", "Legal Aid Society")
        sandbox.add_user("U1", "ana")
        sandbox.add_user("U2", "pat", team_id="T0PART")
        sandbox.add_channel("C1", "intake", members=["U1"])
        sandbox.add_channel("C3", "public-no-bot", members=["U1"], bot_member=False)
        yield sandbox


@pytest.fixture
def client(sb: Sandbox) -> WebClient:
    return web_client(sb)


def test_history_is_newest_first_with_metadata_only_when_asked(sb: Sandbox, client: WebClient) -> None:
    first = client.chat_postMessage(channel="C1", text="one", metadata=CARD)["ts"]
    client.chat_postMessage(channel="C1", text="a reply", thread_ts=first)
    second = client.chat_postMessage(channel="C1", text="two")["ts"]
    plain = client.conversations_history(channel="C1")
    assert [m["ts"] for m in plain["messages"]] == [second, first], "replies stay in their thread"
    assert all("metadata" not in m for m in plain["messages"])
    full = client.conversations_history(channel="C1", include_all_metadata=True)
    assert full["messages"][1]["metadata"] == CARD and "metadata" not in full["messages"][0]
    assert client.conversations_history(channel="C1", oldest=first)["messages"][0]["ts"] == second
    assert [m["ts"] for m in client.conversations_history(channel="C1", limit=1)["messages"]] == [second]
    assert client.conversations_history(channel="C1", limit=1)["has_more"] is True


def test_history_answers_its_documented_errors(client: WebClient) -> None:
    assert error_of(lambda: client.conversations_history(channel="C404")) == "channel_not_found"
    assert error_of(lambda: client.conversations_history(channel="C3")) == "not_in_channel"
    assert error_of(lambda: client.conversations_history(channel="C1", oldest="soon")) == "invalid_ts_oldest"


def test_metadata_is_checked_kept_by_an_update_and_removed_by_an_empty_one(client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C1", text="card", metadata=CARD)["ts"]
    client.chat_update(channel="C1", ts=ts, text="card, redrawn")
    assert (
        client.conversations_history(channel="C1", include_all_metadata=True)["messages"][0]["metadata"]
        == CARD
    )
    client.chat_update(channel="C1", ts=ts, text="card, bare", metadata={})
    assert (
        "metadata" not in client.conversations_history(channel="C1", include_all_metadata=True)["messages"][0]
    )
    bad = {"event_type": "liaison_item", "event_payload": "R-1"}
    assert error_of(lambda: client.chat_postMessage(channel="C1", text="x", metadata=bad)) == (
        "invalid_metadata_schema"
    )


def test_a_group_dm_needs_the_group_dm_scopes(sb: Sandbox, client: WebClient) -> None:
    sb.add_group_dm("G1", ["U1", "U2"])
    info = client.conversations_info(channel="G1")["channel"]
    assert info["is_mpim"] and info["is_private"] and not info["is_group"]
    sb.apply_manifest({"oauth_config": {"scopes": {"bot": ["channels:read", "groups:read", "im:read"]}}})
    assert error_of(lambda: client.conversations_info(channel="G1")) == "missing_scope"
    assert error_of(lambda: client.conversations_history(channel="G1")) == "missing_scope"


def test_a_fault_after_the_call_keeps_its_effect_and_loses_its_answer(sb: Sandbox) -> None:
    client = web_client(sb, retry=False)
    sb.fail("chat.postMessage", status=503, after=True)
    assert error_of(lambda: client.chat_postMessage(channel="C1", text="taken")) == "internal_error"
    assert [m.text for m in sb.messages("C1")] == ["taken"]


def test_a_plain_text_input_takes_no_initial_value_longer_than_it_allows(client: WebClient) -> None:
    def form(element: dict[str, object]) -> dict[str, object]:
        return {
            "type": "modal",
            "title": {"type": "plain_text", "text": "Details"},
            "submit": {"type": "plain_text", "text": "Send"},
            "blocks": [
                {
                    "type": "input",
                    "block_id": "details",
                    "label": {"type": "plain_text", "text": "Details"},
                    "element": {"type": "plain_text_input", "action_id": "value", **element},
                }
            ],
        }

    for element in (
        {"max_length": 10, "initial_value": "x" * 11},
        {"initial_value": "x" * 3001},
        {"max_length": 3001},
    ):
        assert error_of(lambda e=element: client.views_open(trigger_id="1.1.x", view=form(e))) == (
            "invalid_arguments"
        ), element
