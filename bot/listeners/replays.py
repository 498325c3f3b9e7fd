"""Replayed requests do nothing. Slack never retries a slash command, a click or a form, so the same
signed request arriving twice is a replay (someone who captured it, or a proxy sending it again within
the signature's five minutes). What identifies one delivery is its signature (over HTTP: an HMAC of its
timestamp and body) or, over Socket Mode, a hash of its body, which carries a one-time trigger_id. The
key is noted in the database after the ack, so a replay is found across restarts and instances."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse

from commands.invocation import Deps
from storage import deliveries
from storage.errors import DatabaseBusy, DatabaseUnavailable

log = logging.getLogger("liaison")
KEY = "liaison_delivery"  # where the middleware leaves the delivery's key in Bolt's context


def key_of(req: BoltRequest) -> str:
    signature = (req.headers.get("x-slack-signature") or [""])[0]
    if signature:
        return signed_key(signature)
    raw = req.raw_body or json.dumps(req.body, sort_keys=True)
    return f"body:{hashlib.sha256(raw.encode('utf-8', 'surrogatepass')).hexdigest()}"


def signed_key(signature: str) -> str:
    """The key of a request Slack signed with `signature` (its X-Slack-Signature header)."""
    return f"sig:{signature.removeprefix('v0=')[:72]}"


def register(app: App) -> None:
    @app.middleware
    def identify_the_delivery(
        req: BoltRequest, body: dict[str, Any], context: BoltContext, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        # Events are Slack's to redeliver (same event_id, new signature) and are recorded idempotently.
        if body.get("type") != "event_callback":
            context[KEY] = key_of(req)
        return next()


def first_delivery(deps: Deps, context: BoltContext) -> bool:
    """Whether this request is acted on: False for a replay, which is logged and otherwise ignored (the
    person who sent the original already has their answer)."""
    key = context.get(KEY)
    try:
        if key is None or deliveries.first_time(deps.db, key, deps.clock()):
            return True
    except (DatabaseUnavailable, DatabaseBusy):
        # Whatever the request would change needs the database too, and fails with "nothing was saved";
        # what needs none (help, a usage answer) is answered.
        return True
    log.warning("ignored a replayed request (the same signed delivery was acted on before)")
    return False
