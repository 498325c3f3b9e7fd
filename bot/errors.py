"""The one place that turns an exception into what the person sees.

Domain errors (LiaisonError and its kinds) carry a message written for the person; anything else is a
bug: the person gets a short apology with a reference, the log gets the traceback under that reference.

Listeners do their work after ack() inside `reported_to(respond)`. Letting the exception reach Bolt's
own error handler instead is not safe in sync Bolt: its thread runner resets `ack.response` to None when
a listener raises after acking, and if that lands inside its 10 ms poll the request is answered as
unacknowledged and the person sees Slack's timeout (slack_bolt/listener/thread_runner.py).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from slack_bolt import App
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot import notify, render
from bot.door import GuardRefused
from bot.workspace import is_transient
from storage.errors import DatabaseUnavailable, LiaisonError
from storage.work import TakenOver

log = logging.getLogger("liaison")


# What Slack says of a trigger_id used too late (good for 3 s after the person acted) or used already.
EXPIRED_TRIGGERS = frozenset({"expired_trigger_id", "exchanged_trigger_id"})
FORM_TOO_LATE = "Slack took too long to open the form, so nothing was saved; {again}."


@contextmanager
def opening_form(again: str) -> Iterator[None]:
    """Around views.open: when Slack was slow (a rate limit, a slow answer before it) and the trigger_id
    expired, the person is told in words, with what to do again (`again`: "use the shortcut again"), not
    Slack's code; nothing was saved, since the form never opened."""
    try:
        yield
    except SlackApiError as exc:
        code = exc.response.get("error") if exc.response is not None else None
        if code in EXPIRED_TRIGGERS:
            log.warning("a form could not open in time (%s)", code)
            raise LiaisonError(FORM_TOO_LATE.format(again=again)) from exc
        raise


def user_message(error: Exception) -> str:
    if isinstance(error, GuardRefused):
        return error.explanation
    if isinstance(error, SlackApiError):
        code = error.response.get("error") if error.response is not None else "unknown"
        log.warning("Slack refused a call: %s", code)
        if is_transient(error):
            return f"Slack is not answering right now ({code}), so nothing was saved. Try again in a minute."
        hint = (
            " Invite Liaison to the channel with `/invite @liaison` and try again."
            if code in ("not_in_channel", "channel_not_found")
            else ""
        )
        return f"Slack refused what Liaison tried to post ({code}), so nothing was saved.{hint}"
    if isinstance(error, SlackClientError):
        log.warning("Slack could not be reached: %s", error)
        return "Liaison could not reach Slack just now, so nothing was saved. Try again in a minute."
    if isinstance(error, LiaisonError):
        if isinstance(error, DatabaseUnavailable):
            # Whether anyone is told is for the caller to know (an event has nobody to tell): not said here.
            log.error("database unreachable while handling a request; nothing was saved")
        return render.slack_words(error.message)
    reference = uuid.uuid4().hex[:8]
    log.error("unexpected error (reference %s)", reference, exc_info=error)
    return (
        "Sorry, Liaison ran into a problem it did not expect and could not finish this. "
        f"Your administrator can find the details in Liaison's log under reference `{reference}`."
    )


@contextmanager
def reported_to(respond: Respond | None, still_ours: Callable[[], bool] | None = None) -> Iterator[None]:
    """Run a listener's work after its ack; any exception is shown privately to the person who acted.
    `still_ours`: for a kept command, whether its worker still holds it; if another worker has taken it
    over (this one stalled past its lease), that one answers, and the failure here is TakenOver."""
    try:
        yield
    except TakenOver:
        raise  # another worker holds the command now and answers for it: one answer, not two
    except Exception as error:
        if still_ours is not None and not _asked(still_ours):
            raise TakenOver(str(type(error).__name__)) from error
        tell(respond, user_message(error))


def _asked(still_ours: Callable[[], bool]) -> bool:
    """still_ours(), or True when it cannot be told (the database is away): better told twice than never."""
    try:
        return still_ours()
    except Exception:
        return True


def tell(respond: Respond | None, text: str) -> None:
    if respond is None or respond.response_url is None:
        return  # events carry no response_url; the log line from user_message() is what remains
    try:
        respond(text=text, response_type="ephemeral", replace_original=False)
    except Exception:  # the error path must never raise: log and give up
        log.exception("could not tell the person about an error")


def tell_privately(client: WebClient, channel_id: str | None, user_id: str, text: str) -> None:
    """An ephemeral message to one person in a channel, for answers that have no response_url (forms);
    a direct message when the channel can't take one. Never raises: it runs on the error path."""
    try:
        if channel_id:
            client.chat_postEphemeral(channel=channel_id, user=user_id, text=render.slack_words(text))
            return
    except Exception as exc:  # not in the channel, or Slack unreachable: try a direct message
        log.warning("could not answer %s in %s (%s); sending a direct message", user_id, channel_id, exc)
    try:
        if notify.dm(client, user_id, text):
            return
    except Exception:
        log.exception("could not send %s a direct message", user_id)
    log.error("could not tell %s an answer (neither privately in the channel nor by direct message)", user_id)


def register(app: App) -> None:
    @app.error
    def handle_error(error: Exception, body: dict[str, Any], respond: Respond | None) -> None:
        """Safety net for failures outside `reported_to` (before ack, or in middleware)."""
        tell(respond, user_message(error))
