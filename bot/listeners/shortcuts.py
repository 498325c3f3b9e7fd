"""Shortcuts from Slack's menus (commands/items/shortcuts.py): acknowledged at once, then the kind's form
opened with the trigger_id, which is good for 3 s. A refusal is told privately: through a message
shortcut's response_url (an ephemeral where the message is), by direct message for one from the
shortcuts menu, which has no channel and no response_url."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot import door, errors, render
from bot.identity import actor_of
from bot.listeners.replays import first_delivery
from commands.forms import Form
from commands.invocation import Deps
from commands.items import shortcuts
from commands.kinds.spec import KindSpec
from storage.audit import Actor
from storage.errors import LiaisonError

WHO = "Liaison could not tell who used this shortcut, so it did nothing."


def register(app: App, deps: Deps) -> None:
    for spec in deps.specs:
        if spec.shortcuts is not None:
            _on_a_message(app, deps, spec)
            _in_the_menu(app, deps, spec)


def _on_a_message(app: App, deps: Deps, spec: KindSpec[Any]) -> None:
    @app.message_shortcut(shortcuts.message_callback(spec))
    def on_message_shortcut(
        ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond, client: WebClient
    ) -> None:
        ack()
        with errors.reported_to(respond):
            if not first_delivery(deps, context):
                return
            actor = _user(body, context)
            message = body.get("message") or {}
            thread_ts = message.get("thread_ts") if isinstance(message, dict) else None
            text = message.get("text") if isinstance(message, dict) else None
            shown = shortcuts.Message(
                channel_id=body["channel"]["id"],
                ts=body["message_ts"],
                thread_ts=thread_ts if isinstance(thread_ts, str) else None,
                text=text if isinstance(text, str) else "",
            )
            _open(client, body, actor, shortcuts.from_message(deps, actor, spec, shown))


def _in_the_menu(app: App, deps: Deps, spec: KindSpec[Any]) -> None:
    @app.global_shortcut(shortcuts.global_callback(spec))
    def on_global_shortcut(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        ack()
        try:
            if first_delivery(deps, context):
                actor = _user(body, context)
                _open(client, body, actor, spec.new_form(deps, actor, ""))  # "": it asks where to post
        except Exception as error:
            errors.tell_privately(client, None, body["user"]["id"], errors.user_message(error))


def _user(body: dict[str, Any], context: BoltContext) -> Actor:
    actor = actor_of(body, context)
    if actor is None:
        raise LiaisonError(WHO)
    return actor


def _open(client: WebClient, body: dict[str, Any], actor: Actor, form: Form) -> None:
    # The form is seen by who used the shortcut.
    with errors.opening_form("use the shortcut again"), door.viewed_by(actor.user_id):
        client.views_open(trigger_id=body["trigger_id"], view=render.form(form))
