"""The Web API over HTTP (`/api/<method>`) and the response_url endpoints (`/response/<token>`).

Every call is checked in Slack's order: a known method name (facts/web_api.json), one the stand-in
serves (else a loud HTTP 501), injected faults, the token, rate tiers when enabled, the method's required
arguments (from Slack's reference for it), then the method itself. Answers are Slack's JSON, and every call is
logged for tests.
"""

from __future__ import annotations

import contextlib
import functools
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import reference
from .errors import ApiError, NotServed
from .methods import HANDLERS, WebApiMethods
from .ratelimits import RateLimiter
from .response_urls import WebhookError, handle_response_url
from .serving import ServingThread
from .workspace import JSON, Workspace

JSON_FIELDS = ("blocks", "view", "attachments", "metadata")  # JSON strings when sent as form fields
TEXT_ARGS = {"chat.postMessage", "chat.update", "chat.postEphemeral"}  # no text and no blocks: no_text
APP_TOKEN_METHODS = {"apps.connections.open"}  # the only methods served for an app-level xapp- token


@dataclass
class Fault:
    """A planned misbehaviour of one method: an HTTP status (with Retry-After for 429) or a delay."""

    status: int | None = None
    retry_after: int = 1
    error: str | None = None
    delay: float = 0.0
    times: int | None = 1  # None: every call from now on
    after: bool = False  # the call takes effect first; only its answer is late or lost
    where: Callable[[JSON], bool] | None = None  # only calls whose arguments this says yes to

    def use(self) -> bool:
        """Spend one use; False once none are left."""
        if self.times is None:
            return True
        if self.times <= 0:
            return False
        self.times -= 1
        return True


@dataclass
class CallRecord:
    method: str
    args: JSON
    ok: bool
    error: str | None
    status: int
    at: float = field(default_factory=time.time)


@dataclass
class Answer:
    status: int
    body: JSON
    headers: dict[str, str] = field(default_factory=dict)


def parse_args(query: str, content_type: str, raw: bytes) -> JSON:
    """Arguments from the query string and a form or JSON body, as slack_sdk's WebClient sends them."""
    args: JSON = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    if raw:
        if content_type.startswith("application/json"):
            try:
                body = json.loads(raw)
            except ValueError:
                raise ApiError("invalid_arguments", messages=["[ERROR] the body is not valid JSON"]) from None
            if not isinstance(body, dict):
                raise ApiError("invalid_arguments", messages=["[ERROR] the body must be a JSON object"])
            args.update(body)
        else:
            form = parse_qs(raw.decode("utf-8"), keep_blank_values=True)
            args.update({k: v[-1] for k, v in form.items()})
    for key in JSON_FIELDS:
        if isinstance(args.get(key), str):
            # Left as a string when it does not parse: the method answers invalid_blocks_format.
            with contextlib.suppress(ValueError):
                args[key] = json.loads(args[key])
    return args


def missing_argument_error(method: str, arg: str) -> ApiError:
    """What Slack answers when a required argument is absent: the method's documented `<arg>_not_found`
    where it has one (channel -> channel_not_found, user -> user_not_found), else invalid_arguments."""
    doc = reference.method_doc(method)
    if doc is not None and f"{arg}_not_found" in doc.errors:
        return ApiError(f"{arg}_not_found")
    return ApiError("invalid_arguments", messages=[f"[ERROR] missing required field: {arg}"])


