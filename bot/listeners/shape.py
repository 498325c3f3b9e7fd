"""A request must be shaped as Slack shapes it before any listener reads it. Listeners then read
`body["user"]["id"]` and the like without guarding every field; a request that is not (a forged or
garbled one, since Slack's own always are) gets a 400 and nothing runs.

Over HTTP the check runs before Bolt (bot/server.py), since Bolt's own middleware reads the body first
and fails on some shapes (an event that is a string); the first middleware repeats it for Socket Mode."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse

log = logging.getLogger("liaison")


def _str(value: Any) -> bool:
    return isinstance(value, str)


def _reply_url(body: dict[str, Any]) -> bool:
    url = body.get("response_url", "https://")
    return _str(url) and url.startswith(("https://", "http://"))


def _person(body: dict[str, Any]) -> bool:
    user = body.get("user")
    return isinstance(user, dict) and _str(user.get("id")) and _str(user.get("team_id", ""))


def _actions(body: dict[str, Any]) -> bool:
    actions = body.get("actions")
    return (
        isinstance(actions, list)
        and bool(actions)
        and all(isinstance(a, dict) and _str(a.get("action_id")) for a in actions)
        and isinstance(body.get("container", {}), dict)
        and isinstance(body.get("channel", {}), dict)
        and _str((body.get("channel") or {}).get("id", ""))
        and _str(body.get("trigger_id", ""))
    )


def _view(body: dict[str, Any]) -> bool:
    view = body.get("view")
    if not isinstance(view, dict) or not _str(view.get("callback_id", "")):
        return False
    state = view.get("state", {})
    values = state.get("values", {}) if isinstance(state, dict) else None  # Slack may send "state": {}
    return (
        _str(view.get("private_metadata", ""))
        and isinstance(values, dict)
        and all(
            isinstance(block, dict) and all(isinstance(v, dict) for v in block.values())
            for block in values.values()
        )
    )


def _event(body: dict[str, Any]) -> bool:
    event = body.get("event")
    return isinstance(event, dict) and _str(event.get("type"))


def _containers(body: dict[str, Any]) -> bool:
    """Whatever the type (or none), these are objects when present: Bolt's own logging of a request
    it has no listener for reads into them."""
    return all(isinstance(body[key], dict) for key in ("view", "event") if key in body) and (
        "actions" not in body
        or (isinstance(body["actions"], list) and all(isinstance(a, dict) for a in body["actions"]))
    )


def _shortcut(body: dict[str, Any]) -> bool:
    return _str(body.get("callback_id")) and _str(body.get("trigger_id"))


def _message_shortcut(body: dict[str, Any]) -> bool:
    channel, message = body.get("channel"), body.get("message")
    return (
        _shortcut(body)
        and isinstance(channel, dict)
        and _str(channel.get("id"))
        and _str(body.get("message_ts"))
        and isinstance(message, dict)
        and _str(body.get("response_url"))
    )


SHAPES: dict[str, Callable[[dict[str, Any]], bool]] = {
    "shortcut": lambda body: _person(body) and _shortcut(body),
    "message_action": lambda body: _person(body) and _message_shortcut(body) and _reply_url(body),
    "block_actions": lambda body: _person(body) and _actions(body) and _reply_url(body),
    "view_submission": lambda body: _person(body) and _view(body),
    "view_closed": lambda body: _person(body) and _view(body),
    "event_callback": _event,
}


# Slack's payloads nest a dozen levels or so (blocks in a view in a payload); far deeper is garbage, and
# walking it (Bolt, the checks below) would exhaust Python's recursion limit.
MAX_DEPTH = 64


def depth(value: Any) -> int:
    """How deeply lists and objects nest in `value`, found without recursion."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        node, level = todo.pop()
        inner = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if inner is None:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            return deepest
        todo.extend((child, level + 1) for child in inner)
    return deepest


# What a slash command always carries, as text (the command's own text may be empty).
SLASH_COMMAND_FIELDS = ("command", "user_id", "channel_id", "team_id", "response_url", "trigger_id")


def _slash_command(body: dict[str, Any]) -> bool:
    named = all(isinstance(body.get(f), str) and body[f] for f in SLASH_COMMAND_FIELDS)
    return named and isinstance(body.get("text", ""), str)


def refusal(body: Any) -> str | None:
    """Why a parsed request is not one Slack would send (None: it is shaped as Slack sends it)."""
    if not isinstance(body, dict):
        return "not a JSON object"
    if depth(body) > MAX_DEPTH:
        return f"nested deeper than {MAX_DEPTH} levels"
    if "command" in body and "type" not in body and not _slash_command(body):
        return "a slash command not shaped as Slack sends it"
    kind = body.get("type")
    check = SHAPES.get(kind) if isinstance(kind, str) else None
    if not _containers(body) or (check is not None and not check(body)):
        # Only a type Liaison knows is named: any other is the sender's text, not for the log.
        named = kind if isinstance(kind, str) and kind in SHAPES else "request of another type"
        return f"a {named} not shaped as Slack sends it"
    return None


LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(value: Any) -> Any:
    """Text as every database stores it: PostgreSQL cannot store a NUL character and nobody types one, so
    they are dropped; a lone surrogate (half of a pair, which JSON can carry but UTF-8 cannot encode) is
    replaced by U+FFFD, so a reply holding one is kept, not lost. Depth is bounded by `refusal` first."""
    if isinstance(value, str):
        return LONE_SURROGATE.sub("\ufffd", value.replace("\x00", ""))
    if isinstance(value, dict):
        return {storable(key): storable(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [storable(inner) for inner in value]
    return value


def register(app: App) -> None:
    @app.middleware
    def shaped_as_slack_sends_it(body: dict[str, Any], next: Callable[[], BoltResponse]) -> BoltResponse:
        problem = refusal(body)
        if problem is not None:
            log.warning("refused a request: %s", problem)
            return BoltResponse(status=400, body="malformed request")
        cleaned = storable(body)
        body.clear()  # in place: the listeners are handed this same dict
        body.update(cleaned)
        return next()
