"""Counts for `/liaison stats`: referrals and consults created in a period, from their history. Only
counts and medians: no case numbers, no client text."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from statistics import median

from sqlmodel import Session, col, select

from storage.consults import KIND as CONSULTS
from storage.item_tables import Consult, Referral, ReferralStatus
from storage.models import ItemEvent, Partner
from storage.referrals import KIND as REFERRALS


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
    terminal = REFERRALS.machine.terminal
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
    open_items = [r for r in referrals if REFERRALS.is_open(r)] + [c for c in consults if CONSULTS.is_open(c)]
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
