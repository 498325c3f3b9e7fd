"""Roles of home staff. LIAISON_ADMINS always counts as admin, so an office can never lock itself out."""

from __future__ import annotations

from collections.abc import Collection

from sqlmodel import Session, col, select

from storage.models import Role, StaffRole


def role_of(session: Session, user_id: str, configured_admins: Collection[str]) -> Role:
    if user_id in configured_admins:
        return Role.admin
    row = session.get(StaffRole, user_id)
    return Role(row.role) if row is not None else Role.defender


def admins(session: Session, configured_admins: Collection[str]) -> set[str]:
    """Everyone who is an admin: LIAISON_ADMINS and stored roles."""
    stored = session.exec(select(StaffRole.user_id).where(StaffRole.role == Role.admin)).all()
    return set(configured_admins) | set(stored)


def coordinators(session: Session, configured_admins: Collection[str]) -> set[str]:
    """Coordinators and admins: who gets the daily digest unless they turn it off."""
    query = select(StaffRole.user_id).where(col(StaffRole.role).in_([Role.coordinator, Role.admin]))
    return set(configured_admins) | set(session.exec(query).all())
