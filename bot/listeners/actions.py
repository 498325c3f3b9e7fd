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
from commands import advocacy, card_for, consult, home, referral, reminders
from commands import items as shared
from commands.forms import Form
from commands.invocation import Deps, Reply
from storage import items
from storage.audit import Actor
from storage.errors import LiaisonError
from storage.people import identify

FormErrors = Callable[[shared.FormValues], dict[str, str]]
FormWork = Callable[[Actor, str, shared.FormValues], Reply]  # (who, the form's metadata, its values)


def register(app: App, deps: Deps) -> None:
    @app.action(re.compile(r"^(referral|consult|advocacy)\.move\."))
    def on_move(
        ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond, client: WebClient
    ) -> None:
        ack()
        with errors.reported_to(respond):
            if not first_delivery(deps, context):
                return
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
            _tell_trouble(respond, shared.apply_move(deps, actor, change, card_for(kind)))

    @app.action(consult.TAKE_ACTION)
    def on_take(ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        ack()
        with errors.reported_to(respond):
            if first_delivery(deps, context):
                _tell_trouble(respond, consult.take(deps, _clicker(body, context), _ref(body)))

    @app.action(re.compile(rf"^{re.escape(reminders.SNOOZE_ACTION)}\."))
    def on_snooze(ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        ack()
        with errors.reported_to(respond):
            if first_delivery(deps, context):
                reply = reminders.snooze(deps, _clicker(body, context), body["actions"][0]["value"])
                respond(**render.ephemeral(reply))

    new_forms: dict[str, Callable[[Actor], Form]] = {
        "referral": lambda actor: referral.open_form(deps, actor, referral.Draft(channel_id="")),
        "consult": lambda actor: consult.open_form(deps, actor, consult.Draft(channel_id="")),
        "advocacy": lambda actor: advocacy.open_form(deps, actor, advocacy.Draft(channel_id="")),
    }

    @app.action(re.compile(rf"^{re.escape(home.NEW_ACTION)}\."))
    def on_new_from_home(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        """A Home tab button: the kind's form, asking where to post. The Home tab has no response_url, so
        a refusal is told by direct message."""
        ack()
        try:
            kind = body["actions"][0]["action_id"].rsplit(".", 1)[1]
            if first_delivery(deps, context):
                _open(client, body, new_forms[kind](_clicker(body, context)))
        except Exception as error:
            errors.tell_privately(client, None, body["user"]["id"], errors.user_message(error))

    def form_button(action_id: str, form_for: Callable[[Actor, str, str], Form]) -> None:
        """A card button that opens a form about its item (asked only of someone who may use it)."""

        @app.action(action_id)
        def on_click(
            ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond, client: WebClient
        ) -> None:
            ack()
            with errors.reported_to(respond):
                if first_delivery(deps, context):
                    _open(client, body, form_for(_clicker(body, context), _ref(body), body["channel"]["id"]))

    form_button(
        consult.EXTEND_ACTION, lambda actor, ref, channel: consult.extend_form(deps, actor, ref, channel)
    )
    form_button(
        advocacy.ASSIGN_ACTION, lambda actor, ref, channel: advocacy.assign_form(deps, actor, ref, channel)
    )

    def submitted_form(callback_id: str, work: FormWork, problems: FormErrors | None = None) -> None:
        """A form's submission: what can be checked without a call is shown in the still-open form (so
        nothing typed is lost); the rest is done after the ack and answered privately."""

        @app.view(callback_id)
        def on_submit(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
            try:
                found = problems(_values(body)) if problems else {}
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
                lambda actor: work(actor, _metadata(body), _values(body)),
                lambda: first_delivery(deps, context),
            )

    def move(actor: Actor, metadata: str, values: shared.FormValues) -> Reply:
        change = shared.move_from_form(metadata, values)
        return shared.apply_move(deps, actor, change, card_for(shared.kind_named(change.ref)))

    submitted_form(shared.MOVE_FORM_CALLBACK, move)
    submitted_form(
        consult.EXTEND_CALLBACK,
        lambda actor, metadata, values: consult.extend(
            deps, actor, shared.ref_in(metadata), shared.typed(values, "due") or ""
        ),
        consult.extend_form_errors,
    )
    submitted_form(
        advocacy.ASSIGN_CALLBACK,
        lambda actor, metadata, values: advocacy.assign(
            deps, actor, shared.ref_in(metadata), _people(values)
        ),
    )
    submitted_form(
        referral.FORM_CALLBACK,
        lambda actor, metadata, values: referral.send(
            deps, actor, referral.draft_from_form(metadata, values)
        ),
        referral.form_errors,
    )
    submitted_form(
        consult.FORM_CALLBACK,
        lambda actor, metadata, values: consult.send(deps, actor, consult.draft_from_form(metadata, values)),
        consult.form_errors,
    )
    submitted_form(
        advocacy.FORM_CALLBACK,
        lambda actor, metadata, values: advocacy.send(
            deps, actor, advocacy.draft_from_form(metadata, values)
        ),
        advocacy.form_errors,
    )


def _people(values: shared.FormValues) -> list[str]:
    chosen = values.get("owners")
    return chosen if isinstance(chosen, list) else []


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
    return shared.ref_in(body["actions"][0].get("value"))


def _open(client: WebClient, body: dict[str, Any], form: Form) -> None:
    with door.viewed_by(body["user"]["id"]):  # the form is seen by who clicked
        client.views_open(trigger_id=body["trigger_id"], view=render.form(form))


def _metadata(body: dict[str, Any]) -> str:
    return str(body["view"].get("private_metadata", ""))


def _channel_of(metadata: str) -> str | None:
    """The channel a form was opened from, as Liaison wrote it into the form; None if unreadable."""
    try:
        return shared.written_by_liaison(metadata).get("channel")
    except LiaisonError:
        return None


def _values(body: dict[str, Any]) -> shared.FormValues:
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
