"""Slash commands: acknowledge at once, then parse, run and answer privately through response_url."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot import door, errors, render
from bot.identity import actor_of
from bot.listeners.replays import first_delivery
from commands import catalog, registry
from commands.grammar import Arguments
from commands.invocation import Deps, Invocation
from commands.registry import SlashCommand
from storage.errors import LiaisonError


def register(app: App, deps: Deps) -> None:
    commands = catalog(deps.specs)
    for command in commands:
        app.command(command.name)(_listener(command, commands, deps))


def _listener(command: SlashCommand, commands: tuple[SlashCommand, ...], deps: Deps) -> Callable[..., None]:
    def on_command(
        ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond, client: WebClient
    ) -> None:
        ack()  # Slack shows a timeout after 3 s; everything below may touch the database.
        with errors.reported_to(respond):
            if not first_delivery(deps, context):
                return
            actor = actor_of(body, context)
            if actor is None:  # Slack always names who typed a command; do nothing if it did not
                raise LiaisonError("Liaison could not tell who sent this command, so it did nothing.")

            def invocation(args: Arguments) -> Invocation:
                return Invocation(deps=deps, actor=actor, channel_id=body.get("channel_id"), args=args)

            reply = registry.run(command, invocation, body.get("text") or "", commands)
            if reply.form is not None:  # the trigger_id is good for 3 s from the command: open it now
                with door.viewed_by(actor.user_id):
                    client.views_open(trigger_id=body["trigger_id"], view=render.form(reply.form))
            else:
                respond(**render.ephemeral(reply))

    on_command.__name__ = f"on_{command.name.lstrip('/')}_command"
    return on_command
