"""Listener registration, explicit: app.py calls register(), nothing registers itself on import."""

from __future__ import annotations

from slack_bolt import App

from bot.door import Door
from bot.front import Front
from bot.listeners import actions, commands, events, guard, replays, shape, shortcuts
from bot.listeners.events import OnMessage
from commands.invocation import Deps


def register(
    app: App,
    deps: Deps,
    door: Door,
    front: Front,
    on_message: OnMessage | None = None,
) -> None:
    shape.register(app)  # first: every listener may then trust the payload's shape
    replays.register(app)
    guard.register(app, door)  # answers through response_url pass the door too
    commands.register(app, front)
    events.register(app, deps, on_message)
    actions.register(app, deps)
    shortcuts.register(app, deps)
