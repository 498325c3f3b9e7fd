"""Serving the bot: HTTP (Bolt at POST /slack/events) or Socket Mode, with GET /healthz in both.

uvicorn is the production ASGI server. Bolt's sync dispatch blocks until the listener acks, so it runs on
a worker thread: the event loop keeps accepting requests while one listener waits on the database.
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
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.app import Liaison
from bot.listeners import shape
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
    if len(body) > LARGEST_BODY:
        return _refusal(413, f"a body of {len(body)} bytes")
    timestamp = headers.get("x-slack-request-timestamp")
    if timestamp is not None and not (timestamp.isascii() and timestamp.isdigit()):
        return _refusal(401, "a request timestamp that is not a number")
    try:
        parsed = parse_body(body.decode("utf-8"), headers.get("content-type"))
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return _refusal(400, f"a body that does not parse ({type(exc).__name__})")
    problem = shape.refusal(parsed)
    return None if problem is None else _refusal(400, problem)


def _refusal(status: int, why: str) -> Response:
    log.warning("refused a request with %d: %s", status, why)
    return Response("malformed request" if status != 401 else "invalid request", status_code=status)


def asgi_app(db: Database, app: App | None, status: dict[str, Any] | None = None) -> Starlette:
    """`app` None serves only /healthz (Socket Mode receives Slack's requests over its WebSocket)."""
    limiter = anyio.CapacityLimiter(DISPATCH_THREADS)

    async def slack_events(request: Request) -> Response:
        assert app is not None
        body = await request.body()
        refusal = refused(body, request.headers)
        if refusal is not None:
            return refusal
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
    server = _Server(server_config(asgi_app(db, None if socket_mode else liaison.app, status), host, port))
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
