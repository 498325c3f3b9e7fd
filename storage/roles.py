"""Roles of home staff. LIAISON_ADMINS always counts as admin, so an office can never lock itself out."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from storage import lookups
from storage.models import Role, StaffRole

# Asked for every command: built once (building and keying a statement cost more than running it), and
# a column rather than the row (no object to make). Through the session, so a role set in the same unit
# of work and not yet flushed is seen.
_ROLE = select(StaffRole.role).where(col(StaffRole.user_id) == bindparam("user_id"))


def role_of(session: Session, user_id: str, configured_admins: Collection[str]) -> Role:
    if user_id in configured_admins:
        return Role.admin
    role = lookups.read(session, "role", user_id, lambda: session.scalar(_ROLE, {"user_id": user_id}))
    return Role(role) if role is not None else Role.defender


def admins(session: Session, configured_admins: Collection[str]) -> set[str]:
    """Everyone who is an admin: LIAISON_ADMINS and stored roles."""
    stored = session.exec(select(StaffRole.user_id).where(StaffRole.role == Role.admin)).all()
    return set(configured_admins) | set(stored)


def coordinators(session: Session, configured_admins: Collection[str]) -> set[str]:
    """Coordinators and admins: who gets the daily digest unless they turn it off."""
    query = select(StaffRole.user_id).where(col(StaffRole.role).in_([Role.coordinator, Role.admin]))
    return set(configured_admins) | set(session.exec(query).all())
