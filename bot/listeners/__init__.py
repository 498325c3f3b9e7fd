"""Listener registration, explicit: app.py calls register(), nothing registers itself on import."""

from __future__ import annotations

from slack_bolt import App

from bot.door import Door
from bot.listeners import actions, commands, events, guard, shape
from commands.invocation import Deps


def register(app: App, deps: Deps, door: Door) -> None:
    shape.register(app)  # first: every listener may then trust the payload's shape
    guard.register(app, door)  # answers through response_url pass the door too
    commands.register(app, deps)
    events.register(app, deps)
    actions.register(app, deps)
