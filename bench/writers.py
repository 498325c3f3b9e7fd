"""`python -m bench writers`: two transactions writing the lookups' tables (partners, roles, closures) at
once on PostgreSQL, in a labelled corpus of interleavings, on the schema before migration 0023 (the
mark of the lookups set at each write) and after it (set at the commit): how many deadlocked. A deadlock
rolls one writer back, and the person who made that change is told that nothing was saved.

The interleavings run a statement at a time (tests/interleave.py), so each round does the same thing; the
last class is left to timing: two threads writing at will, each transaction's rows in one order (as a
careful writer does), so only the mark could make them deadlock."""

from __future__ import annotations

import random
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bench.results_file import machine_lines, write_part
from storage.db import Database
from storage.models import Partner, PartnerKind
from tests.databases import database_url
from tests.interleave import Transaction

EDIT = "UPDATE partner SET name = name || '.' WHERE handle = :handle"
CLOSE = (
    "INSERT INTO office_closure (day, reason, closed_by, closed_at) VALUES (:day, 'Closed', 'U0ADM', now())"
)
ROLE = (
    "INSERT INTO staff_role (user_id, role, updated_at, updated_by) VALUES (:user, 'coordinator', now(), 'x')"
)
HANDLES = "abcdef"
ROUNDS = 3
AT_WILL = 60  # transactions each of the two threads makes in the last class


@dataclass(frozen=True)
class Interleaving:
    label: str
    first: list[tuple[str, dict[str, str]]]  # the first transaction's statements
    second: list[tuple[str, dict[str, str]]]
    inherent: bool  # the two lock the same rows in opposite orders: a deadlock whatever the mark does


def edit(handle: str) -> tuple[str, dict[str, str]]:
    return EDIT, {"handle": handle}


CORPUS = [
    Interleaving("different partners", [edit("a"), edit("c")], [edit("b"), edit("d")], inherent=False),
    Interleaving(
        "one partner shared, met in opposite orders", [edit("a"), edit("b")], [edit("b"), edit("d")], False
    ),
    Interleaving(
        "a closure, then a partner the other holds; the other then adds a role",
        [(CLOSE, {"day": "2027-01-04"}), edit("b")],
        [edit("b"), (ROLE, {"user": "U0NEW"})],
        inherent=False,
    ),
    Interleaving(
        "the same two partners in opposite orders", [edit("a"), edit("b")], [edit("b"), edit("a")], True
    ),
]


def interleaved(db: Database, case: Interleaving) -> int:
    """Statements by turns (first, second, first, ...), the second commits first: deadlocks, 0 or 1."""
    first, second = Transaction(db), Transaction(db)
    try:
        for mine, theirs in zip(case.first, case.second, strict=True):
            first.step(*mine)
            second.step(*theirs)
        second.commit()
        first.commit()
        return sum(_deadlock(t.finish()) for t in (second, first))
    finally:
        first.finish()
        second.finish()
        _undo(db)


def at_will(db: Database) -> int:
    """Two threads, each AT_WILL transactions of two to four partners (in handle order) and, now and
    then, a role: deadlocks."""
    deadlocks: list[int] = []

    def writer(seed: int) -> None:
        chosen = random.Random(seed)
        found = 0
        for n in range(AT_WILL):
            handles = sorted(chosen.sample(HANDLES, chosen.randint(2, 4)))
            try:
                with db.engine.begin() as conn:
                    for handle in handles:
                        conn.execute(text(EDIT), {"handle": handle})
                    if n % 3 == 0:
                        conn.execute(text(ROLE), {"user": f"U0W{seed}N{n}"})
            except DBAPIError as error:
                found += _deadlock(error)
        deadlocks.append(found)

    threads = [threading.Thread(target=writer, args=(seed,)) for seed in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    _undo(db)
    return sum(deadlocks)


def _deadlock(error: BaseException | None) -> int:
    return int(error is not None and "deadlock detected" in str(error))


def _undo(db: Database) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM office_closure"))
        conn.execute(text("DELETE FROM staff_role"))


def measure(folder: Path, revision: str) -> dict[str, int]:
    """Deadlocks in each class on a fresh schema at `revision`."""
    with database_url("postgresql", folder) as url:
        db = Database(url)
        try:
            db.upgrade(revision)
            with db.session() as session:
                session.add_all(Partner(handle=h, name=h, kind=PartnerKind.legal_aid) for h in HANDLES)
            found = {case.label: sum(interleaved(db, case) for _ in range(ROUNDS)) for case in CORPUS}
            found[AT_WILL_LABEL] = at_will(db)
            return found
        finally:
            db.dispose()


AT_WILL_LABEL = f"at will: 2 threads × {AT_WILL} transactions, rows in one order"


def main() -> None:
    from bench.__main__ import postgres_reachable

    if not postgres_reachable():
        print("bench writers: skipped, no PostgreSQL answers (the part is about PostgreSQL's locks)")
        return
    with tempfile.TemporaryDirectory() as folder:
        before, after = measure(Path(folder), "0022"), measure(Path(folder), "head")
    expected: dict[str, Callable[[int], bool]] = {
        case.label: (lambda n: n == ROUNDS) if case.inherent else (lambda n: n == 0) for case in CORPUS
    }
    expected[AT_WILL_LABEL] = lambda n: n == 0
    rows = [
        f"| {label} | {before[label]} | {after[label]} | "
        f"{'yes' if expected[label](after[label]) else '**no**'} |"
        for label in before
    ]
    for row in rows:
        print(row)
    lines = [
        "## Writers of the lookups' tables at once (PostgreSQL)",
        "",
        *machine_lines(),
        "",
        f"Two transactions writing partners, roles and closures at once. The interleavings run a statement "
        f"at a time (tests/interleave.py), each {ROUNDS} times; the last class is left to timing. Before: "
        "the schema of migration 0022, whose triggers set the lookups' mark at each write, so a writer held "
        "the mark's row until it committed; after: migration 0023's, which sets it at the commit. Expected "
        "after: no deadlock, except where the two write the same rows in opposite orders (the data's own "
        "cycle; PostgreSQL rolls one back, and its writer is told that nothing was saved).",
        "",
        "| Interleaving | Deadlocks before (0022) | Deadlocks after (0023) | As expected |",
        "|---|---|---|---|",
        *rows,
    ]
    write_part("writers", lines)
