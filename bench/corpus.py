"""The labelled corpus of malformed requests and replays (tests/malformed.py), sent to a fresh Liaison on
each database: how many got the status they must, and whether any made a duplicate or reached the log."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.sandbox import Sandbox
from tests import malformed
from tests.office import add_legal_aid, populate, running_bot


@dataclass(frozen=True)
class CorpusRun:
    right: int
    total: int
    wrong: list[str]
    duplicates: list[str]
    leaked: list[str]


def measure(folder: Path, backend: str) -> CorpusRun:
    with Sandbox() as slack:
        populate(slack)
        with running_bot(slack, folder, backend, "http") as bot:
            add_legal_aid(slack, bot)
            found = malformed.run(slack, bot)
    return CorpusRun(len(found.right), found.total, found.wrong, found.duplicates, found.leaked)
