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
from commands import referral
from commands.invocation import Deps, Reply
from storage import referrals
from storage.audit import Actor
from storage.errors import LiaisonError
from storage.models import ReferralStatus
from storage.people import identify
from storage.referral_states import NEEDS_OUTCOME, NEEDS_REASON
from storage.referrals import Move


def register(app: App, deps: Deps) -> None:
    @app.action(re.compile(rf"^{re.escape(referral.MOVE_ACTION)}\."))
    def on_move(
        ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond, client: WebClient
    ) -> None:
        ack()
        with errors.reported_to(respond):
            actor = actor_of(body, context)
            if actor is None:
                raise LiaisonError("Liaison could not tell who clicked, so it did nothing.")
            value = json.loads(body["actions"][0]["value"])
            change = Move(value["ref"], ReferralStatus(value["from"]), ReferralStatus(value["to"]))
            if change.target in NEEDS_REASON or change.target in NEEDS_OUTCOME:
                with deps.db.session() as session:  # refuse before asking for a reason that can't be used
                    referrals.check_move(
                        session, identify(session, actor, deps.home_team_id, deps.admins), change
                    )
                form = referral.move_form(change, body["channel"]["id"])
                client.views_open(trigger_id=body["trigger_id"], view=render.form(form))
                return
            referral.apply_move(deps, actor, change)

    @app.view(referral.MOVE_FORM_CALLBACK)
    def on_move_form(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        ack()

        def work(actor: Actor) -> Reply:
            change, _ = referral.move_from_form(body["view"]["private_metadata"], _values(body))
            return referral.apply_move(deps, actor, change)

        _answer_form(client, body, context, work)

    @app.view(referral.FORM_CALLBACK)
    def on_open_form(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        try:
            problems = referral.form_errors(_values(body))
        except (KeyError, TypeError):  # a malformed submission: acknowledge; the work below reports it
            problems = {}
        if problems:  # shown in the open form: nothing the person typed is lost
            ack(response_action="errors", errors=problems)
            return
        ack()

        def work(actor: Actor) -> Reply:
            return referral.send(
                deps, actor, referral.draft_from_form(body["view"]["private_metadata"], _values(body))
            )

        _answer_form(client, body, context, work)


def _values(body: dict[str, Any]) -> dict[str, str | bool | None]:
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
