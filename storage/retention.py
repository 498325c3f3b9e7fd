"""Retention: the free text of items closed longer ago than LIAISON_RETENTION_DAYS is removed (their IDs,
states, times, history and the audit log stay), unless their case is under a legal hold. The audit log is
append-only and never purged here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from storage import audit, items
from storage.audit import Actor
from storage.identifiers import case_key
from storage.item_tables import ItemBase
from storage.kinds import Kinds
from storage.models import ItemEvent, LegalHold, ThreadReply
from storage.people import Person
from storage.permissions import Action, require

REMOVED = "(removed after the retention period)"
DEFAULT_DAYS = 365


@dataclass(frozen=True)
class Purge:
    refs: list[str]  # the items whose text was (or would be) removed
    held: list[str]  # those kept because their case is under a legal hold


def purge(
    session: Session, kinds: Kinds, actor: Actor, now: datetime, days: int, *, dry_run: bool = False
) -> Purge:
    """Remove the text of items closed before `now - days`; audited as one entry."""
    cutoff = now - timedelta(days=days)
    holds = set(session.exec(select(LegalHold.case_number)).all())  # kept as case_key()
    done, held = [], []
    for kind in kinds:
        model = kind.model
        query = select(model).where(
            col(model.status).in_(kind.closed_statuses), col(model.updated_at) < cutoff
        )
        for item in session.exec(query).all():
            case = item.case()
            if case and case_key(case) in holds:
                held.append(item.ref)
                continue
            # Every time, not once: a reply posted later in its thread, or a consult reopened and closed
            # again, has text of its own to remove.
            if _remove_text(session, item, dry_run):
                done.append(item.ref)
    if done and not dry_run:
        audit.record(
            session,
            actor,
            "retention.purge",
            reason=f"{len(done)} items' text removed: {','.join(done)[:900]}",
        )
    return Purge(done, held)


def _remove_text(session: Session, item: ItemBase, dry_run: bool) -> bool:
    """Whether any of the item's text was still there (the text is encrypted, so compared as read): its
    kind's client text (storage/kinds.py: purged), its thread's replies and its history's notes."""
    rows: list[tuple[object, str]] = [(item, column) for column in items.kind_of(item).purged]
    rows += [(r, "text") for r in session.exec(select(ThreadReply).where(ThreadReply.item == item.ref)).all()]
    rows += [(e, "note") for e in session.exec(select(ItemEvent).where(ItemEvent.item == item.ref)).all()]
    left = [(row, column) for row, column in rows if getattr(row, column) not in (None, "", REMOVED)]
    if not dry_run:
        for row, column in left:
            setattr(row, column, REMOVED)
            session.add(row)
    return bool(left)


def hold(session: Session, person: Person, case_number: str) -> bool:
    """Place a legal hold (admins); False if the case was already held."""
    require(session, person, Action.hold_cases)
    if session.get(LegalHold, case_key(case_number)) is not None:
        return False
    session.add(LegalHold(case_number=case_key(case_number), placed_by=person.user_id))
    audit.record(session, person.actor, "hold.place", subject=None, reason="a case placed under legal hold")
    return True


def release(session: Session, person: Person, case_number: str) -> bool:
    require(session, person, Action.hold_cases)
    found = session.get(LegalHold, case_key(case_number))
    if found is None:
        return False
    session.delete(found)
    audit.record(session, person.actor, "hold.release", subject=None, reason="a case's legal hold released")
    return True
