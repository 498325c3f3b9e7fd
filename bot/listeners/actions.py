"""Buttons on cards and the forms they open. Acknowledged at once; the work happens after."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot import errors, render
from bot.identity import actor_of
from commands import advocacy, card_for, consult, referral
from commands import items as shared
from commands.forms import Form
from commands.invocation import Deps, Reply
from storage import items
from storage.audit import Actor
from storage.errors import LiaisonError
from storage.people import identify

FormErrors = Callable[[shared.FormValues], dict[str, str]]


def register(app: App, deps: Deps) -> None:
    @app.action(re.compile(r"^(referral|consult|advocacy)\.move\."))
    def on_move(
        ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond, client: WebClient
    ) -> None:
        ack()
        with errors.reported_to(respond):
            actor = _clicker(body, context)
            change = shared.move_of(body["actions"][0]["value"])
            kind = shared.kind_named(change.ref)
            if kind.machine.asks_first(change.target):
                with deps.db.session() as session:  # refuse before asking for a reason that can't be used
                    items.check_move(
                        session, identify(session, actor, deps.home_team_id, deps.admins), change
                    )
                _open(client, body, shared.move_form(change, body["channel"]["id"]))
                return
            shared.apply_move(deps, actor, change, card_for(kind))

    @app.action(consult.TAKE_ACTION)
    def on_take(ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        ack()
        with errors.reported_to(respond):
            consult.take(deps, _clicker(body, context), _ref(body))

    def form_button(action_id: str, form_for: Callable[[Actor, str, str], Form]) -> None:
        """A card button that opens a form about its item (asked only of someone who may use it)."""

        @app.action(action_id)
        def on_click(
            ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond, client: WebClient
        ) -> None:
            ack()
            with errors.reported_to(respond):
                _open(client, body, form_for(_clicker(body, context), _ref(body), body["channel"]["id"]))

    form_button(
        consult.EXTEND_ACTION, lambda actor, ref, channel: consult.extend_form(deps, actor, ref, channel)
    )
    form_button(
        advocacy.ASSIGN_ACTION, lambda actor, ref, channel: advocacy.assign_form(deps, actor, ref, channel)
    )

    @app.view(advocacy.ASSIGN_CALLBACK)
    def on_assign_form(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        ack()

        def work(actor: Actor) -> Reply:
            ref = json.loads(body["view"]["private_metadata"])["ref"]
            owners = _values(body).get("owners")
            return advocacy.assign(deps, actor, ref, owners if isinstance(owners, list) else [])

        _answer_form(client, body, context, work)

    @app.view(shared.MOVE_FORM_CALLBACK)
    def on_move_form(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        ack()

        def work(actor: Actor) -> Reply:
            change = shared.move_from_form(body["view"]["private_metadata"], _values(body))
            return shared.apply_move(deps, actor, change, card_for(shared.kind_named(change.ref)))

        _answer_form(client, body, context, work)

    @app.view(consult.EXTEND_CALLBACK)
    def on_extend_form(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        ack()

        def work(actor: Actor) -> Reply:
            ref = json.loads(body["view"]["private_metadata"])["ref"]
            return consult.extend(deps, actor, ref, shared.typed(_values(body), "due") or "")

        _answer_form(client, body, context, work)

    def new_item_form(
        callback_id: str, problems: FormErrors, send: Callable[[Actor, str, Any], Reply]
    ) -> None:
        @app.view(callback_id)
        def on_submit(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
            try:
                found = problems(_values(body))
            except (KeyError, TypeError):  # a malformed submission: acknowledge; the work below reports it
                found = {}
            if found:  # shown in the open form: nothing the person typed is lost
                ack(response_action="errors", errors=found)
                return
            ack()
            _answer_form(
                client,
                body,
                context,
                lambda actor: send(actor, body["view"]["private_metadata"], _values(body)),
            )

    new_item_form(
        referral.FORM_CALLBACK,
        referral.form_errors,
        lambda actor, metadata, values: referral.send(
            deps, actor, referral.draft_from_form(metadata, values)
        ),
    )
    new_item_form(
        advocacy.FORM_CALLBACK,
        advocacy.form_errors,
        lambda actor, metadata, values: advocacy.send(
            deps, actor, advocacy.draft_from_form(metadata, values)
        ),
    )
    new_item_form(
        consult.FORM_CALLBACK,
        consult.form_errors,
        lambda actor, metadata, values: consult.send(deps, actor, consult.draft_from_form(metadata, values)),
    )


def _clicker(body: dict[str, Any], context: BoltContext) -> Actor:
    actor = actor_of(body, context)
    if actor is None:
        raise LiaisonError("Liaison could not tell who clicked, so it did nothing.")
    return actor


def _ref(body: dict[str, Any]) -> str:
    return str(json.loads(body["actions"][0]["value"])["ref"])


def _open(client: WebClient, body: dict[str, Any], form: Form) -> None:
    client.views_open(trigger_id=body["trigger_id"], view=render.form(form))


def _values(body: dict[str, Any]) -> shared.FormValues:
    return render.submitted(body["view"]["state"]["values"])


def _answer_form(
    client: WebClient, body: dict[str, Any], context: BoltContext, work: Callable[[Actor], Reply]
) -> None:
    """Do a form's work after its ack and answer privately in the form's channel (forms have no
    response_url); every failure, even in reading the form, becomes an answer."""
    user_id = body["user"]["id"]
    channel_id: str | None = None
    try:
        channel_id = json.loads(body["view"]["private_metadata"]).get("channel")
        actor = actor_of(body, context)
        if actor is None:
            raise LiaisonError("Liaison could not tell who sent this, so it did nothing.")
        text = work(actor).text
    except Exception as error:
        text = errors.user_message(error)
    errors.tell_privately(client, channel_id, user_id, text)
