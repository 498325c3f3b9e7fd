"""Sends the app what Slack sends it, over HTTP (signed like Slack) or Socket Mode, and applies the app's
acknowledgement the way Slack's client shows it to the person.

HTTP bodies: slash commands form-encoded, interactivity as `payload=<url-encoded JSON>`, events as JSON,
each signed with `X-Slack-Signature: v0=hex(HMAC-SHA256(secret, "v1:" + timestamp + ":" + body))`.
Slack waits 3 s for an acknowledgement; a later one counts as a timeout, whatever it says.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from . import blockkit
from .payloads import PayloadBuilder
from .socket_mode import SocketModeServer
from .workspace import JSON, MODAL_STACK_LIMIT, Channel, View, Workspace

# An app served in the test's own process: it takes the signed request's body and headers and answers
# (status, body, headers) as its HTTP endpoint would, without a socket in between.
InProcessApp = Callable[[bytes, dict[str, str]], tuple[int, str, dict[str, str]]]
ACK_SECONDS = 3.0  # slack-facts.md: acknowledge within 3 seconds or the person sees a timeout
ENVELOPE_TYPES = {"command": "slash_commands", "interactive": "interactive", "event": "events_api"}


def accepts_response(kind: str, payload: Any) -> bool:
    """Socket Mode's accepts_response_payload: socket_mode_envelopes.json shows true for commands and false
    for block_actions; a view_submission's ack carries its response_action, so true there too."""
    return kind == "command" or (kind == "interactive" and payload.get("type") == "view_submission")


