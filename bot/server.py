"""Serving the bot: HTTP (Bolt at POST /slack/events) or Socket Mode, with GET /healthz in both.

uvicorn is the production ASGI server. A slash command is answered on its event loop (`Commands`: the
front keeps it for the workers), never behind a listener thread. Everything else goes to Bolt, whose sync
dispatch blocks until the listener acks, so it runs on a thread: the event loop keeps accepting requests
while one listener waits on the database.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import uvicorn
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_bolt.request.internals import parse_body
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot import render
from bot.app import Liaison
from bot.front import Front
from bot.listeners import shape
from bot.listeners.replays import signed_key
from storage.db import HEALTH_SECONDS, Database

log = logging.getLogger("liaison")

# anyio's default of 40 threads would cap concurrent requests below what a burst of commands needs.
DISPATCH_THREADS = 64
# The largest request Slack sends (a view submission, blocks and all) is tens of kilobytes.
LARGEST_BODY = 1_000_000


def refused(body: bytes, headers: Any) -> Response | None:
    """A request that is not one Slack could have sent is answered here with a 4xx, before Bolt reads it:
    Bolt's own middleware fails with a 500 on some (a timestamp that is not a number, an event that is a
    string, arrays nested hundreds deep). The log says why, never what the body held."""
    refusal, _parsed = checked(body, headers)
    return refusal


def checked(body: bytes, headers: Any) -> tuple[Response | None, dict[str, Any]]:
    """refused()'s answer, and the body as Bolt parses it."""
    if len(body) > LARGEST_BODY:
        return _refusal(413, f"a body of {len(body)} bytes"), {}
    timestamp = headers.get("x-slack-request-timestamp")
    if timestamp is not None and not (timestamp.isascii() and timestamp.isdigit()):
        return _refusal(401, "a request timestamp that is not a number"), {}
    try:
        parsed = parse_body(body.decode("utf-8"), headers.get("content-type"))
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return _refusal(400, f"a body that does not parse ({type(exc).__name__})"), {}
    problem = shape.refusal(parsed)
    return (None if problem is None else _refusal(400, problem)), parsed


def _refusal(status: int, why: str) -> Response:
    log.warning("refused a request with %d: %s", status, why)
    return Response("malformed request" if status != 401 else "invalid request", status_code=status)


def asgi_app(
    db: Database, app: App | None, status: dict[str, Any] | None = None, *, commands: Commands | None = None
) -> Starlette:
    """`app` None serves only /healthz (Socket Mode receives Slack's requests over its WebSocket).
    `commands`: slash commands answered on the event loop; without it Bolt takes them too."""
    limiter = anyio.CapacityLimiter(DISPATCH_THREADS)

    async def slack_events(request: Request) -> Response:
        assert app is not None
        body = await request.body()
        refusal, parsed = checked(body, request.headers)
        if refusal is not None:
            return refusal
        if commands is not None and "command" in parsed:
            answer = await commands.answer(body, parsed, request.headers)
            if answer is not None:
                return answer
        try:
            bolt_request = to_bolt_request(request, body)
            bolt_response = await anyio.to_thread.run_sync(app.dispatch, bolt_request, limiter=limiter)
        except Exception as exc:  # a payload Bolt cannot read that the checks above let through
            return _refusal(400, f"Bolt could not read it ({type(exc).__name__})")
        return to_starlette_response(bolt_response)

    health = Health(db)

    async def healthz(_request: Request) -> Response:
        reachable = await health.check()
        body = {"ok": reachable, "database": "reachable" if reachable else "unreachable", **(status or {})}
        return JSONResponse(body, status_code=200 if reachable else 503)

    routes = [Route("/healthz", healthz, methods=["GET"])]
    if app is not None:
        routes.append(Route("/slack/events", slack_events, methods=["POST"]))
    return Starlette(routes=routes)


class Commands:
    """Slash commands over HTTP, on the event loop: the signature checked, then the front's step
    (bot/front.py): answered in the ack, or kept for the workers. A command that opens a form goes on to
    Bolt, whose listener opens it."""

    def __init__(self, front: Front, signing_secret: str) -> None:
        self.front = front
        self.verifier = SignatureVerifier(signing_secret)

    async def answer(self, body: bytes, parsed: dict[str, Any], headers: Any) -> Response | None:
        timestamp, signature = headers.get("x-slack-request-timestamp"), headers.get("x-slack-signature")
        if not (timestamp and signature and self.verifier.is_valid(body, timestamp, signature)):
            return _refusal(401, "a signature that does not verify")
        parsed = shape.storable(parsed)  # as Bolt's listeners get it (bot/listeners/shape.py)
        step = self.front.step(parsed)
        if step is None or step.form:
            return None
        if step.answer is not None:
            return JSONResponse(render.in_ack(step.answer))
        ack = await self.front.keep_on_loop(signed_key(signature), parsed)
        return JSONResponse(ack) if ack else Response(status_code=200)


def over_http(liaison: Liaison) -> Commands:
    assert liaison.signing_secret is not None, "HTTP mode needs the signing secret (Settings.require_slack)"
    return Commands(liaison.front, liaison.signing_secret)


class Health:
    """GET /healthz within two seconds, whatever the database does: a check that has not come back in
    HEALTH_SECONDS is a 503. Its thread is left to finish (a frozen server may hold it until it thaws),
    and while it is out no second one starts, so a monitor polling a frozen database piles nothing up."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._out: threading.Event | None = None  # set when the check in flight comes back

    async def check(self) -> bool:
        if self._out is not None and not self._out.is_set():
            return False  # the last check has not come back yet
        done = self._out = threading.Event()
        result: list[bool] = []

        def ping() -> None:
            try:
                result.append(self.db.ping())
            finally:
                done.set()

        threading.Thread(target=ping, name="healthz", daemon=True).start()
        with anyio.move_on_after(HEALTH_SECONDS):
            while not done.is_set():
                await anyio.sleep(0.02)
        return bool(result and result[0])


def server_config(asgi: Starlette, host: str, port: int) -> uvicorn.Config:
    """How uvicorn serves Liaison (and the benchmark's bare Bolt app, so the two compare like for like)."""
    return uvicorn.Config(
        asgi, host=host, port=port, log_level="info", access_log=False, timeout_graceful_shutdown=20
    )


class _Server(uvicorn.Server):
    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Stop on SIGTERM/SIGINT like uvicorn, but return normally afterwards: uvicorn re-raises the
        signal once it has shut down, which would kill the process before serve() finishes the
        listeners' in-flight work."""
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def serve(
    liaison: Liaison, db: Database, *, socket_mode: bool, app_token: str | None, host: str, port: int
) -> None:
    """Run until SIGTERM or SIGINT, then finish in-flight work and return."""
    handler: SocketModeHandler | None = None
    status: dict[str, Any] = {"mode": "socket" if socket_mode else "http"}
    if socket_mode:
        handler = SocketModeHandler(liaison.app, app_token=app_token)
        handler.connect()
        log.info("connected to Slack over Socket Mode")
    app, commands = (None, None) if socket_mode else (liaison.app, over_http(liaison))
    server = _Server(server_config(asgi_app(db, app, status, commands=commands), host, port))
    log.info(
        "Liaison is running for %s (%s mode) on %s:%d", liaison.installation.team, status["mode"], host, port
    )
    try:
        server.run()  # installs SIGTERM/SIGINT handlers and returns once they fire and requests drain
    finally:
        if handler is not None:
            handler.close()
        liaison.close()
        db.dispose()
        log.info("Liaison stopped")
