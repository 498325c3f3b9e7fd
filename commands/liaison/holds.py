"""`/liaison hold case:24-CR-0113` and `/liaison hold release case:...`: legal holds (admins), which keep
a case's items' text past the retention period."""

from __future__ import annotations

from commands.grammar import UsageError
from commands.invocation import Invocation, Reply
from storage import retention


def _case(inv: Invocation) -> str:
    case = inv.args.first("case")
    if not case or len(case) > 64:
        raise UsageError(f"Name the case with `case:`.\nUsage: `{inv.usage}`")
    return case


def place(inv: Invocation) -> Reply:
    case = _case(inv)
    with inv.deps.db.session() as session:
        placed = retention.hold(session, inv.person(session), case)
    if not placed:
        return Reply(f"Case `{case}` was already under a legal hold.")
    return Reply(f"Case `{case}` is under a legal hold: its items' text is kept until the hold is released.")


def release(inv: Invocation) -> Reply:
    case = _case(inv)
    with inv.deps.db.session() as session:
        released = retention.release(session, inv.person(session), case)
    if not released:
        return Reply(f"Case `{case}` was not under a legal hold.")
    return Reply(f"Released: case `{case}`'s items follow the retention period again.")
