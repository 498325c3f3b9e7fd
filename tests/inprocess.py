"""The real bot, built as `liaison run` builds it, served in the test's own process: the stand-in hands
each signed request to the bot's own HTTP endpoint (bot/server.py's ASGI app, the shape checks in front of
Bolt included) without a socket in between (bot/sandbox/driver.py `in_process`). The fast layer of the
tests; tests/office.py's `running_bot` is the end-to-end one (a process, HTTP or Socket Mode).

What a process would show differently: no journal (the running bot's, bot/journal.py, is end-to-end
only), no scheduler (tick by hand with `tick`), and the one-off commands (`liaison tick`, `purge`, ...)
run by `cli` in this process, as `bot.cli.main`."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import anyio
from anyio.from_thread import start_blocking_portal
from starlette.types import ASGIApp, Message

from bot import cli, errors, logs, render
from bot.app import Liaison, create_app
from bot.config import Settings, load_settings
from bot.sandbox import Sandbox, visible_text
from bot.server import asgi_app, over_http
from commands import catalog, registry
from commands.invocation import Invocation
from commands.kinds.spec import Specs
from commands.tick import tick
from storage.audit import Actor
from storage.db import Database
from tests.botproc import OUR_VARIABLES
from tests.databases import database_url
from tests.office import bot_settings


@dataclass
class Log:
    """What the bot logged while it ran (as a process's output would show it)."""

    stream: io.StringIO = field(default_factory=io.StringIO)

    @property
    def output(self) -> str:
        return self.stream.getvalue()


class Listeners:
    """The bot's listener pool, keeper and workers: Bolt runs every listener on its pool, the front's
    keeper writes the commands it keeps, and the workers do what was kept. When nothing handed to the pool
    is running, the keeper has nothing to write, no command is kept and no worker is busy, the bot has
    done all it was asked to (nothing else in the bot starts work of its own without a journal or a
    scheduler)."""

    def __init__(self, liaison: Liaison) -> None:
        self._liaison = liaison
        self.closed = False  # the bot was stopped (its database may be gone): nothing is left to wait for
        self._running = 0
        self._changed = threading.Condition()
        self._count(liaison.executor)

    def _count(self, executor: ThreadPoolExecutor) -> None:  # every submit, counted until it is done
        submit = executor.submit

        def counted(fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
            with self._changed:
                self._running += 1
            future = submit(fn, *args, **kwargs)
            future.add_done_callback(self._done)
            return future

        executor.submit = counted  # type: ignore[method-assign]

    def _done(self, _future: Future[Any]) -> None:
        with self._changed:
            self._running -= 1
            self._changed.notify_all()

    def _idle(self) -> bool:
        if self.closed:
            return True
        workers = self._liaison.workers
        return not self._running and self._liaison.front.keeper.idle() and workers.drained()

    def wait_until_idle(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            # Looked at again whenever a listener finishes, and every few milliseconds while the keeper
            # or a worker is at it.
            while not self._idle():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"the bot was still at work after {timeout} s ({self._running} listeners, "
                        f"{self._liaison.workers.busy} workers busy)"
                    )
                self._changed.wait(min(left, 0.002))


class _Told:
    """Stands for Bolt's respond(): what the command told the person."""

    response_url = "in-process"

    def __init__(self) -> None:
        self.said: list[dict[str, Any]] = []

    def __call__(self, **message: Any) -> None:
        self.said.append(message)


@dataclass
class Ran:
    """What a command line run of `liaison` left, as subprocess.CompletedProcess has it."""

    returncode: int
    stdout: str
    stderr: str


@dataclass
class InProcessBot:
    liaison: Liaison
    db: Database
    process: Log  # named as RunningBot's, so the helpers in tests/office.py take either
    listeners: Listeners
    config: Settings
    specs: Specs | None
    folder: Path  # its working directory, as a process's would be
    settings: dict[str, str]  # its environment, as a process's would be
    via: str = "http"
    db_url: str = ""

    def tick(self, at: datetime) -> list[str]:
        """One scheduler pass as `liaison tick --at` runs it (bot/cli.py): an app of its own on the same
        database (with this bot's kinds), the whole pass on a clock started at `at`; what was sent, a line
        each."""
        clock = self.config.clock().starting_at(at)
        db = Database(self.config.database_url, self.config.keyring(), clock)
        liaison = create_app(self.config, db, socket_mode=False, specs=self.specs)
        try:
            return tick(liaison.deps, clock())
        finally:
            liaison.close()
            db.dispose()

    def cli(self, args: list[str], **settings: str) -> Ran:
        """`liaison <args>` against this bot's database and stand-in, run as a process in the bot's folder
        would be, in this one (Liaison's own kinds)."""
        return cli_in_process(args, self.folder, **{**self.settings, **settings})

    def answer(self, user: str, team: str | None, channel: str, name: str, text: str) -> str:
        """What `name text`, typed by `user` of `team` in `channel`, answers privately: the command run as
        the bot's listener runs it once Slack's request is taken (bot/listeners/commands.py: the registry,
        errors told as the person would read them), without a request: for a corpus of hundreds of texts.
        One that would open a form answers "(a form)"."""
        deps = self.liaison.deps
        commands = catalog(deps.specs)
        command = next(c for c in commands if c.name == name)
        actor = Actor(user_id=user, team_id=team)
        told = _Told()
        with errors.reported_to(told):  # type: ignore[arg-type]
            reply = registry.run(
                command,
                lambda args: Invocation(deps=deps, actor=actor, channel_id=channel, args=args),
                text,
                commands,
            )
            told(**(render.ephemeral(reply) if reply.form is None else {"text": "(a form)"}))
        assert len(told.said) == 1, told.said
        return visible_text(told.said[0])

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until the bot has finished all it was asked to do (every listener returned): what has not
        happened by then is not going to happen."""
        self.listeners.wait_until_idle(timeout)


async def _post(app: ASGIApp, body: bytes, headers: dict[str, str]) -> tuple[int, str, dict[str, str]]:
    """One POST to /slack/events of the ASGI app, as uvicorn hands it one: the answer's status, body and
    headers."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/slack/events",
        "raw_path": b"/slack/events",
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()],
        "client": ("127.0.0.1", 0),
        "server": ("127.0.0.1", 80),
    }
    answered = anyio.Event()
    request: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]
    status, answer, parts = 0, {}, []

    async def receive() -> Message:
        if request:
            return request.pop()
        await answered.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            answer.update((k.decode("latin-1"), v.decode("latin-1")) for k, v in message.get("headers", []))
        elif message["type"] == "http.response.body":
            parts.append(message.get("body", b""))
            if not message.get("more_body", False):
                answered.set()

    await app(scope, receive, send)
    return status, b"".join(parts).decode("utf-8", errors="replace"), answer


