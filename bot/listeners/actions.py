"""Buttons on cards and the forms they open. Acknowledged at once; the work happens after."""

from __future__ import annotations

import json
import re
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot import errors, render
from bot.identity import actor_of
from commands import referral
from commands.invocation import Deps
from storage import referrals
from storage.errors import LiaisonError
from storage.models import ReferralStatus
from storage.people import identify
from storage.referral_states import NEEDS_OUTCOME, NEEDS_REASON, ReasonCode
from storage.referrals import Move

MODAL_TITLES = {
    ReferralStatus.rejected: "Reject",
    ReferralStatus.on_hold: "Put on hold",
    ReferralStatus.completed: "Complete",
    ReferralStatus.failed: "Could not complete",
    ReferralStatus.cancelled: "Cancel",
    ReferralStatus.entered_in_error: "Entered in error",
}


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
                reasons = [r.value for r in ReasonCode] if change.target in NEEDS_REASON else []
                title = f"{MODAL_TITLES[change.target]} {change.ref}"
                metadata = json.dumps({**value, "channel": body["channel"]["id"]})
                client.views_open(
                    trigger_id=body["trigger_id"],
                    view=render.move_modal(
                        change.ref, title, metadata, reasons, change.target in NEEDS_OUTCOME
                    ),
                )
                return
            referral.apply_move(deps, actor, change)

    @app.view("referral.move")
    def on_move_form(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        ack()
        actor = actor_of(body, context)
        value = json.loads(body["view"]["private_metadata"])
        state = body["view"]["state"]["values"]
        code = (state.get("reason", {}).get("code", {}).get("selected_option") or {}).get("value")
        note = (state.get("note", {}).get("text", {}).get("value") or "").strip() or None
        change = Move(
            value["ref"],
            ReferralStatus(value["from"]),
            ReferralStatus(value["to"]),
            ReasonCode(code) if code else None,
            note,
        )
        try:
            if actor is None:
                raise LiaisonError("Liaison could not tell who sent this, so it did nothing.")
            referral.apply_move(deps, actor, change)
        except Exception as error:  # forms have no response_url: answer privately in the item's channel
            errors.tell_privately(client, value["channel"], body["user"]["id"], errors.user_message(error))
