"""The first middleware: a request must be shaped as Slack shapes it before any listener reads it.
Listeners then read `body["user"]["id"]` and the like without guarding every field; a request that is
not (a forged or garbled one, since Slack's own always are) gets a 400 and nothing runs."""

from __future__ import annotations

import logging
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


SHAPES: dict[str, Callable[[dict[str, Any]], bool]] = {
    "block_actions": lambda body: _person(body) and _actions(body) and _reply_url(body),
    "view_submission": lambda body: _person(body) and _view(body),
    "view_closed": lambda body: _person(body) and _view(body),
    "event_callback": _event,
}


def _without_nul(value: Any) -> Any:
    """PostgreSQL cannot store a NUL character and nobody types one: they are dropped on arrival, so text
    is stored the same on both databases."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {key: _without_nul(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_without_nul(inner) for inner in value]
    return value


def register(app: App) -> None:
    @app.middleware
    def shaped_as_slack_sends_it(body: dict[str, Any], next: Callable[[], BoltResponse]) -> BoltResponse:
        kind = body.get("type") if isinstance(body, dict) else None
        check = SHAPES.get(kind) if isinstance(kind, str) else None
        if not isinstance(body, dict) or not _containers(body) or (check is not None and not check(body)):
            named = kind if isinstance(kind, str) and kind in SHAPES else "request of another type"
            log.warning("refused a %s not shaped as Slack sends it", named)
            return BoltResponse(status=400, body="malformed request")
        body.update(_without_nul(body))  # in place: the listeners are handed this same dict
        return next()
