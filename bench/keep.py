"""`python -m bench keep`: what the front's durable keep costs (storage/work.py keep_all), the one thing it
does before its ack that a bare Bolt app does not: CPU and wall time per command kept, one command a
batch and ten, in this process. Beside each, the same keep without waiting for the disk (SQLite's
`synchronous=NORMAL`, PostgreSQL's `synchronous_commit=off`), by turns in one run: what the durability
itself costs. Liaison does not make that trade (an acknowledged command must survive a power cut: Slack
never sends it again); the figures say how much of the front's cost it is."""

from __future__ import annotations

import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.results_file import machine_lines, write_part
from storage import work
from storage.crypto import Keyring, new_key
from storage.db import Database
from tests.databases import database_url

NOW = datetime(2026, 12, 4, tzinfo=UTC)
BODY = {
    "command": "/referral",
    "text": "legal-aid need:housing eviction notice, hearing next week",
    "user_id": "U0DEFENDER",
    "channel_id": "C0PARTNER1",
    "response_url": "https://hooks.slack.com/commands/T0OFFICE/1/abc",
}
KEPT = 600  # commands per turn
TURNS = 3
LAZY = {"sqlite": "PRAGMA synchronous=NORMAL", "postgresql": "SET synchronous_commit = off"}


@contextmanager
def lazy(db: Database) -> Iterator[None]:
    """Connections that do not wait for the disk at commit, while the block runs."""

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(LAZY[db.dialect])
        cursor.close()
        if db.dialect == "postgresql":
            dbapi_connection.commit()

    db.engine.dispose()
    event.listen(db.engine, "connect", on_connect)
    try:
        yield
    finally:
        event.remove(db.engine, "connect", on_connect)
        db.engine.dispose()


def turn(db: Database, batch: int) -> tuple[float, float]:
    """(CPU ms, wall ms) per command kept, KEPT commands in batches of `batch`; the queue emptied after,
    as the workers keep it short."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(KEPT // batch):
        commands = [work.ToKeep(uuid.uuid4().hex, "/referral", BODY) for _ in range(batch)]
        work.keep_all(db, commands, NOW, tidy=False)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    with db.statements() as conn:
        conn.exec_driver_sql("DELETE FROM work")
        conn.exec_driver_sql("DELETE FROM delivery")
    return 1000 * cpu / KEPT, 1000 * wall / KEPT


def measure(db: Database, batch: int) -> dict[str, tuple[float, float]]:
    """Median over TURNS of each way, by turns."""
    runs: dict[str, list[tuple[float, float]]] = {"durable": [], "not waiting for the disk": []}
    turn(db, batch)  # warm: the statements compiled, the files open
    for _ in range(TURNS):
        runs["durable"].append(turn(db, batch))
        with lazy(db):
            runs["not waiting for the disk"].append(turn(db, batch))
    return {
        way: (statistics.median(c for c, _ in done), statistics.median(w for _, w in done))
        for way, done in runs.items()
    }


def main() -> None:
    from bench.__main__ import postgres_reachable

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for backend in ("sqlite", "postgresql") if postgres_reachable() else ("sqlite",):
            (Path(folder) / backend).mkdir()
            with database_url(backend, Path(folder) / backend) as url:
                db = Database(url, Keyring([new_key()]))  # the payload encrypted, as the bot keeps it
                try:
                    db.upgrade()
                    for batch in (1, 10):
                        found = measure(db, batch)
                        (cpu, wall), (lazy_cpu, lazy_wall) = found.values()
                        rows.append(
                            f"| {'PostgreSQL' if backend == 'postgresql' else 'SQLite'} | {batch} | "
                            f"{cpu:.3f} ms | {wall:.3f} ms | {lazy_cpu:.3f} ms | {lazy_wall:.3f} ms | "
                            f"{1 - lazy_cpu / cpu:.0%} |"
                        )
                        print(rows[-1])
                finally:
                    db.dispose()
    lines = [
        "## The front's durable keep",
        "",
        *machine_lines(),
        "",
        f"`work.keep_all` in this process, {KEPT} commands a turn (a `/referral`'s fields, its payload "
        f"encrypted), one or ten to a batch; the median of {TURNS} turns each way, by turns. Not waiting for "
        "the disk: SQLite's `synchronous=NORMAL`, PostgreSQL's `synchronous_commit=off` (on PostgreSQL the "
        "wait for the disk is the server's, so this process's CPU hardly moves). The front's whole CPU per "
        "ack is in the `path` part.",
        "",
        "| Database | Batch | CPU per command | Wall per command | CPU, not waiting for the disk "
        "| Wall, not waiting for the disk | CPU that is the wait for the disk |",
        "|---|---|---|---|---|---|---|",
        *rows,
    ]
    write_part("keep", lines)
