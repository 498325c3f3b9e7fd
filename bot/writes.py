"""What a Web API write shows, and where it goes (for the door, bot/door.py): every piece of text a person
could read in its arguments, and the channel it is written to, if any."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from commands.format import readings

RESPONSE_URL = "response_url"  # an answer posted to a command's or a click's response_url

# Keys whose values are Slack's own identifiers and settings, never text a person reads.
_STRUCTURAL = frozenset(
    {
        "channel",
        "channel_id",
        "ts",
        "thread_ts",
        "user",
        "user_id",
        "users",
        "trigger_id",
        "view_id",
        "hash",
        "external_id",
        "action_id",
        "block_id",
        "callback_id",
        "type",
        "style",
        "token",
        "id",
        "file_id",
        "response_action",
        "reply_broadcast",
        "mrkdwn",
        "as_user",
        "parse",
        "link_names",
        "unfurl_links",
        "unfurl_media",
        "icon_emoji",
        "icon_url",
        "image_url",
        "event_type",
        "initial_user",
        "initial_users",
        "initial_conversation",
        "initial_conversations",
        "initial_channel",
        "initial_channels",
        "emoji",
        "verbatim",
        "dispatch_action",
        "focus_on_load",
        "multiline",
        "max_length",
        "min_length",
        "optional",
        "length",
        "team_id",
        "app_id",
        "bot_id",
        "notify_on_close",
        "clear_on_close",
        "submit_disabled",
        "include_all_metadata",
        "limit",
        "cursor",
        "latest",
        "oldest",
    }
)


def channel_written(method: str, args: Mapping[str, Any]) -> str | None:
    """The channel a write goes to, whose readers may change at any time; None when it goes to one person
    (an ephemeral, a form, an answer only they see, a direct message), whose organization does not."""
    if method.startswith("views.") or method == "chat.postEphemeral":
        return None
    if method == RESPONSE_URL and args.get("response_type") != "in_channel":
        return None
    channel = args.get("channel") or args.get("channel_id")
    if isinstance(channel, str) and channel and channel[0] not in "UWD":
        return channel
    return None


def as_read(args: Mapping[str, Any]) -> list[str]:
    """A call's text as the identifier detector reads it: its pieces joined by a blank line, as Slack draws
    them apart, once in each reading (commands/format.readings: Slack's markup unwrapped; links drawn as
    their labels). Each reading is whole, so that two readings of one piece never stand side by side."""
    pieces = [readings(text) for text in texts_in(args)]
    texts = ["\n\n".join(reading[0] for reading in pieces)]
    if any(len(reading) > 1 for reading in pieces):
        texts.append("\n\n".join(reading[-1] for reading in pieces))
    return texts


def texts_in(value: Any, key: str = "") -> Iterator[str]:
    """Every piece of text a person could read in a Web API call's arguments, as written."""
    if key in _STRUCTURAL:
        return
    if isinstance(value, str):
        if value:
            yield value
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from texts_in(v, str(k))
    elif isinstance(value, list | tuple):
        for v in value:
            yield from texts_in(v, key)
