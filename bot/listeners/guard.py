"""Middleware fitting the door (bot/door.py) to what Bolt gives a listener. Bolt makes a new, plain
WebClient for every request (slack_bolt 1.15 and later, App._init_context) and hands listeners that, not
the app's own: the listener gets the app's guarded client instead. respond() answers through a
response_url, which is a write the Web API client does not see: it is wrapped in the door too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.context.respond import Respond

from bot.door import Door, GuardedRespond


def register(app: App, door: Door) -> None:
    @app.middleware
    def guard_respond(
        context: BoltContext, body: dict[str, Any], next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        context["client"] = app.client  # the LiaisonWebClient, with its door and pacing
        if context.response_url:
            respond = context.respond
            if isinstance(respond, Respond) and not isinstance(respond, GuardedRespond):
                named = body.get("channel")  # a dict in every payload Slack sends; anything else names none
                channel = body.get("channel_id") or (named.get("id") if isinstance(named, dict) else None)
                http = getattr(app.client, "http", None)  # the LiaisonWebClient's kept-alive connections
                context["respond"] = GuardedRespond(respond, door, context.user_id, channel, http)
        return next()
