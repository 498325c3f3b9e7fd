"""The Web API client, with the one retry policy the whole bot uses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.pacing import Pacer


class PacedWebClient(WebClient):
    """A WebClient whose every call first waits for room in Slack's rate budget (bot/pacing.py)."""

    def __init__(self, *args: Any, pacer: Pacer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pacer = pacer

    def api_call(self, api_method: str, **kwargs: Any) -> Any:  # type: ignore[override]
        args = kwargs.get("json") or kwargs.get("data") or kwargs.get("params") or {}
        self.pacer.wait_for_room(api_method, str(args.get("channel") or ""))
        return super().api_call(api_method, **kwargs)


def web_client(token: str | None, base_url: str) -> WebClient:
    """A WebClient that keeps under Slack's rate limits, waits out 429s for as long as Slack's Retry-After
    says, and retries 5xx and dropped connections with backoff; slack_sdk does none of these unless told
    to."""
    return PacedWebClient(
        pacer=Pacer(),
        token=token,
        base_url=base_url,
        timeout=10,
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
            ConnectionErrorRetryHandler(max_retry_count=2),
        ],
    )


@dataclass(frozen=True)
class Installation:
    """What auth.test says about the token: the home workspace and the bot's own user."""

    team: str
    team_id: str
    url: str
    bot_user_id: str
    bot_id: str | None


class SlackUnreachable(Exception):
    """Slack (or the stand-in) refused the token or could not be reached; the message is one line."""


def installation(client: WebClient) -> Installation:
    try:
        info = client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error") if exc.response is not None else "unknown"
        raise SlackUnreachable(
            f"Slack refused SLACK_BOT_TOKEN ({error}): copy the Bot User OAuth Token again from "
            "'OAuth & Permissions' in your Slack app's settings, and reinstall the app if it was revoked"
        ) from exc
    except (OSError, SlackClientError) as exc:
        raise SlackUnreachable(
            f"Could not reach Slack at {client.base_url} ({exc}): check SLACK_API_URL and the network"
        ) from exc
    return Installation(
        team=info["team"],
        team_id=info["team_id"],
        url=info.get("url", ""),
        bot_user_id=info["user_id"],
        bot_id=info.get("bot_id"),
    )
