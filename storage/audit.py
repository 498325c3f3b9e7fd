"""The audit log: who did what to which item, and every allow/deny decision, append-only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, event, func, insert, or_
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, col, select

from storage import clock
from storage.models import AuditEntry, Decision


@dataclass(frozen=True)
class Actor:
    """Who is acting, as Slack identified them. `team_id` is the person's own team (Slack Connect aware)."""

    user_id: str
    team_id: str | None


SYSTEM = Actor(user_id="liaison", team_id=None)
DOOR_REFUSED = "door.refused"  # the action of a write Liaison's guard kept from Slack (bot/door.py)


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    subject: str | None = None,
    decision: Decision = Decision.done,
    reason: str | None = None,
    channel_id: str | None = None,
) -> None:
    """Add an audit row to the caller's unit of work, so it commits or rolls back with the change. The
    unit of work's rows are written together as it commits, in one statement (`_write_recorded`): as ORM
    objects, each flushed and its ID read back, they cost more than the rest of a new item's statements."""
    row = {
        "at": clock.now(),
        "actor_user_id": actor.user_id,
        "actor_team_id": actor.team_id,
        "action": action,
        "subject": subject,
        "decision": decision,
        "reason": reason,
        "channel_id": channel_id,
    }
    session.connection()  # the transaction the row belongs to has begun: its end forgets the row
    session.info.setdefault(_RECORDED, []).append(row)


_RECORDED = "liaison_audit_rows"  # the session's rows not yet written
_AUDIT_LOG = cast(Table, getattr(AuditEntry, "__table__"))  # noqa: B009 (SQLModel sets it)


@event.listens_for(OrmSession, "before_commit")
def _write_recorded(session: OrmSession) -> None:
    rows = session.info.pop(_RECORDED, None)
    if rows:
        session.connection().execute(insert(_AUDIT_LOG), rows)


@event.listens_for(OrmSession, "after_transaction_end")
def _forget_recorded(session: OrmSession, transaction: SessionTransaction) -> None:
    """Rolled back, or closed uncommitted: its rows go with it. (A flush's inner transaction, which also
    ends here, leaves them.)"""
    if transaction.parent is None:
        session.info.pop(_RECORDED, None)


@dataclass(frozen=True)
class Page:
    entries: Sequence[AuditEntry]
    total: int
    number: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def entries(
    session: Session, *, subject: str | None = None, action: str | None = None, limit: int = 50
) -> Sequence[AuditEntry]:
    """Newest first; `action` only entries of that action."""
    if action is None:
        return search(session, subjects=[subject] if subject else None, size=limit).entries
    query = select(AuditEntry).where(col(AuditEntry.action) == action)
    if subject:
        query = query.where(col(AuditEntry.subject) == subject)
    return session.exec(query.order_by(col(AuditEntry.id).desc()).limit(limit)).all()


def search(
    session: Session,
    *,
    subjects: Sequence[str] | None = None,
    person: str | None = None,
    since: datetime | None = None,
    page: int = 1,
    size: int = 20,
) -> Page:
    """Newest first. `person` matches who acted or whom the entry is about (a role change)."""
    query = select(AuditEntry)
    if subjects:
        query = query.where(col(AuditEntry.subject).in_(subjects))
    if person:
        query = query.where(or_(col(AuditEntry.actor_user_id) == person, col(AuditEntry.subject) == person))
    if since:
        query = query.where(col(AuditEntry.at) >= since)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    ordered = query.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
    found = session.exec(ordered.offset((page - 1) * size).limit(size)).all()
    return Page(entries=found, total=total, number=page, size=size)
