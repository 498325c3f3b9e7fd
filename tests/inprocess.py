"""The real bot, built as `liaison run` builds it, served in the test's own process: the stand-in hands
each signed request straight to Bolt (bot/sandbox/driver.py `in_process`) instead of over a socket. The
fast layer of the tests; tests/office.py's `running_bot` is the end-to-end one (a process, HTTP or
Socket Mode)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from slack_bolt.request import BoltRequest

from bot.app import Liaison, create_app
from bot.config import load_settings
from bot.sandbox import Sandbox
from commands.kinds.spec import Specs
from commands.tick import tick
from storage.db import Database
from tests.databases import database_url
from tests.office import bot_settings


@dataclass
class Log:
    """What the bot logged while it ran (as a process's output would show it)."""

    stream: io.StringIO = field(default_factory=io.StringIO)

    @property
    def output(self) -> str:
        return self.stream.getvalue()


@dataclass
class InProcessBot:
    liaison: Liaison
    db: Database
    process: Log  # named as RunningBot's, so the helpers in tests/office.py take either
    via: str = "http"
    db_url: str = ""

    def tick(self, at: datetime) -> list[str]:
        """One scheduler pass, as `liaison tick --at` runs it."""
        return tick(self.liaison.deps, at)


def _dispatch(liaison: Liaison, body: bytes, headers: dict[str, str]) -> tuple[int, str, dict[str, str]]:
    response = liaison.app.dispatch(BoltRequest(body=body.decode("utf-8"), headers=dict(headers.items())))
    return response.status, response.body, {k: v[0] for k, v in response.headers.items() if v}


@contextmanager
def in_process_bot(
    slack: Sandbox, folder: Path, backend: str = "sqlite", *, specs: Specs | None = None, **settings: str
) -> Iterator[InProcessBot]:
    """The bot on an empty database of `backend`, with the kinds in `specs` (Liaison's own by default);
    a kind the migrations do not know has its table created here."""
    log = Log()
    handler = logging.StreamHandler(log.stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    liaison_log = logging.getLogger("liaison")
    liaison_log.addHandler(handler)
    with database_url(backend, folder) as url:
        config = load_settings({**bot_settings(slack, url), **settings}, env_file=None)
        db = Database(config.database_url, config.keyring(), config.clock())
        db.upgrade()
        for spec in specs or ():
            spec.kind.model.metadata.create_all(db.engine, tables=[spec.kind.model.__table__])
        liaison = create_app(config, db, socket_mode=False, specs=specs)
        slack.driver.in_process = lambda body, headers: _dispatch(liaison, body, headers)
        try:
            yield InProcessBot(liaison, db, log, db_url=url)
        finally:
            slack.driver.in_process = None
            liaison.close()
            db.dispose()
            liaison_log.removeHandler(handler)
