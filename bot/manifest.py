"""The Slack app manifest, generated from the command registry so manifest.yml never drifts from the code.

`liaison manifest` prints it; tests check that manifest.yml matches and validates against Slack's schema.
"""

from __future__ import annotations

from typing import Any

import yaml

from commands import catalog
from commands.items.shortcuts import global_callback, message_callback
from commands.kinds import standard
from commands.kinds.spec import Specs

APP_NAME = "Liaison"

BOT_SCOPES = (
    "commands",  # the four slash commands
    "chat:write",  # cards, thread posts, ephemerals, DMs
    "im:write",  # open DMs for reminders and digests
    "users:read",  # people's teams and time zones
    # conversations.info (is a conversation shared, with whom) wherever a card may go: public and private
    # channels, a DM with its people, a group DM
    "channels:read",
    "groups:read",
    "im:read",
    "mpim:read",
    # thread replies (message.channels, .groups, .mpim) and conversations.history, where a card that may
    # already be posted is looked for by its metadata before it is posted again
    "channels:history",
    "groups:history",
    "im:history",
    "mpim:history",
    "files:write",  # CSV exports, uploaded to the requester's DM
)

# The Web API methods the bot calls: the scopes above must cover them (tests/test_manifest.py), and each
# is paced at its tier (bot/pacing.py).
BOT_METHODS = (
    "auth.test",
    "chat.postMessage",
    "chat.update",
    "chat.postEphemeral",
    "chat.getPermalink",
    "views.open",
    "views.update",
    "views.publish",
    "files.getUploadURLExternal",
    "files.completeUploadExternal",
    "users.info",
    "users.list",
    "conversations.info",
    "conversations.history",
    "conversations.open",
)

BOT_EVENTS = (
    "app_home_opened",
    "member_joined_channel",
    "message.channels",
    "message.groups",
    "message.mpim",
)


def shortcuts(specs: Specs) -> list[dict[str, str]]:
    """Each kind's shortcuts: on any message (its form prefilled from it), then in the shortcuts menu (its
    form empty)."""
    declared = [spec for spec in specs if spec.shortcuts is not None]
    on_messages = [
        {
            "name": spec.shortcuts.message,
            "type": "message",
            "callback_id": message_callback(spec),
            "description": spec.shortcuts.description,
        }
        for spec in declared
        if spec.shortcuts is not None
    ]
    in_the_menu = [
        {
            "name": spec.new_label,
            "type": "global",
            "callback_id": global_callback(spec),
            "description": spec.command.description,
        }
        for spec in declared
    ]
    return on_messages + in_the_menu


def manifest(specs: Specs | None = None) -> dict[str, Any]:
    """The app's manifest, declaring the commands and shortcuts of the kinds in `specs` (Liaison's own by
    default)."""
    specs = specs or standard()
    return {
        "display_information": {
            "name": APP_NAME,
            "description": "Referrals, consults and advocacy items between a defender office and partners.",
            "long_description": (
                "Liaison coordinates a public defender office with its partner organizations (legal aid, "
                "civil rights groups, clinics, social service and treatment providers) in shared Slack "
                "Connect channels: defenders open referrals, ask partners for input on a case and track "
                "advocacy action items; partners answer with buttons and in threads; coordinators get a "
                "daily digest. Deadlines and history are kept by the office, and client details go only "
                "where the partner's agreement and the client's consent allow."
            ),
            "background_color": "#1d3557",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": True,
            },
            "bot_user": {"display_name": APP_NAME.lower(), "always_online": True},
            "shortcuts": shortcuts(specs),
            "slash_commands": [
                {
                    "command": command.name,
                    "description": command.description,
                    "usage_hint": command.usage_hint,
                    # Escaped text carries mentions as <@U123|name>, which the grammar reads as user IDs.
                    "should_escape": True,
                }
                for command in catalog(specs)
            ],
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": {"bot_events": list(BOT_EVENTS)},
            "interactivity": {"is_enabled": True},
            "org_deploy_enabled": False,
            "socket_mode_enabled": True,
            "token_rotation_enabled": False,
        },
    }


def manifest_yaml() -> str:
    header = (
        "# Slack app manifest for Liaison. Generated by `liaison manifest` from the command registry;\n"
        "# edit commands/ and regenerate rather than editing this file. See README: Creating the Slack app.\n"
    )
    return header + yaml.safe_dump(manifest(), sort_keys=False, allow_unicode=True, width=100)
