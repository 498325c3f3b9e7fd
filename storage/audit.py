"""The audit log: who did what to which item, and every allow/deny decision, append-only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from storage.models import AuditEntry, Decision


@dataclass(frozen=True)
class Actor:
    """Who is acting, as Slack identified them. `team_id` is the person's own team (Slack Connect aware)."""

    user_id: str
    team_id: str | None


SYSTEM = Actor(user_id="liaison", team_id=None)


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    subject: str | None = None,
    decision: Decision = Decision.done,
    reason: str | None = None,
    channel_id: str | None = None,
) -> AuditEntry:
    """Add an audit row to the caller's unit of work, so it commits or rolls back with the change."""
    entry = AuditEntry(
        actor_user_id=actor.user_id,
        actor_team_id=actor.team_id,
        action=action,
        subject=subject,
        decision=decision,
        reason=reason,
        channel_id=channel_id,
    )
    session.add(entry)
    return entry


def entries(session: Session, *, subject: str | None = None, limit: int = 50) -> Sequence[AuditEntry]:
    """Newest first."""
    query = select(AuditEntry).order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc()).limit(limit)
    if subject is not None:
        query = query.where(AuditEntry.subject == subject)
    return session.exec(query).all()
