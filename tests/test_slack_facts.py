"""The Slack facts the project keeps (bot/sandbox/facts/) are what Slack's own files say, and the bot relies
on no fact they leave out.

The first group runs everywhere: it checks the bot against the facts. The second derives the facts again
from Slack's original files and checks Slack's own payloads against the bot; it is skipped, with the
reason shown, where those files are absent (a bare clone). docs/slack-facts.md says more.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_bolt import BoltRequest

from bot.identity import actor_of
from bot.listeners import shape
from bot.manifest import BOT_EVENTS, BOT_METHODS
from bot.sandbox import reference, slack_signature
from bot.sandbox.methods import HANDLERS
from tests.slack_originals import ORACLES, examples, needs_slack_files, original
from tools.derive_slack_facts import DERIVED, derive

# The request fields Liaison's listeners (bot/listeners/, bot/identity.py) read, by kind of request.
FIELDS_READ: dict[str, tuple[str, ...]] = {
    "slash_command": ("user_id", "team_id", "channel_id", "text", "trigger_id", "response_url"),
    "block_actions": (
        "user.id",
        "user.team_id",
        "actions[].action_id",
        "actions[].value",
        "channel.id",
        "trigger_id",
        "response_url",
    ),
    "view_submission": ("user.id", "user.team_id", "view.callback_id", "view.private_metadata", "view.state"),
    "message_action": (
        "user.id",
        "user.team_id",
        "callback_id",
        "channel.id",
        "message_ts",
        "message.text",
        "message.thread_ts",
        "trigger_id",
        "response_url",
    ),
    "shortcut": ("user.id", "user.team_id", "callback_id", "trigger_id"),
    "event_callback": ("type", "event", "authorizations"),
    "event:message": ("event.channel", "event.ts", "event.thread_ts", "event.user", "event.text"),
    "event:message:thread_broadcast": ("event.channel", "event.ts", "event.thread_ts", "event.user"),
    "event:message:message_changed": ("event.channel", "event.event_ts", "event.message.ts"),
    "event:app_home_opened": ("event.tab", "event.user"),
    "event:member_joined_channel": ("event.channel",),
}
# Fields read although none of Slack's files we derive from shows them, and why we trust them anyway.
FIELDS_WITHOUT_AN_EXAMPLE = {
    ("event:message:message_deleted", "event.deleted_ts"): "documented on Slack's message_deleted page",
    ("event:message:message_deleted", "event.channel"): "as on every message event",
}
# Fields every request of the kind must carry before a listener runs (bot/listeners/shape.py).
FIELDS_REQUIRED = {
    "block_actions": ("user.id", "actions[].action_id"),
    "view_submission": ("user.id", "view"),
    "message_action": ("user.id", "callback_id", "trigger_id", "channel.id", "message_ts", "message"),
    "shortcut": ("user.id", "callback_id", "trigger_id"),
    "event_callback": ("type", "event"),
}


@pytest.mark.parametrize(("kind", "path"), [(k, p) for k, paths in FIELDS_READ.items() for p in paths])
def test_every_field_the_listeners_read_is_one_slack_sends(kind: str, path: str) -> None:
    assert path in reference.request_fields(kind), f"Slack's {kind} requests have no {path}"


def test_fields_read_without_an_example_are_really_absent_from_the_facts() -> None:
    """Each exception above is still needed: once Slack's files show the field, it must leave the list."""
    for kind, path in FIELDS_WITHOUT_AN_EXAMPLE:
        known = reference.facts("payloads")["requests"].get(kind, {}).get("fields", {})
        assert path not in known, f"{kind} {path} is in the facts now: drop it from FIELDS_WITHOUT_AN_EXAMPLE"


@pytest.mark.parametrize(("kind", "path"), [(k, p) for k, paths in FIELDS_REQUIRED.items() for p in paths])
def test_fields_the_shape_check_requires_are_in_every_request_slack_sends(kind: str, path: str) -> None:
    """The 400 for malformed requests must never refuse a real one: what it requires, Slack always sends."""
    fields = reference.request_fields(kind)
    assert fields.get(path) == "always", f"{path} is {fields.get(path, 'never')} in Slack's {kind} requests"


def test_the_facts_cover_every_method_and_event_the_bot_and_the_stand_in_use() -> None:
    assert sorted(m for m in {*BOT_METHODS, *HANDLERS} if reference.method_doc(m) is None) == []
    assert set(BOT_EVENTS) <= set(reference.facts("manifest")["event_scopes"])


# ---- against Slack's original files (skipped where they are absent) --------------------------------------


@needs_slack_files
@pytest.mark.parametrize("name", sorted(DERIVED))
def test_the_committed_facts_are_what_slacks_files_say(name: str) -> None:
    committed = (reference.FACTS_DIR / name).read_text(encoding="utf-8")
    assert committed == derive(ORACLES)[name], f"{name} is out of date: run `make facts` and commit"


@needs_slack_files
def test_signature_reproduces_slacks_test_vector() -> None:
    vector = original("payloads/signing_test_vector.json")
    headers = vector["headers"]
    signed = slack_signature(
        vector["signing_secret"], headers["X-Slack-Request-Timestamp"], vector["raw_body"].encode()
    )
    assert signed == headers["X-Slack-Signature"]


def _actor(payload: dict[str, Any]) -> tuple[str | None, str | None]:
    request = BoltRequest(body=json.dumps(payload), mode="socket_mode")
    actor = actor_of(request.body, request.context)
    return (actor.user_id, actor.team_id) if actor else (None, None)


@needs_slack_files
def test_the_actor_of_slacks_slack_connect_events_is_the_persons_own_team() -> None:
    cases = original("payloads/slack_connect_events_with_expected_ids.json")["cases"]
    assert cases
    for case in cases:
        expected = case["expected_actor"]
        assert _actor(case["payload"]) == (expected["user_id"], expected["team_id"]), case["source"]
    for payload in examples("message_event_external_user")[:3]:
        assert _actor(payload) == ("USER_ID_ACTOR", "TEAM_ID_ACTOR")


@needs_slack_files
def test_the_actor_of_slacks_clicks_submissions_and_commands() -> None:
    click = examples("block_actions")[0]
    submission = examples("view_submission")[0]
    command = next(iter(original("payloads/slash_command.json")["examples"]))["fields"]
    assert _actor(click) == ("W111", "T111")
    assert _actor(command) == ("W111", "T111")
    # The installing team is in view.app_installed_team_id; the submitter's own is user.team_id.
    submission = {**submission, "user": {**submission["user"], "team_id": "T0PARTNER"}}
    assert _actor(submission) == ("W111", "T0PARTNER")


@needs_slack_files
@pytest.mark.parametrize("name", ["message_shortcut", "global_shortcut"])
def test_slacks_own_shortcuts_pass_the_shape_check_and_name_their_actor(name: str) -> None:
    """A message or global shortcut exactly as Slack wrote it is let through to its listener, which reads
    who used it from user.team_id."""
    payload = original(f"payloads/{name}.json")
    assert shape.refusal(payload) is None
    assert _actor(payload) == ("U111", "T111")
