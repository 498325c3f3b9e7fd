"""Socket Mode: the WebSocket server an app reaches through the URL apps.connections.open returns.

It speaks Slack's protocol as python-slack-sdk's builtin SocketModeClient expects it: a `hello` on connect,
envelopes `{"envelope_id", "type", "payload", "accepts_response_payload"[, "retry_attempt",
"retry_reason"]}` (as facts/payloads.json lists them), acks `{"envelope_id"[, "payload"]}`
back, pings answered, several connections with each envelope going to one of them, and `disconnect`
messages for reconnect tests. The URL is plain ws:// on 127.0.0.1: slack_sdk's builtin connection uses a
plain socket for any port but 443 (slack_sdk/socket_mode/builtin/internals.py).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

from .serving import ServingThread
from .workspace import JSON

MAX_CONNECTIONS = 10  # slack-facts.md: up to 10 connections per app
RETIRE_AFTER_SECONDS = 10.0  # how long a connection told to disconnect stays open


@dataclass
class SocketAck:
    """What came back for one envelope: the ack (if any) and how long it took."""

    envelope: JSON
    acked: bool = False
    payload: JSON | None = None
    elapsed_seconds: float = 0.0
    _event: threading.Event = field(default_factory=threading.Event, repr=False)


class SocketModeServer(ServingThread):
    def __init__(self, app_id: str) -> None:
        self.app_id = app_id
        self._lock = threading.Lock()
        self._tickets: set[str] = set()
        self._connections: list[ServerConnection] = []
        # Connections told to disconnect get no more envelopes, as Slack stops using them.
        self._retiring: set[ServerConnection] = set()
        self._pending: dict[str, SocketAck] = {}
        self._turn = itertools.count()
        self._connected = threading.Condition(self._lock)
        self.received: list[JSON] = []  # every message the app sent (acks, anything else)
        self._server: Server = serve(
            self._serve_connection,
            "127.0.0.1",
            0,
            process_request=self._check_ticket,
            compression=None,
            close_timeout=1,  # slack_sdk's client does not answer a close frame: do not wait long for it
        )
        super().__init__(
            "sandbox-socket", self._server.serve_forever, self._server.shutdown, self._server.socket.close
        )

    @property
    def port(self) -> int:
        return int(self._server.socket.getsockname()[1])

    def issue_url(self) -> str:
        """A new one-use WebSocket URL, as apps.connections.open hands out."""
        ticket = str(uuid.uuid4())
        with self._lock:
            self._tickets.add(ticket)
        return f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}&app_id={self.app_id}"

    def _check_ticket(self, connection: ServerConnection, request: Request) -> Response | None:
        ticket = parse_qs(urlsplit(request.path).query).get("ticket", [""])[0]
        with self._lock:
            if ticket not in self._tickets:
                return connection.respond(401, "invalid or used ticket: call apps.connections.open\n")
            if len(self._connections) >= MAX_CONNECTIONS:
                return connection.respond(429, "too many connections\n")
            self._tickets.discard(ticket)
        return None

    def _serve_connection(self, connection: ServerConnection) -> None:
        with self._connected:
            self._connections.append(connection)
            count = len(self._connections)
            self._connected.notify_all()
        try:
            connection.send(
                json.dumps(
                    {
                        "type": "hello",
                        "num_connections": count,
                        "debug_info": {
                            "host": "applink-sandbox",
                            "build_number": 1,
                            "approximate_connection_time": 18060,
                        },
                        "connection_info": {"app_id": self.app_id},
                    }
                )
            )
            for raw in connection:
                self._on_message(raw)
        except ConnectionClosed:
            pass
        finally:
            with self._connected:
                if connection in self._connections:
                    self._connections.remove(connection)
                self._retiring.discard(connection)
                self._connected.notify_all()

    def _on_message(self, raw: str | bytes) -> None:
        try:
            message = json.loads(raw)
        except ValueError:
            return
        if not isinstance(message, dict):
            return
        with self._lock:
            self.received.append(message)
            pending = self._pending.get(str(message.get("envelope_id")))
        if pending is not None and not pending.acked:
            pending.acked = True
            pending.payload = message.get("payload")
            pending._event.set()

    def _usable(self) -> list[ServerConnection]:
        return [c for c in self._connections if c not in self._retiring]

    @property
    def connection_count(self) -> int:
        """Connections that receive envelopes (not those told to disconnect)."""
        with self._lock:
            return len(self._usable())

    def wait_for_connection(self, timeout: float) -> bool:
        """Wait until the app has a connection and has let go of any it was told to leave: slack_sdk's
        builtin client reads a new connection only once the old one is closed (up to 3 s later)."""
        with self._connected:
            return bool(
                self._connected.wait_for(lambda: self._usable() and not self._retiring, timeout=timeout)
            )

    def deliver(
        self,
        kind: str,
        payload: JSON,
        *,
        accepts_response_payload: bool,
        retry_attempt: int | None = None,
        retry_reason: str | None = None,
        timeout: float = 10.0,
    ) -> SocketAck:
        """Send one envelope to one connection and wait up to `timeout` for its ack."""
        envelope: JSON = {
            "envelope_id": str(uuid.uuid4()),
            "payload": payload,
            "type": kind,
            "accepts_response_payload": accepts_response_payload,
        }
        if kind == "events_api":
            envelope["retry_attempt"] = retry_attempt or 0
            envelope["retry_reason"] = retry_reason or ""
        ack = SocketAck(envelope)
        with self._lock:
            self._pending[envelope["envelope_id"]] = ack
        started = time.monotonic()
        self._send_to_one(json.dumps(envelope))
        ack._event.wait(timeout)
        ack.elapsed_seconds = time.monotonic() - started
        return ack

    def _send_to_one(self, text: str) -> None:
        """Send to the next usable connection in turn, passing over any that has just closed."""
        while True:
            with self._lock:
                usable = self._usable()
                if not usable:
                    raise ConnectionError("no Socket Mode connection: is the app running? (wait_for_socket)")
                connection = usable[next(self._turn) % len(usable)]
            try:
                connection.send(text)
                return
            except ConnectionClosed:
                with self._lock:
                    self._retiring.add(connection)

    def send_disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask every connected app to reconnect, as Slack does before it retires a connection; the old
        connections get no more envelopes."""
        message = json.dumps(
            {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-sandbox"}}
        )
        with self._lock:
            connections = self._usable()
            self._retiring.update(connections)
        for connection in connections:
            with contextlib.suppress(ConnectionClosed):
                connection.send(message)
        # Slack closes a connection it asked to leave shortly after, whether or not the app has left.
        timer = threading.Timer(RETIRE_AFTER_SECONDS, self._close_all, args=(connections,))
        timer.daemon = True
        timer.start()

    def drop_connections(self) -> None:
        """Close every connection (code 1001, going away), as when Slack's server restarts. slack_sdk's
        builtin client reconnects only when its monitor next runs (every ping_interval seconds)."""
        with self._lock:
            connections = list(self._connections)
        self._close_all(connections)

    def _close_all(self, connections: list[ServerConnection]) -> None:
        for connection in connections:
            connection.close(code=1001, reason="going away")

    def acks(self) -> list[JSON]:
        with self._lock:
            return [m for m in self.received if "envelope_id" in m]
