"""Direct messages from the bot to a person."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot import render

log = logging.getLogger("liaison")


def dm(client: WebClient, user_id: str, text: str) -> bool:
    """Send `text` to `user_id` privately; False (and a log line) when Slack refuses."""
    try:  # a person's ID as the channel posts in the app's direct messages with them
        client.chat_postMessage(channel=user_id, text=render.slack_words(text))
        return True
    except SlackApiError as exc:
        log.warning("could not send a direct message to %s: %s", user_id, exc.response.get("error"))
        return False
    except (SlackClientError, OSError) as exc:  # Slack unreachable even after the client's retries
        log.warning("could not send a direct message to %s: %s", user_id, type(exc).__name__)
        return False
