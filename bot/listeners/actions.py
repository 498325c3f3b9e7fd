"""Buttons on cards and the forms they open. Acknowledged at once; the work happens after."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot import door, errors, render
from bot.identity import actor_of
from bot.listeners.replays import first_delivery
from commands import home, reminders
from commands.forms import Form
from commands.invocation import Deps, Reply
from commands.items.fields import ref_in, written_by_liaison
from commands.items.moving import (
    MOVE_ACTION,
    MOVE_FORM_CALLBACK,
    apply_move,
    move_form,
    move_from_form,
    move_of,
)
from commands.kinds.spec import CardAction, FormErrors, FormSpec, FormValues, OnSubmit
from storage import moves
from storage.audit import Actor
from storage.errors import LiaisonError


def register(app: App, deps: Deps) -> None:
    kinds = "|".join(re.escape(spec.name) for spec in deps.specs)

    @app.action(re.compile(rf"^({kinds})\.{MOVE_ACTION}\."))
    def on_move(
        ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond, client: WebClient
    ) -> None:
        ack()
        with errors.reported_to(respond):
            if not first_delivery(deps, context):
                return
            actor = _clicker(body, context)
            change = move_of(deps.kinds, body["actions"][0]["value"])
            kind = deps.kinds.by_ref(change.ref)
            if kind is not None and kind[0].machine.asks_first(change.target):
                with deps.db.session() as session:  # refuse before asking for a reason that can't be used
                    moves.check_move(session, deps.kinds, deps.person(session, actor), change)
                _open(client, body, move_form(deps.kinds, change, body["channel"]["id"]))
                return
            _tell_trouble(respond, apply_move(deps, actor, change))

    @app.action(re.compile(rf"^{re.escape(reminders.SNOOZE_ACTION)}\."))
    def on_snooze(ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        ack()
        with errors.reported_to(respond):
            if first_delivery(deps, context):
                reply = reminders.snooze(deps, _clicker(body, context), body["actions"][0]["value"])
                respond(**render.ephemeral(reply))

    @app.action(re.compile(rf"^{re.escape(home.NEW_ACTION)}\."))
    def on_new_from_home(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        """A Home tab button: the kind's form, asking where to post. The Home tab has no response_url, so
        a refusal is told by direct message."""
        ack()
        try:
            spec = deps.specs.named(body["actions"][0]["action_id"].rsplit(".", 1)[1])
            if spec is None:
                raise LiaisonError(UNKNOWN_BUTTON)
            if first_delivery(deps, context):
                _open(client, body, spec.new_form(deps, _clicker(body, context), ""))
        except Exception as error:
            errors.tell_privately(client, None, body["user"]["id"], errors.user_message(error))

    for action in deps.specs.actions:
        _card_button(app, deps, action)
    move_submitted = FormSpec(
        MOVE_FORM_CALLBACK,
        lambda deps, actor, metadata, values: apply_move(
            deps, actor, move_from_form(deps.kinds, metadata, values)
        ),
    )
    for form in (move_submitted, *deps.specs.forms):
        _submitted_form(app, deps, form.callback, form.on_submit, form.errors)


UNKNOWN_BUTTON = "Liaison does not know this button, so it did nothing."


def _card_button(app: App, deps: Deps, action: CardAction) -> None:
    """A card button besides the moves: a change made at once, or a form about its item (asked only of
    someone who may use it)."""

    @app.action(action.action)
    def on_click(
        ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond, client: WebClient
    ) -> None:
        ack()
        with errors.reported_to(respond):
            if not first_delivery(deps, context):
                return
            done = action.on_click(deps, _clicker(body, context), _ref(body), body["channel"]["id"])
            if isinstance(done, Form):
                _open(client, body, done)
            else:
                _tell_trouble(respond, done)


def _submitted_form(app: App, deps: Deps, callback_id: str, work: OnSubmit, problems: FormErrors) -> None:
    """A form's submission: what can be checked without a call is shown in the still-open form (so
    nothing typed is lost); the rest is done after the ack and answered privately."""

    @app.view(callback_id)
    def on_submit(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        try:
            found = problems(_values(body))
        except Exception:  # a malformed submission: acknowledge; the work below reports it
            found = {}
        if found:
            ack(response_action="errors", errors=found)
            return
        ack()
        _answer_form(
            client,
            body,
            context,
            lambda actor: work(deps, actor, _metadata(body), _values(body)),
            lambda: first_delivery(deps, context),
        )


def _tell_trouble(respond: Respond, reply: Reply) -> None:
    """A click's result shows on the card; only what went wrong with showing it is told privately."""
    if reply.trouble:
        respond(**render.ephemeral(reply))


def _clicker(body: dict[str, Any], context: BoltContext) -> Actor:
    actor = actor_of(body, context)
    if actor is None:
        raise LiaisonError("Liaison could not tell who clicked, so it did nothing.")
    return actor


def _ref(body: dict[str, Any]) -> str:
    return ref_in(body["actions"][0].get("value"))


def _open(client: WebClient, body: dict[str, Any], form: Form) -> None:
    # The form is seen by who clicked.
    with errors.opening_form("press the button again"), door.viewed_by(body["user"]["id"]):
        client.views_open(trigger_id=body["trigger_id"], view=render.form(form))


def _metadata(body: dict[str, Any]) -> str:
    return str(body["view"].get("private_metadata", ""))


def _channel_of(metadata: str) -> str | None:
    """The channel a form was opened from, as Liaison wrote it into the form; None if unreadable."""
    try:
        return written_by_liaison(metadata).get("channel")
    except LiaisonError:
        return None


def _values(body: dict[str, Any]) -> FormValues:
    return render.submitted(body["view"].get("state", {}).get("values", {}))


def _answer_form(
    client: WebClient,
    body: dict[str, Any],
    context: BoltContext,
    work: Callable[[Actor], Reply],
    first: Callable[[], bool],
) -> None:
    """Do a form's work after its ack and answer privately in the form's channel (forms have no
    response_url); every failure, even in reading the form, becomes an answer. A replayed submission
    does nothing and gets no answer (its first delivery got one)."""
    user_id = body["user"]["id"]
    channel_id = _channel_of(_metadata(body))
    try:
        if not first():
            return
        actor = actor_of(body, context)
        if actor is None:
            raise LiaisonError("Liaison could not tell who sent this, so it did nothing.")
        text = work(actor).text
    except Exception as error:
        text = errors.user_message(error)
    errors.tell_privately(client, channel_id, user_id, text)
