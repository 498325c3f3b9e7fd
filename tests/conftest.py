"""Fixtures every test module may use, in two layers:

- fast: the real bot built in the test's own process (`in_process`, tests/inprocess.py), answering the
  Slack stand-in's signed requests through its own HTTP endpoint without a socket, on a temporary
  SQLite database and a fresh PostgreSQL schema;
- end to end, marked `e2e`: what starts a process (`http_bot`: `liaison run` over HTTP; the command
  line; a PostgreSQL cluster of a test's own). Every fault test is here: outages, crashes, killed
  processes, replays over HTTP, the journal.

`pytest -m "not e2e"` runs the fast layer alone; a test outside `e2e` that starts a process fails."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import matplotlib.font_manager  # noqa: F401
import pytest

from bot.sandbox import Sandbox
from storage.db import Database
from tests.databases import BACKENDS, database_url
from tests.inprocess import InProcessBot, in_process_bot
from tests.office import RunningBot, office, running_bot

# Imported above, before any test runs: on a machine where matplotlib has never run, its first import asks
# fontconfig (`fc-list`, a process) for the fonts and caches them; that is set-up, not the bot's doing.

# Fixtures that start the bot as a process: a test asking for one is end to end.
PROCESS_FIXTURES = frozenset({"http_bot"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if PROCESS_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def _the_fast_layer_starts_no_process(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A test not marked `e2e` that starts a process is refused: `-m "not e2e"` is all in this process."""
    if request.node.get_closest_marker("e2e") is not None:
        return

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"{request.node.nodeid} starts a process: mark it e2e (pytest.mark.e2e)")

    monkeypatch.setattr(subprocess, "Popen", refused)


@pytest.fixture(autouse=True)
def _the_bot_is_left_idle(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test of a module's bot ends once the bot has finished what the test asked of it: no answer of
    one test's arrives in the next."""
    yield
    for value in request.node.funcargs.values():
        for bot in value if isinstance(value, tuple) else (value,):
            if isinstance(bot, InProcessBot | RunningBot):
                bot.settle()


@pytest.fixture(scope="module")
def slack() -> Iterator[Sandbox]:
    """The office's workspace (tests/office.py `office`), one per module. A module that needs people or
    channels of its own overrides this fixture with one that asks for it and adds them."""
    with office() as sandbox:
        yield sandbox


@pytest.fixture(scope="module", params=BACKENDS)
def in_process(
    request: pytest.FixtureRequest, slack: Sandbox, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[InProcessBot]:
    """The real bot in this process against the module's `slack` stand-in, once per database backend."""
    with in_process_bot(slack, tmp_path_factory.mktemp(request.param), request.param) as bot:
        yield bot


@pytest.fixture(scope="module", params=BACKENDS)
def http_bot(
    request: pytest.FixtureRequest, slack: Sandbox, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningBot]:
    """The real bot in HTTP mode against the module's `slack` stand-in, once per database backend."""
    with running_bot(slack, tmp_path_factory.mktemp(request.param), request.param, "http") as running:
        yield running


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    database.upgrade()
    yield database
    database.dispose()
