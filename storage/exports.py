"""Exports for coordinators and admins: each kind of item, and the audit log, as rows for a CSV, and the
counts-only metrics. IDs, partners, states and times; never internal case numbers, and no free text about
clients (an export is a report, not a case file)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from statistics import median
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from storage import items
from storage.models import (
    Advocacy,
    AuditEntry,
    Consult,
    ItemEvent,
    Partner,
    Referral,
    ReferralStatus,
)

WHAT = ("referrals", "consults", "advocacy", "audit")
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


def rows(session: Session, what: str, since: datetime, until: datetime) -> list[list[str]]:
    """The header and one row per record created in [since, until)."""
    names = {p.id: p.handle for p in session.exec(select(Partner)).all()}
    if what == "audit":
        query = select(AuditEntry).where(col(AuditEntry.at) >= since, col(AuditEntry.at) < until)
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
            for e in session.exec(query.order_by(col(AuditEntry.id))).all()
        ]
    kind = {"referrals": items.REFERRALS, "consults": items.CONSULTS, "advocacy": items.ADVOCACY_ITEMS}[what]
    model = kind.model
    query = (
        select(model)
        .where(col(model.created_at) >= since, col(model.created_at) < until)
        .order_by(col(model.id))
    )
    found = session.exec(query).all()
    common = ["id", "status", "requester", "channel", "created_at", "due_at", "updated_at"]
    if what == "referrals":
        return [[*common, "partner", "need", "priority", "first_response_at"]] + [
            [*_common(r), names[r.partner_id], r.need, r.priority, _t(r.first_response_at)]
            for r in found
            if isinstance(r, Referral)
        ]
    if what == "consults":
        return [[*common, "partner", "taken_by", "first_answer_at"]] + [
            [*_common(c), names[c.partner_id], c.taken_by or "", _t(c.first_response_at)]
            for c in found
            if isinstance(c, Consult)
        ]
    return [[*common, "title", "campaign", "owners", "result"]] + [
        [*_common(a), a.title, a.campaign or "", " ".join(a.owners), a.result or ""]
        for a in found
        if isinstance(a, Advocacy)
    ]


def _common(item: items.Item) -> list[str]:
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
    csv.writer(out).writerows([[_inert(cell) for cell in row] for row in table])
    return out.getvalue()


def _inert(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula (an action item titled `=cmd|...`)."""
    return f"'{cell}" if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


@dataclass(frozen=True)
class Stats:
    referrals: int
    by_partner_need: list[tuple[str, str, int]]  # (partner, need, count)
    acceptance_rate: float | None  # accepted (or further) among those the partner decided on
    median_hours_to_accept: float | None
    median_hours_to_close: float | None
    closed_with_outcome: float | None  # share of closed referrals that were completed with an outcome
    consults: int
    median_hours_to_first_answer: float | None
    overdue_share: float | None  # of the items still open, the share past due


def stats(session: Session, since: datetime, until: datetime, now: datetime) -> Stats:
    """Counts from the history, for referrals and consults created in [since, until)."""
    names = {p.id: p.name for p in session.exec(select(Partner)).all()}
    referrals = session.exec(
        select(Referral).where(col(Referral.created_at) >= since, col(Referral.created_at) < until)
    ).all()
    refs = [r.ref for r in referrals]
    events: dict[str, list[ItemEvent]] = {}
    if refs:
        for event in session.exec(
            select(ItemEvent).where(col(ItemEvent.item).in_(refs)).order_by(col(ItemEvent.id))
        ):
            events.setdefault(event.item, []).append(event)
    counts = Counter((names[r.partner_id], r.need) for r in referrals)
    accepted, rejected, to_accept, to_close, closed, with_outcome = 0, 0, [], [], 0, 0
    terminal = items.REFERRALS.machine.terminal
    for r in referrals:
        history = events.get(r.ref, [])
        first_accept = next((e for e in history if e.to_status == ReferralStatus.accepted), None)
        if first_accept is not None:
            accepted += 1
            to_accept.append((first_accept.at - r.created_at).total_seconds() / 3600)
        elif any(e.to_status == ReferralStatus.rejected for e in history):
            rejected += 1
        closing = next((e for e in history if e.to_status in terminal), None)
        if closing is not None and r.status in terminal:
            closed += 1
            to_close.append((closing.at - r.created_at).total_seconds() / 3600)
            with_outcome += r.status == ReferralStatus.completed and bool(closing.note)
    consults = session.exec(
        select(Consult).where(col(Consult.created_at) >= since, col(Consult.created_at) < until)
    ).all()
    answers = [
        (c.first_response_at - c.created_at).total_seconds() / 3600 for c in consults if c.first_response_at
    ]
    open_items = [i for i in [*referrals, *consults] if items.is_open(i)]
    return Stats(
        referrals=len(referrals),
        by_partner_need=sorted((p, n, k) for (p, n), k in counts.items()),
        acceptance_rate=accepted / (accepted + rejected) if accepted + rejected else None,
        median_hours_to_accept=median(to_accept) if to_accept else None,
        median_hours_to_close=median(to_close) if to_close else None,
        closed_with_outcome=with_outcome / closed if closed else None,
        consults=len(consults),
        median_hours_to_first_answer=median(answers) if answers else None,
        overdue_share=sum(i.due_at < now for i in open_items) / len(open_items) if open_items else None,
    )
