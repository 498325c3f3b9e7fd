"""bench/results.md, assembled from parts: each part of `make bench` (the load and scheduler figures, the
identifier guard, ...) writes its own file under bench/results/ when it runs, and results.md is made
anew from all of them, so running one part keeps the figures of the others."""

from __future__ import annotations

import os
import platform
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from tests.databases import POSTGRES_URL

HERE = Path(__file__).parent
RESULTS = HERE / "results.md"
PARTS = HERE / "results"
ORDER = [
    "load",
    "path",
    "keep",
    "guard",
    "delivery",
    "writers",
    "library",
    "report",
]  # parts in the order results.md shows them; others follow by name


def machine_lines() -> list[str]:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in _lines("/proc/cpuinfo") if line.startswith("model name")),
        platform.processor() or "unknown",
    )
    memory = next(
        (line.split(":", 1)[1].strip() for line in _lines("/proc/meminfo") if "MemTotal" in line), "?"
    )
    return [
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- CPU: {cpu}, {len(os.sched_getaffinity(0))} cores usable",
        f"- Memory: {memory}",
        f"- OS: {platform.platform()}",
        f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"PostgreSQL {_postgres_version()}",
    ]


def cpu_times() -> tuple[int, int]:
    """(stolen, all) of this machine's CPU time so far, in clock ticks (/proc/stat; (0, 0) elsewhere).
    Stolen is time the hypervisor gave to other guests while this one had work to run: on a shared host
    it slows everything down by turns, so a part says how much of it there was while it ran."""
    line = next((line.split() for line in _lines("/proc/stat") if line.startswith("cpu ")), None)
    if line is None:
        return 0, 0
    user, nice, system, idle, iowait, irq, softirq, steal = (int(v) for v in line[1:9])
    return steal, user + nice + system + idle + iowait + irq + softirq + steal


def stolen_since(before: tuple[int, int]) -> str:
    """What share of the machine's CPU time since `before` (cpu_times()) was stolen, as a sentence."""
    steal, total = (now - then for now, then in zip(cpu_times(), before, strict=True))
    if total <= 0:
        return "CPU time stolen by the hypervisor: not known on this system."
    return (
        f"CPU time stolen by the hypervisor meanwhile (other guests on the same host): {steal / total:.0%} "
        "of the machine's; figures taken while much is stolen are slower and noisier."
    )


def write_part(name: str, lines: list[str]) -> None:
    PARTS.mkdir(exist_ok=True)
    (PARTS / f"{name}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    parts = sorted(PARTS.glob("*.md"), key=lambda p: (ORDER.index(p.stem) if p.stem in ORDER else 99, p.stem))
    body = [
        "# Liaison benchmark",
        "",
        "Written by `make bench` (`python -m bench [part ...]`); each part says"
        " when and on what machine it ran.",
        "",
    ]
    for part in parts:
        body += [part.read_text(encoding="utf-8").rstrip(), ""]
    RESULTS.write_text("\n".join(body), encoding="utf-8")
    print(f"\nwritten to {PARTS / f'{name}.md'} and {RESULTS}")


def _lines(path: str) -> list[str]:
    try:
        return Path(path).read_text().splitlines()
    except OSError:
        return []


def _postgres_version() -> str:
    try:
        with create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3}).connect() as conn:
            return str(conn.execute(text("SHOW server_version")).scalar_one())
    except OperationalError:
        return "not reachable"
