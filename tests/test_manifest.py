"""manifest.yml: generated from the registry, valid by Slack's manifest rules, asking for the scopes Slack's
own reference says the bot's methods and events need (and no others). The rules and scopes are the facts
derived from Slack's schema and reference (bot/sandbox/facts/manifest.json, web_api.json)."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import yaml

from bot.manifest import BOT_EVENTS, BOT_METHODS, BOT_SCOPES, manifest, manifest_yaml
from bot.sandbox import reference
from commands import catalog
from commands.kinds import standard

CATALOG = catalog(standard())


ROOT = Path(__file__).parent.parent
RULES = reference.facts("manifest")["schema"]


def test_committed_manifest_is_what_the_registry_generates() -> None:
    assert (ROOT / "manifest.yml").read_text() == manifest_yaml(), "run `make manifest` and commit"


def test_manifest_validates_against_slacks_rules() -> None:
    jsonschema.validate(yaml.safe_load((ROOT / "manifest.yml").read_text()), RULES)


def test_manifest_rejects_what_slack_rejects() -> None:
    """The schema really checks: an unknown key and a too-long command name are refused."""
    bad = manifest()
    bad["features"]["slash_commands"][0]["command"] = "/" + "x" * 40
    bad["settings"]["unknown_setting"] = True
    errors = list(jsonschema.Draft7Validator(RULES).iter_errors(bad))
    assert len(errors) == 2


def test_manifest_declares_the_six_commands_events_interactivity_and_socket_mode() -> None:
    data = manifest()
    commands = {c["command"]: c for c in data["features"]["slash_commands"]}
    assert set(commands) == {"/referral", "/consult", "/advocacy", "/resource", "/training", "/liaison"}
    for command in CATALOG:
        assert commands[command.name]["description"] == command.description
        assert commands[command.name]["usage_hint"] == command.usage_hint
    assert set(data["settings"]["event_subscriptions"]["bot_events"]) == {
        "message.channels",
        "message.groups",
        "message.mpim",
        "app_home_opened",
        "member_joined_channel",
    }
    assert data["settings"]["interactivity"]["is_enabled"] is True
    assert data["settings"]["socket_mode_enabled"] is True


def _needed_scope_sets() -> list[set[str]]:
    """For each method and event, the scopes Slack documents (any one of them suffices)."""
    needs = []
    for method in BOT_METHODS:
        doc = reference.method_doc(method)
        assert doc is not None, f"no facts about {method}: run `make facts`"
        if doc.bot_scopes:
            needs.append(set(doc.bot_scopes))
    event_scopes = reference.facts("manifest")["event_scopes"]
    for name in BOT_EVENTS:
        if event_scopes[name]:
            needs.append(set(event_scopes[name]))
    return needs


def test_scopes_cover_every_method_and_event_as_slack_documents_them() -> None:
    granted = set(BOT_SCOPES)
    for options in _needed_scope_sets():
        assert granted & options, f"none of {sorted(options)} is requested"


def test_no_scope_is_requested_that_nothing_needs() -> None:
    needed = set().union(*_needed_scope_sets()) | {"commands"}
    assert set(BOT_SCOPES) <= needed


# Methods Liaison calls on whatever conversation a card is in: a public or private channel, a DM with its
# people, a group DM. Each needs the scope of that conversation's type, so every one Slack lists.
ANY_CONVERSATION = ("conversations.info", "conversations.history")


def test_every_conversation_type_a_card_may_be_in_is_covered() -> None:
    for method in ANY_CONVERSATION:
        doc = reference.method_doc(method)
        assert doc is not None and method in BOT_METHODS
        assert len(doc.bot_scopes) == 4 and set(doc.bot_scopes) <= set(BOT_SCOPES), doc.bot_scopes


def test_reactions_are_not_asked_for_since_nothing_uses_them() -> None:
    assert not [s for s in BOT_SCOPES if s.startswith("reactions:")]
    assert "reaction_added" not in BOT_EVENTS and "reactions.add" not in BOT_METHODS


def test_manifest_declares_each_kinds_message_and_global_shortcut() -> None:
    """Refer to a partner, Ask a partner, Make an action item on any message; New referral, New consult and
    New action item in the shortcuts menu; each callback_id one the bot listens for, within Slack's limits."""
    declared = {(s["type"], s["name"]): s["callback_id"] for s in manifest()["features"]["shortcuts"]}
    assert declared == {
        ("message", "Refer to a partner"): "referral.from_message",
        ("message", "Ask a partner"): "consult.from_message",
        ("message", "Make an action item"): "advocacy.from_message",
        ("global", "New referral"): "referral.new",
        ("global", "New consult"): "consult.new",
        ("global", "New action item"): "advocacy.new",
    }
    too_long = manifest()
    too_long["features"]["shortcuts"][0]["name"] = "Refer this message to a partner"  # over 24 characters
    assert len(list(jsonschema.Draft7Validator(RULES).iter_errors(too_long))) == 1
