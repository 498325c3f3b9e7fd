from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox import Sandbox
from storage.db import Database
from tests.databases import BACKENDS, database_url
from tests.office import RunningBot, running_bot


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


@pytest.fixture(scope="module", params=BACKENDS)
def http_bot(
    request: pytest.FixtureRequest, slack: Sandbox, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningBot]:
    """The real bot in HTTP mode against the module's `slack` stand-in, once per database backend."""
    with running_bot(slack, tmp_path_factory.mktemp(request.param), request.param, "http") as running:
        yield running
