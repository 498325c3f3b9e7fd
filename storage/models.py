"""The tables. Each change to them goes through a service module (audit.py, roles.py, ...)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, String
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow


def _utc_column(**kwargs: object) -> Column:  # type: ignore[type-arg]
    return Column(UTCDateTime(), **kwargs)


class Role(StrEnum):
    defender = "defender"
    coordinator = "coordinator"
    admin = "admin"


class Decision(StrEnum):
    done = "done"  # a change was made
    allowed = "allowed"  # a disclosure or change was permitted
    denied = "denied"  # a request was refused; the reason says which rule


class AuditEntry(SQLModel, table=True):
    """Append-only record of every change and every allow/deny decision (triggers refuse UPDATE/DELETE)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_subject_at", "subject", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=_utc_column(nullable=False, index=True))
    actor_user_id: str = Field(max_length=32, index=True)
    actor_team_id: str | None = Field(default=None, max_length=32)
    action: str = Field(max_length=64)
    subject: str | None = Field(default=None, max_length=64)  # an item ID, a partner handle, a user
    decision: Decision = Field(default=Decision.done, sa_type=String(16))
    reason: str | None = Field(default=None, max_length=1000)
    channel_id: str | None = Field(default=None, max_length=32)


class StaffRole(SQLModel, table=True):
    """Role of a home-staff member; anyone without a row is a defender."""

    __tablename__ = "staff_role"

    user_id: str = Field(primary_key=True, max_length=32)
    role: Role = Field(sa_type=String(16))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column(nullable=False))
    updated_by: str = Field(max_length=32)
