"""Retention: the free text of items closed longer ago than LIAISON_RETENTION_DAYS is removed (their IDs,
states, times, history and the audit log stay), unless their case is under a legal hold. The audit log is
append-only and never purged here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage import audit, items
from storage.audit import Actor
from storage.models import Advocacy, ItemEvent, LegalHold, ThreadReply
from storage.people import Person
from storage.permissions import Action, require

REMOVED = "(removed after the retention period)"
DEFAULT_DAYS = 365


@dataclass(frozen=True)
class Purge:
    refs: list[str]  # the items whose text was (or would be) removed
    held: list[str]  # those kept because their case is under a legal hold


def purge(session: Session, actor: Actor, now: datetime, days: int, *, dry_run: bool = False) -> Purge:
    """Remove the text of items closed before `now - days`; audited as one entry."""
    cutoff = now - timedelta(days=days)
    holds = set(session.exec(select(LegalHold.case_number)).all())
    done, held = [], []
    for kind in items.KINDS:
        model = kind.model
        closed = [s.value for s in kind.machine.terminal]
        query = select(model).where(col(model.status).in_(closed), col(model.updated_at) < cutoff)
        for item in session.exec(query).all():
            case = None if isinstance(item, Advocacy) else item.case_number
            if case in holds:
                held.append(item.ref)
                continue
            if _purged(item):
                continue
            done.append(item.ref)
            if not dry_run:
                _remove_text(session, item)
    if done and not dry_run:
        audit.record(
            session,
            actor,
            "retention.purge",
            reason=f"{len(done)} items' text removed: {','.join(done)[:900]}",
        )
    return Purge(done, held)


def _purged(item: items.Item) -> bool:
    return getattr(item, kind_text(item)) == REMOVED


def kind_text(item: items.Item) -> str:
    return {"details": "details", "question": "question", "title": "result"}[items.kind_of(item).text_name]


def _remove_text(session: Session, item: items.Item) -> None:
    setattr(item, kind_text(item), REMOVED)
    session.add(item)
    session.execute(update(ThreadReply).where(col(ThreadReply.item) == item.ref).values(text=REMOVED))
    session.execute(
        update(ItemEvent)
        .where(col(ItemEvent.item) == item.ref, col(ItemEvent.note).is_not(None))
        .values(note=REMOVED)
    )


def hold(session: Session, person: Person, case_number: str) -> bool:
    """Place a legal hold (admins); False if the case was already held."""
    require(session, person, Action.hold_cases)
    if session.get(LegalHold, case_number) is not None:
        return False
    session.add(LegalHold(case_number=case_number, placed_by=person.user_id))
    audit.record(session, person.actor, "hold.place", subject=None, reason="a case placed under legal hold")
    return True


def release(session: Session, person: Person, case_number: str) -> bool:
    require(session, person, Action.hold_cases)
    found = session.get(LegalHold, case_number)
    if found is None:
        return False
    session.delete(found)
    audit.record(session, person.actor, "hold.release", subject=None, reason="a case's legal hold released")
    return True
