"""Who a Slack user is to Liaison: home staff (with a role), a partner's staff, or unknown."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session

from storage import audit, clock, partners, roles
from storage.audit import Actor
from storage.models import Partner, Role, StaffRole


class Affiliation(StrEnum):
    home = "home"
    partner = "partner"
    unknown = "unknown"


@dataclass(frozen=True)
class Person:
    actor: Actor
    affiliation: Affiliation
    role: Role | None = None  # home staff only
    partner: Partner | None = None  # partner staff only

    @property
    def user_id(self) -> str:
        return self.actor.user_id

    def describe(self) -> str:
        if self.affiliation == Affiliation.home:
            return f"home staff with the role *{self.role}*"
        if self.partner is not None:
            return f"staff of {self.partner.name} (`{self.partner.handle}`)"
        return f"from an organization Liaison does not know (team `{self.actor.team_id}`)"


def identify(session: Session, actor: Actor, home_team_id: str, admins: Collection[str]) -> Person:
    if actor.team_id == home_team_id:
        return Person(actor, Affiliation.home, role=roles.role_of(session, actor.user_id, admins))
    partner = partners.for_team(session, actor.team_id)
    if partner is not None:
        return Person(actor, Affiliation.partner, partner=partner)
    return Person(actor, Affiliation.unknown)


def set_role(session: Session, by: Person, user_id: str, role: Role) -> bool:
    """Give a home-staff member a role; False when they already had it. Permission is checked by caller."""
    row = session.get(StaffRole, user_id)
    if (row.role if row else Role.defender) == role:
        return False
    if row is None:
        row = StaffRole(user_id=user_id, role=role, updated_by=by.user_id)
    else:
        row.role, row.updated_by, row.updated_at = role, by.user_id, clock.now()
    session.add(row)
    audit.record(session, by.actor, "role.set", subject=user_id, reason=f"now {role}")
    return True
