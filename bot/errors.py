"""The one place that turns an exception into what the person sees.

Domain errors (LiaisonError and its kinds) carry a message written for the person; anything else is a
bug: the person gets a short apology with a reference, the log gets the traceback under that reference.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from slack_bolt import App
from slack_bolt.context.respond import Respond

from storage.errors import DatabaseUnavailable, LiaisonError

log = logging.getLogger("liaison")


def user_message(error: Exception) -> str:
    if isinstance(error, LiaisonError):
        if isinstance(error, DatabaseUnavailable):
            log.error("database unreachable while handling a request; the person was told nothing was saved")
        return error.message
    reference = uuid.uuid4().hex[:8]
    log.error("unexpected error (reference %s)", reference, exc_info=error)
    return (
        "Sorry, Liaison ran into a problem it did not expect and could not finish this. "
        f"Your administrator can find the details in Liaison's log under reference `{reference}`."
    )


def register(app: App) -> None:
    @app.error
    def handle_error(error: Exception, body: dict[str, Any], respond: Respond | None) -> None:
        text = user_message(error)
        if respond is not None and (body.get("response_url") or body.get("response_urls")):
            try:
                respond(text=text, response_type="ephemeral", replace_original=False)
            except Exception:  # the error path must never raise: log and give up
                log.exception("could not tell the person about an error")
