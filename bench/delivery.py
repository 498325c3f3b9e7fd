"""`python -m bench delivery`: the labelled corpus of malformed requests and replays (tests/malformed.py)
sent to a fresh Liaison on each database: how many got the status they must, and whether any made a
duplicate or put a request's body in the log."""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.results_file import machine_lines, write_part
from bot.sandbox import Sandbox
from tests import malformed
from tests.office import add_legal_aid, populate, running_bot


def measure(folder: Path, backend: str) -> malformed.Result:
    with Sandbox() as slack:
        populate(slack)
        with running_bot(slack, folder, backend, "http") as bot:
            add_legal_aid(slack, bot)
            return malformed.run(slack, bot)


def main() -> None:
    from bench.__main__ import postgres_reachable  # the load part's check, not repeated here

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for backend in ("sqlite", "postgresql") if postgres_reachable() else ("sqlite",):
            (Path(folder) / backend).mkdir()
            found = measure(Path(folder) / backend, backend)
            problems = [*found.wrong, *(f"made twice: {d}" for d in found.duplicates)]
            problems += [f"body logged: {label}" for label in found.leaked]
            rows.append(
                f"| {'PostgreSQL' if backend == 'postgresql' else 'SQLite'} | {len(found.right)} of "
                f"{found.total} | {len(found.duplicates)} | {len(found.leaked)} | "
                f"{'yes' if not problems else '**no**: ' + '; '.join(problems)} |"
            )
            print(rows[-1])
    lines = [
        "## Malformed requests and replays",
        "",
        *machine_lines(),
        "",
        f"The labelled corpus of `tests/malformed.py`: {len(malformed.TABLE)} requests Slack never sends (a "
        "timestamp that is not a number, an event that is a string, JSON nested 900 deep, a body over a "
        "megabyte, bad signatures...), each with the 4xx it must get, then a `/referral`, an Accept click "
        "and a thread reply sent twice (the first two replayed byte for byte, the reply redelivered by Slack "
        "with the same event_id), each of which must be answered 200 and done once.",
        "",
        "| Database | Right status | Duplicates made | Bodies in the log | All right |",
        "|---|---|---|---|---|",
        *rows,
    ]
    write_part("delivery", lines)
