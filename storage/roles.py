"""Roles of home staff. LIAISON_ADMINS always counts as admin, so an office can never lock itself out."""

from __future__ import annotations

from collections.abc import Collection

from sqlmodel import Session

from storage.models import Role, StaffRole


def role_of(session: Session, user_id: str, configured_admins: Collection[str]) -> Role:
    if user_id in configured_admins:
        return Role.admin
    row = session.get(StaffRole, user_id)
    return Role(row.role) if row is not None else Role.defender