class WebApi:
    """Checks and answers Web API calls; the HTTP server below is a thin shell around `answer`."""

    def __init__(self, workspace: Workspace, methods: WebApiMethods, bot_token: str, app_token: str) -> None:
        self.ws = workspace
        self.methods = methods
        self.bot_token = bot_token
        self.app_token = app_token
        self.rate_limiter = RateLimiter(workspace.clock)
        self.faults: dict[str, list[Fault]] = {}
        self.log: list[CallRecord] = []
        self._log_lock = threading.Lock()
        self._serving = 0  # requests of the app's being answered right now (Web API, response_url, upload)

    # ---- faults ---------------------------------------------------------------------------------------

    def add_fault(self, method: str, fault: Fault) -> None:
        if method not in reference.method_names():
            raise ValueError(f"{method} is not a Slack method")
        if fault.error is not None and not reference.is_documented(method, fault.error):
            raise ValueError(f"Slack does not document {fault.error!r} for {method}")
        with self.ws.lock:
            self.faults.setdefault(method, []).append(fault)

    def clear_faults(self) -> None:
        with self.ws.lock:
            self.faults.clear()

    def _due_faults(self, method: str, args: JSON) -> list[Fault]:
        """Spend this call's share of every planned fault (a slow() and a fail() on one method both
        apply)."""
        with self.ws.lock:
            return [
                fault
                for fault in self.faults.get(method, [])
                if (fault.where is None or fault.where(args)) and fault.use()
            ]

    def _apply_faults(self, due: list[Fault]) -> None:
        """Wait out the delays, then fail with the first failure planned."""
        time.sleep(sum(fault.delay for fault in due))
        for fault in due:
            self._raise_fault(fault)

    # ---- answering --------------------------------------------------------------------------------------

    def answer(self, method: str, query: str, headers: dict[str, str], raw: bytes) -> Answer:
        args: JSON = {}
        try:
            args = parse_args(query, headers.get("content-type", ""), raw)
            answer = self._answer(method, args, headers)
        except ApiError as e:
            if e.error != reference.NOT_SERVED_ERROR and not reference.is_documented(method, e.error):
                e = ApiError(
                    reference.NOT_SERVED_ERROR,
                    status=501,
                    messages=[f"stand-in bug: Slack does not document {e.error!r} for {method}"],
                )
            answer = Answer(e.status, e.body(), e.headers)
        except NotServed as e:
            answer = Answer(
                501,
                {
                    "ok": False,
                    "error": reference.NOT_SERVED_ERROR,
                    "response_metadata": {"messages": [f"not served by the stand-in: {e}"]},
                },
            )
        args.pop("token", None)
        record = CallRecord(
            method, args, bool(answer.body.get("ok")), answer.body.get("error"), answer.status
        )
        with self._log_lock:
            self.log.append(record)
        return answer

    def _answer(self, method: str, args: JSON, headers: dict[str, str]) -> Answer:
        if method not in reference.method_names():
            return Answer(200, {"ok": False, "error": "unknown_method", "req_method": method})
        if method not in HANDLERS:
            raise NotServed(method)
        due = self._due_faults(method, args)
        self._apply_faults([fault for fault in due if not fault.after])
        self._check_token(method, args, headers)
        with self.ws.lock:
            needed = self.methods.needed_scope(method, args)
        if needed is not None:
            provided = ",".join(sorted(self.ws.app.scopes or ()))
            raise ApiError("missing_scope", extra={"needed": needed, "provided": provided})
        with self.ws.lock:
            retry_after = self.rate_limiter.retry_after(method, str(args.get("channel", "")))
        if retry_after is not None:
            raise ApiError("ratelimited", status=429, headers={"Retry-After": str(retry_after)})
        doc = reference.method_doc(method)
        for arg in doc.required if doc else ():
            if arg != "token" and args.get(arg) in (None, ""):
                raise missing_argument_error(method, arg)
        with self.ws.lock:
            answer = Answer(200, self.methods.call(method, args))
        self._apply_faults([fault for fault in due if fault.after])  # done, but the answer is late or lost
        return answer

    def _raise_fault(self, fault: Fault) -> None:
        if fault.status == 429:
            # Exactly Slack's rate-limited answer (facts/web_api.json, rate_limited).
            raise ApiError("ratelimited", status=429, headers={"Retry-After": str(fault.retry_after)})
        if fault.status is not None and fault.status >= 500:
            raise ApiError("internal_error", status=fault.status)
        if fault.error is not None:
            raise ApiError(fault.error, status=fault.status or 200)

    def _check_token(self, method: str, args: JSON, headers: dict[str, str]) -> None:
        authorization = headers.get("authorization", "")
        token = (
            authorization.removeprefix("Bearer ").strip() if authorization else str(args.get("token") or "")
        )
        if not token:
            raise ApiError("not_authed")
        if token not in (self.bot_token, self.app_token):
            raise ApiError("invalid_auth")
        if (token == self.app_token) != (method in APP_TOKEN_METHODS):
            raise ApiError("not_allowed_token_type")

    def calls(self, method: str | None = None) -> list[CallRecord]:
        with self._log_lock:
            return [c for c in self.log if method is None or c.method == method]

    @contextlib.contextmanager
    def serving(self) -> Iterator[None]:
        """While one request of the app's is being answered."""
        with self._log_lock:
            self._serving += 1
        try:
            yield
        finally:
            with self._log_lock:
                self._serving -= 1

    def idle(self) -> bool:
        """No request of the app's is being answered."""
        with self._log_lock:
            return self._serving == 0


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    # As Slack's own servers do: a client may send its next call on the same connection (every answer
    # says its Content-Length).
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # An answer goes out as two writes (its headers, then its body): on a kept-alive connection
        # Nagle's algorithm would hold the body back until the client's delayed ACK, 40 ms a call.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read the call log instead
        pass

    def _reply(self, status: int, body: JSON, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self) -> None:
        with self.server.web_api.serving():
            self._serve()
        self.server.web_api.ws.answered()

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        if parts.path.startswith("/api/"):
            answer = self.server.web_api.answer(parts.path.removeprefix("/api/"), parts.query, headers, raw)
            self._reply(answer.status, answer.body, answer.headers)
        elif parts.path.startswith("/response/") and self.command == "POST":
            self._response_url(parts.path.removeprefix("/response/"), raw)
        elif parts.path.startswith("/upload/") and self.command == "POST":
            self._upload(parts.path.removeprefix("/upload/"), raw)
        else:
            self._reply(404, {"ok": False, "error": "not_found"})

    def _upload(self, file_id: str, raw: bytes) -> None:
        """The upload URL of files.getUploadURLExternal: the file's bytes, as the body (Slack takes a raw
        body or a multipart form; the stand-in takes a raw body, which is what Liaison sends)."""
        ws = self.server.web_api.ws
        with ws.lock:
            upload = ws.files.get(file_id)
            if upload is None or upload.content is not None:
                self._reply(404, {"ok": False, "error": "not_found"})
                return
            upload.content = raw
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _response_url(self, token: str, raw: bytes) -> None:
        try:
            body = json.loads(raw or b"null")
            self._reply(200, handle_response_url(self.server.web_api.ws, token, body))
        except ValueError:
            self._reply(400, {"ok": False, "error": "invalid_payload"})
        except WebhookError as e:
            self._reply(e.status, e.body())

    do_GET = _handle
    do_POST = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, web_api: WebApi) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.web_api = web_api


class WebApiServer(ServingThread):
    """Serves a WebApi on 127.0.0.1 at a free port, in a background thread."""

    def __init__(self, web_api: WebApi) -> None:
        self._server = _Server(web_api)
        # A short poll interval: stop() waits for one, and tests start and stop a sandbox each.
        serve = functools.partial(self._server.serve_forever, 0.05)
        super().__init__("sandbox-webapi", serve, self._server.shutdown, self._server.server_close)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"
