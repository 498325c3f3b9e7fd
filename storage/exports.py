"""Exports for coordinators and admins: each kind of item, and the audit log, as rows for a CSV, and the
counts-only metrics. IDs, partners, states and times; never internal case numbers, and no free text about
clients (an export is a report, not a case file)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from storage.item_tables import ItemBase
from storage.kinds import Kinds
from storage.models import AuditEntry, Partner

AUDIT = "audit"  # what `export` calls the audit log; the kinds export by their plural
EARLIEST = date(2000, 1, 1)  # Liaison keeps nothing older; a `from:` before it starts here


@dataclass(frozen=True)
class Period:
    since: datetime  # UTC, included
    until: datetime  # UTC, excluded
    words: str  # the days it covers, as the person is told


def period(first: date | None, last: date | None, zone: ZoneInfo, now: datetime) -> Period:
    """[first, last] as the office's days, both included, cut to what Liaison can hold: nothing before
    2000 and nothing after today (`to:9999-12-31` would not even be a time one day later); the words say
    so when a date was cut. Missing days mean from the start, to today."""
    today = now.astimezone(zone).date()
    start = max(first, EARLIEST) if first else EARLIEST
    end = min(last, today) if last else today
    said_start, said_end = (
        ("the start" if first is None else str(start)),
        ("today" if last is None else str(end)),
    )
    if first is not None and first < start:
        said_start += " (the earliest Liaison keeps)"
    if last is not None and last > end:
        said_end += " (today)"
    since = datetime.combine(start, time(), zone).astimezone(UTC)
    until = datetime.combine(end + timedelta(days=1), time(), zone).astimezone(UTC)
    return Period(since, max(since, until), f"{said_start} to {said_end}")


def choices(kinds: Kinds) -> list[str]:
    """What can be exported: each kind's items (`referrals`), and the audit log."""
    return [*(kind.plural for kind in kinds), AUDIT]


def rows(session: Session, kinds: Kinds, what: str, since: datetime, until: datetime) -> list[list[str]]:
    """The header and one row per record created in [since, until)."""
    names = {p.id: p.handle for p in session.exec(select(Partner)).all() if p.id is not None}
    if what == AUDIT:
        audited = select(AuditEntry).where(col(AuditEntry.at) >= since, col(AuditEntry.at) < until)
        header = ["at", "actor", "actor_team", "action", "subject", "decision", "reason", "channel"]
        return [header] + [
            [
                _t(e.at),
                e.actor_user_id,
                e.actor_team_id or "",
                e.action,
                e.subject or "",
                e.decision,
                e.reason or "",
                e.channel_id or "",
            ]
            for e in session.exec(audited.order_by(col(AuditEntry.id))).all()
        ]
    kind = kinds.exported(what)
    if kind is None:
        raise ValueError(f"no kind of item exports as {what}")
    model = kind.model
    query = (
        select(model)
        .where(col(model.created_at) >= since, col(model.created_at) < until)
        .order_by(col(model.id))
    )
    common = ["id", "status", "requester", "channel", "created_at", "due_at", "updated_at"]
    return [[*common, *(c.header for c in kind.exported)]] + [
        [*_common(item), *(c.value(item, names) for c in kind.exported)] for item in session.exec(query).all()
    ]


def _common(item: ItemBase) -> list[str]:
    return [
        item.ref,
        item.status,
        item.requester_id,
        item.channel_id,
        _t(item.created_at),
        _t(item.due_at),
        _t(item.updated_at),
    ]


def _t(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def as_csv(table: Sequence[Sequence[str]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows([[inert(cell) for cell in row] for row in table])
    return out.getvalue()


def inert(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula (an action item titled `=cmd|...`)."""
    return f"'{cell}" if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
