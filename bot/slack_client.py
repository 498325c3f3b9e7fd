"""The Web API client, with the one retry policy the whole bot uses and the one door every write passes
(bot/door.py)."""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass
from http.client import HTTPMessage
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.request import Request

import httpx
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError, SlackRequestError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.door import READS, Door
from bot.pacing import Pacer


class DoorMissing(RuntimeError):
    """A write was attempted on a client no door was fitted to: a bug, refused rather than sent."""


class CookieFree(httpx.Client):
    """An httpx client that neither keeps nor sends cookies: Slack's Web API and response_url set none
    that Liaison needs, and reading every answer's headers for them took a tenth of each call's time."""

    @property
    def cookies(self) -> httpx.Cookies:
        return _NO_COOKIES

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        pass


class _NoCookies(httpx.Cookies):
    def extract_cookies(self, response: httpx.Response) -> None:
        pass

    def set_cookie_header(self, request: httpx.Request) -> None:
        pass


_NO_COOKIES = _NoCookies()


class LiaisonWebClient(WebClient):
    """A WebClient whose every write passes the door (bot/door.py) and whose every call first waits for
    room in Slack's rate budget (bot/pacing.py). `api_call` is where every method of WebClient ends up,
    so there is no way around either."""

    def __init__(self, *args: Any, pacer: Pacer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pacer = pacer
        self.door: Door | None = None  # fitted once the app knows who reads where (bot/app.py)
        # One pool of kept-alive connections for every call (slack_sdk opens a new one per call), shared
        # by the threads; answers through response_url use it too (bot/door.py GuardedRespond).
        self.http = CookieFree(timeout=self.timeout, limits=httpx.Limits(max_keepalive_connections=32))

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        """The call over the kept-alive pool, answered in urllib's shapes: slack_sdk's retry handlers read
        an HTTPError for a 4xx or 5xx and a URLError for a connection that failed."""
        if not url.lower().startswith(("http://", "https://")):
            raise SlackRequestError(f"Invalid URL detected: {url}")
        headers = {k: str(v) for k, v in req.header_items() if k.lower() != "content-length"}
        body = req.data if isinstance(req.data, bytes) else None  # slack_sdk always sends bytes, or none
        try:
            answer = self.http.post(url, content=body, headers=headers)
        except httpx.TransportError as exc:
            raise URLError(exc) from exc
        message = HTTPMessage()
        for name, value in answer.headers.multi_items():
            message[name] = value
        if answer.status_code >= 400:
            raise HTTPError(
                url, answer.status_code, answer.reason_phrase, message, io.BytesIO(answer.content)
            )
        return {"status": answer.status_code, "headers": message, "body": answer.text}

    def api_call(self, api_method: str, **kwargs: Any) -> Any:
        args = _arguments(kwargs)
        if api_method not in READS:
            if self.door is None:
                raise DoorMissing(f"{api_method} was called before Liaison's guard was in place")
            self.door.check(api_method, args)
        self.pacer.wait_for_room(api_method, str(args.get("channel") or ""))
        return super().api_call(api_method, **kwargs)

    def upload(self, channel_id: str | None, filename: str, content: bytes, text: str, comment: str) -> str:
        """Share a file in a conversation (None: keep it private, for image blocks to show); its file ID.
        `text` (what the file says, for a CSV its contents) is screened for who reads `channel_id` before
        the bytes leave for Slack's upload address."""
        upload = self.files_getUploadURLExternal(filename=filename, length=len(content))
        assert self.door is not None  # files.getUploadURLExternal above is a write and passed it
        file_id = str(upload["file_id"])
        self.door.checked_file(file_id, text, channel_id)
        httpx.post(str(upload["upload_url"]), content=content, timeout=60).raise_for_status()
        shared: dict[str, Any] = {"channel_id": channel_id, "initial_comment": comment} if channel_id else {}
        self.files_completeUploadExternal(files=[{"id": file_id, "title": filename}], **shared)
        return file_id


def _arguments(kwargs: dict[str, Any]) -> dict[str, Any]:
    """A call's arguments however slack_sdk passes them (JSON body, form data or query), with values that
    are JSON text (form-encoded blocks, files) read as what they hold."""
    merged: dict[str, Any] = {}
    for part in ("params", "data", "json"):
        value = kwargs.get(part)
        if isinstance(value, dict):
            merged.update(value)
    for key, value in merged.items():
        if isinstance(value, str) and value[:1] in ("[", "{"):
            with contextlib.suppress(ValueError):  # text that only starts like JSON stays text
                merged[key] = json.loads(value)
    return merged


def web_client(token: str | None, base_url: str) -> LiaisonWebClient:
    """A WebClient that keeps under Slack's rate limits, waits out 429s for as long as Slack's Retry-After
    says, and retries 5xx and dropped connections with backoff; slack_sdk does none of these unless told
    to."""
    return LiaisonWebClient(
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