@contextmanager
def logged_as_liaison_run(log: Log) -> Iterator[None]:
    """The log a running bot writes (bot/logs.py: our lines from INFO, the libraries' from WARNING, never
    a client's words), written to `log` while the bot runs; the test process's logging as it was after."""
    handler = logging.StreamHandler(log.stream)
    handler.setFormatter(logs.WithoutClientText(logs.FORMAT))
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in logs.CHATTY}
    root_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for name in logs.CHATTY:
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(root_level)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


@contextmanager
def in_process_bot(
    slack: Sandbox, folder: Path, backend: str = "sqlite", *, specs: Specs | None = None, **settings: str
) -> Iterator[InProcessBot]:
    """The bot on an empty database of `backend`, with the kinds in `specs` (Liaison's own by default);
    a kind the migrations do not know has its table created here."""
    log = Log()
    with logged_as_liaison_run(log), database_url(backend, folder) as url:
        config = load_settings({**bot_settings(slack, url), **settings}, env_file=None)
        db = Database(config.database_url, config.keyring(), config.clock())
        db.upgrade()
        for spec in specs or ():
            spec.kind.model.metadata.create_all(db.engine, tables=[spec.kind.model.__table__])
        liaison = create_app(config, db, socket_mode=False, specs=specs)
        listeners = Listeners(liaison)
        liaison.start()
        try:
            endpoint = asgi_app(db, liaison.app, commands=over_http(liaison))
            with start_blocking_portal() as loop:
                slack.driver.in_process = lambda body, headers: loop.call(_post, endpoint, body, headers)
                try:
                    yield InProcessBot(
                        liaison,
                        db,
                        log,
                        listeners,
                        config,
                        specs,
                        folder,
                        {**bot_settings(slack, url), **settings},
                        db_url=url,
                    )
                finally:
                    slack.driver.in_process = None
        finally:
            liaison.close()
            listeners.closed = True
            db.dispose()


@contextmanager
def _environment(**settings: str) -> Iterator[None]:
    """os.environ as tests/botproc.py's clean_environment gives a process, for a while."""
    saved = dict(os.environ)
    for name in [n for n in os.environ if n.startswith(OUR_VARIABLES)]:
        del os.environ[name]
    os.environ.update(settings)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextmanager
def _logging_kept() -> Iterator[None]:
    """bot.cli.main configures logging for its process (bot/logs.py); put this process's back after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in logs.CHATTY}
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, chatty in levels.items():
            logging.getLogger(name).setLevel(chatty)


_ONE_AT_A_TIME = threading.Lock()  # the environment, the working directory and sys.stdout are the process's


def cli_in_process(args: list[str], cwd: Path, **settings: str) -> Ran:
    """`liaison <args>` as tests/botproc.py's run_cli runs it, in this process: bot.cli.main with the same
    environment and working directory, its output and exit code kept."""
    out, err = io.StringIO(), io.StringIO()
    with (
        _ONE_AT_A_TIME,
        _environment(**settings),
        _logging_kept(),
        contextlib.chdir(cwd),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        try:
            code = cli.main(args)
        except SystemExit as exit:  # argparse's way out, as the process would have ended
            code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
    return Ran(code, out.getvalue(), err.getvalue())
