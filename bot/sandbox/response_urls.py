"""The response_url endpoints the driver hands out with commands and clicks (POST /response/<token>).

Like Slack: each URL works 5 times within 30 minutes; a message is ephemeral to the person unless
`response_type` is `in_channel`. For a click, `replace_original` / `delete_original` change the message
clicked (ephemeral or not). For a slash command they change nothing and the message is posted anew, as
reported to Slack in slackapi/bolt-js#2287 and slackapi/bolt-python#1268; a message shortcut's likewise
posts anew, privately to the person where the message is (in its thread for a reply).
These are hooks endpoints, not Web API methods, so their refusals are not catalog error codes.
"""

from __future__ import annotations

from typing import Any

from . import blockkit
from .methods import truthy
from .workspace import JSON, RESPONSE_URL_LIFETIME_SECONDS, RESPONSE_URL_USES, Ephemeral, Message, Workspace


class WebhookError(Exception):
    def __init__(self, status: int, error: str, messages: list[str] | None = None) -> None:
        super().__init__(error)
        self.status, self.error, self.messages = status, error, messages or []

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error": self.error}
        if self.messages:
            body["response_metadata"] = {"messages": self.messages}
        return body


def _source(ws: Workspace, channel_id: str, ts: str | None, ephemeral: bool) -> Message | Ephemeral | None:
    if ts is None:
        return None
    return ws.ephemeral(channel_id, ts) if ephemeral else ws.message(channel_id, ts)


def handle_response_url(ws: Workspace, token: str, body: Any) -> JSON:
    """Apply one POST to a response_url; raises WebhookError where Slack would refuse it."""
    with ws.lock:
        url = ws.response_urls.get(token)
        if url is None:
            raise WebhookError(404, "invalid_token")
        if ws.clock.now() - url.issued_at > RESPONSE_URL_LIFETIME_SECONDS:
            raise WebhookError(404, "expired_url")
        if url.uses >= RESPONSE_URL_USES:
            raise WebhookError(404, "used_url")
        if not isinstance(body, dict):
            raise WebhookError(400, "invalid_payload")
        text = str(body.get("text") or "")
        blocks = body.get("blocks") or None
        if blocks is not None:
            problems = blockkit.check_message_blocks(blocks)
            if problems:
                raise WebhookError(400, "invalid_blocks", problems)
        url.uses += 1
        source = (
            _source(ws, url.channel, url.source_ts, url.source_is_ephemeral) if url.kind == "action" else None
        )
        if source is not None and truthy(body.get("delete_original")):
            source.deleted = True
            return {"ok": True}
        if not text and not blocks:
            raise WebhookError(400, "no_text")
        if source is not None and truthy(body.get("replace_original")):
            ws.edit(source, text, blocks)
            return {"ok": True}
        thread_ts = body.get("thread_ts") or url.thread_ts
        if body.get("response_type") == "in_channel":
            ws.post_as_bot(url.channel, text, blocks, thread_ts=thread_ts)
        else:
            ws.post_ephemeral(url.user, url.channel, text, blocks, source="response_url", thread_ts=thread_ts)
        return {"ok": True}