def slack_signature(signing_secret: str, timestamp: str, body: bytes) -> str:
    """Slack's request signature, computed here rather than with slack_sdk's signer so the two are checked
    against each other (and against Slack's published test vector)."""
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    return "v0=" + hmac.new(signing_secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


@dataclass
class Delivery:
    """One request Slack made to the app, and what came back."""

    via: str
    payload: Any  # what Slack sent: command fields, interaction payload or event envelope
    status: int | None  # HTTP status; 200 for a Socket Mode ack; None when nothing came back in time
    body: str
    headers: dict[str, str]
    elapsed_seconds: float
    ack_payload: JSON | None
    timed_out: bool = False
    envelope_id: str | None = None
    problems: list[str] = field(default_factory=list)  # what Slack would show the person as a failure
    sent: tuple[bytes, dict[str, str]] | None = None  # over HTTP: the exact body and headers, to replay

    @property
    def acked(self) -> bool:
        return self.status == 200 and not self.timed_out


def parse_ack(body: str, content_type: str) -> JSON | None:
    """The app's acknowledgement body as Slack reads it: JSON, or plain text meaning {"text": ...}."""
    if not body:
        return None
    if content_type.startswith("application/json"):
        try:
            parsed = json.loads(body)
        except ValueError:
            return {"text": body}
        return parsed if isinstance(parsed, dict) else None
    return {"text": body}


@dataclass(frozen=True)
class SignedCommand:
    """A slash command signed for another process to send (Sandbox.signed_slash_command)."""

    body: bytes
    headers: dict[str, str]
    fields: dict[str, str]
    user_id: str
    channel: Channel
    command: str


class Driver:
    def __init__(
        self, ws: Workspace, payloads: PayloadBuilder, socket: SocketModeServer, secret: str
    ) -> None:
        self.ws = ws
        self.payloads = payloads
        self.socket = socket
        self.signing_secret = secret
        self.bot_url = "http://127.0.0.1:3000/slack/events"
        self.wait_seconds = 10.0  # how long to wait for any answer before giving up on the app
        self.deliveries: list[Delivery] = []
        self.in_process: InProcessApp | None = None  # when set, HTTP deliveries go to it directly
        self.delivering = 0  # deliveries sent that have not come back yet (people acting at once)

    # ---- transport ----------------------------------------------------------------------------------

    def signed_command(self, fields: dict[str, str]) -> tuple[bytes, dict[str, str]]:
        body = urlencode(fields).encode()
        return body, self.signed_headers(body, "application/x-www-form-urlencoded")

    def signed_headers(self, body: bytes, content_type: str) -> dict[str, str]:
        timestamp = str(int(time.time()))
        return {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": slack_signature(self.signing_secret, timestamp, body),
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        }

    def post_raw(self, body: bytes, headers: dict[str, str], payload: Any = None) -> Delivery:
        """POST exactly these bytes and headers to the app's request URL."""
        with self.ws.lock:
            self.delivering += 1
        try:
            delivery = self._post(body, headers, payload)
        finally:
            with self.ws.lock:
                self.delivering -= 1
        delivery.sent = (body, dict(headers))
        return delivery

    def _post(self, body: bytes, headers: dict[str, str], payload: Any) -> Delivery:
        if self.in_process is not None:
            return self._call_in_process(self.in_process, body, headers, payload)
        parts = urlsplit(self.bot_url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection = http.client.HTTPConnection(
            parts.hostname or "127.0.0.1", parts.port or 80, timeout=self.wait_seconds
        )
        started = time.monotonic()
        try:
            connection.request("POST", path or "/", body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", errors="replace")
        except TimeoutError:
            return self.record_http(payload, None, "", {}, time.monotonic() - started, timed_out=True)
        except OSError as e:  # Slack counts an unreachable app as a failed delivery, not as an answer
            failed = Delivery("http", payload, None, "", {}, time.monotonic() - started, None)
            failed.problems.append(f"cannot reach the app at {self.bot_url}: {e}")
            return self._record(failed)
        finally:
            connection.close()
        answer_headers = {k.lower(): v for k, v in response.getheaders()}
        return self.record_http(payload, response.status, text, answer_headers, time.monotonic() - started)

    def record_http(
        self,
        payload: Any,
        status: int | None,
        text: str,
        headers: dict[str, str],
        elapsed: float,
        *,
        timed_out: bool = False,
    ) -> Delivery:
        """Record what came back over HTTP (`status` None: nothing; `timed_out`: nothing in wait_seconds)."""
        ack = parse_ack(text, headers.get("content-type", "")) if status == 200 else None
        late = timed_out or elapsed > ACK_SECONDS
        return self._record(Delivery("http", payload, status, text, headers, elapsed, ack, timed_out=late))

    def deliver(
        self, kind: str, payload: Any, via: str, *, retry_num: int = 0, retry_reason: str = ""
    ) -> Delivery:
        """Send a command, an interaction or an event the way Slack does over `via` ("http" or "socket")."""
        with self.ws.lock:
            self.delivering += 1
        try:
            return self._deliver(kind, payload, via, retry_num, retry_reason)
        finally:
            with self.ws.lock:
                self.delivering -= 1

    def _deliver(self, kind: str, payload: Any, via: str, retry_num: int, retry_reason: str) -> Delivery:
        if via == "socket":
            return self._deliver_socket(kind, payload, retry_num, retry_reason)
        if via != "http":
            raise ValueError(f"via must be 'http' or 'socket', not {via!r}")
        if kind == "command":
            body, headers = self.signed_command(payload)
        elif kind == "interactive":
            body = b"payload=" + quote(json.dumps(payload)).encode()
            headers = self.signed_headers(body, "application/x-www-form-urlencoded")
        else:
            body = json.dumps(payload).encode()
            headers = self.signed_headers(body, "application/json")
        if retry_num:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason or "http_timeout"
        return self.post_raw(body, headers, payload)

    def _call_in_process(
        self, app: InProcessApp, body: bytes, headers: dict[str, str], payload: Any
    ) -> Delivery:
        started = time.monotonic()
        status, text, answer = app(body, headers)
        elapsed = time.monotonic() - started
        answer = {k.lower(): v for k, v in answer.items()}
        ack = parse_ack(text, answer.get("content-type", "")) if status == 200 else None
        delivery = Delivery(
            "http", payload, status, text, answer, elapsed, ack, timed_out=elapsed > ACK_SECONDS
        )
        return self._record(delivery)

    def _deliver_socket(self, kind: str, payload: Any, retry_num: int, retry_reason: str) -> Delivery:
        is_event = kind == "event"  # only events carry their retry count
        try:
            ack = self.socket.deliver(
                ENVELOPE_TYPES[kind],
                payload,
                accepts_response_payload=accepts_response(kind, payload),
                timeout=self.wait_seconds,
                retry_attempt=retry_num if is_event else None,
                retry_reason=(retry_reason or ("timeout" if retry_num else "")) if is_event else None,
            )
        except ConnectionError as e:
            failed = Delivery("socket", payload, None, "", {}, 0.0, None)
            failed.problems.append(str(e))
            return self._record(failed)
        delivery = Delivery(
            "socket",
            payload,
            200 if ack.acked else None,
            json.dumps(ack.payload) if ack.payload else "",
            {},
            ack.elapsed_seconds,
            ack.payload if ack.acked else None,
            timed_out=not ack.acked or ack.elapsed_seconds > ACK_SECONDS,
            envelope_id=ack.envelope["envelope_id"],
        )
        return self._record(delivery)

    def _record(self, delivery: Delivery) -> Delivery:
        with self.ws.lock:
            self.deliveries.append(delivery)
        self.ws.answered()
        return delivery

    # ---- what the person sees of an acknowledgement -----------------------------------------------------

    def apply_command_ack(self, delivery: Delivery, user_id: str, channel: Channel, command: str) -> None:
        """A command's ack text shows as an ephemeral (or in the channel with response_type in_channel);
        a late or failed answer shows Slack's own error to the person."""
        if not delivery.acked:
            reason = "operation_timeout" if delivery.timed_out else "dispatch_failed"
            text = f'{command} failed with the error "{reason}"'
            delivery.problems.append(text)
            self.ws.post_ephemeral(user_id, channel.id, text, None, source="slack")
            return
        ack = delivery.ack_payload
        if not ack or not (ack.get("text") or ack.get("blocks")):
            return
        problems = blockkit.check_message_blocks(ack["blocks"]) if ack.get("blocks") else []
        if problems:
            delivery.problems.extend(problems)
            return
        text, blocks = str(ack.get("text") or ""), ack.get("blocks") or None
        if ack.get("response_type") == "in_channel":
            self.ws.post_as_bot(channel.id, text, blocks)
        else:
            self.ws.post_ephemeral(user_id, channel.id, text, blocks, source="ack")

    def apply_view_ack(self, delivery: Delivery, view: View) -> None:
        """response_action: errors keeps the modal open showing them; update/push/clear change the stack;
        no response_action closes the submitted view."""
        if not delivery.acked:
            delivery.problems.append("the modal shows an error: the app did not acknowledge within 3 s")
            return
        ack = delivery.ack_payload or {}
        action = ack.get("response_action")
        with self.ws.lock:
            if not action:
                self.ws.close_modal(view)
            elif action == "errors":
                self._show_errors(delivery, view, ack.get("errors"))
            elif action in ("update", "push"):
                problems = blockkit.check_view(ack.get("view"), expected_type="modal")
                if problems:
                    delivery.problems.extend(problems)
                elif action == "update":
                    self.ws.replace_view(view, ack["view"])
                elif len(self.ws.modal_stack(view.user)) >= MODAL_STACK_LIMIT:
                    delivery.problems.append("push_limit_reached: a modal stack holds at most 3 views")
                else:
                    self.ws.push_modal(
                        self.ws.new_view(view.user, ack["view"], root_view_id=view.root_view_id)
                    )
            elif action == "clear":
                self.ws.close_modal(view, clear=True)
            else:
                delivery.problems.append(f"unknown response_action {action!r}")

    def _show_errors(self, delivery: Delivery, view: View, errors: Any) -> None:
        inputs = {str(b.get("block_id")) for b in view.blocks if b.get("type") == "input"}
        if not isinstance(errors, dict) or not errors:
            delivery.problems.append("response_action errors needs a non-empty errors object")
            return
        strays = sorted(set(errors) - inputs)
        if strays:
            delivery.problems.append(f"errors name blocks that are not inputs of the view: {strays}")
        view.errors = {str(k): str(v) for k, v in errors.items()}
