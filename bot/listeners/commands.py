"""Slash commands through Bolt (Socket Mode, and a command that opens a form): the front decides
(bot/front.py): help and usage errors are answered in the ack, a form is opened at once, and the rest is
kept for the workers."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot import door, errors, render
from bot.front import Front
from bot.identity import actor_of
from bot.listeners.replays import KEY, first_delivery
from commands import registry
from commands.grammar import Arguments
from commands.invocation import Deps, Invocation
from commands.registry import SlashCommand
from storage.errors import LiaisonError


def register(app: App, front: Front) -> None:
    for command in front.commands:
        app.command(command.name)(_listener(command, front))


def _listener(command: SlashCommand, front: Front) -> Callable[..., None]:
    def on_command(
        ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond, client: WebClient
    ) -> None:
        step = front.step(body)
        if step is not None and step.answer is not None:
            ack(**render.in_ack(step.answer))
        elif step is not None and step.form:
            ack()
            _open_form(command, front.commands, front.deps, body, context, respond, client)
        else:
            ack(**front.keep(context.get(KEY) or f"uuid:{uuid.uuid4().hex}", body))

    on_command.__name__ = f"on_{command.name.lstrip('/')}_command"
    return on_command


def _open_form(
    command: SlashCommand,
    commands: tuple[SlashCommand, ...],
    deps: Deps,
    body: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
) -> None:
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
            with errors.opening_form(f"type `{command.name}` again"), door.viewed_by(actor.user_id):
                client.views_open(trigger_id=body["trigger_id"], view=render.form(reply.form))
        else:
            respond(**render.ephemeral(reply))
