"""The tables. Each change to them goes through a service module (audit.py, roles.py, ...)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage import clock
from storage.types import EncryptedText, UTCDateTime, list_column, utc_column


class Role(StrEnum):
    defender = "defender"
    coordinator = "coordinator"
    admin = "admin"


class PartnerKind(StrEnum):
    legal_aid = "legal_aid"
    civil_rights = "civil_rights"
    clinic = "clinic"
    social_services = "social_services"
    mental_health = "mental_health"
    housing = "housing"
    other = "other"


class PartnerStatus(StrEnum):
    active = "active"
    inactive = "inactive"


class Decision(StrEnum):
    done = "done"  # a change was made
    allowed = "allowed"  # a disclosure or change was permitted
    denied = "denied"  # a request was refused; the reason says which rule


class AuditEntry(SQLModel, table=True):
    """Append-only record of every change and every allow/deny decision (triggers refuse UPDATE/DELETE)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_subject_at", "subject", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False, index=True))
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
    updated_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))
    updated_by: str = Field(max_length=32)


class Partner(SQLModel, table=True):
    """A partner organization and its agreement (fields after Open Referral HSDS where it has them)."""

    __tablename__ = "partner"

    id: int | None = Field(default=None, primary_key=True)
    handle: str = Field(max_length=40, unique=True)  # the short name used in commands: legal-aid
    name: str = Field(max_length=200)
    kind: PartnerKind = Field(sa_type=String(24))
    services: list[str] = Field(default_factory=list, sa_column=list_column())  # need categories offered
    contact_channels: list[str] = Field(default_factory=list, sa_column=list_column())
    contacts: list[str] = Field(default_factory=list, sa_column=list_column())  # Slack user IDs
    mou_ref: str | None = Field(default=None, max_length=100)
    mou_starts: date | None = None
    mou_expires: date | None = None
    scope: list[str] = Field(default_factory=list, sa_column=list_column())  # ItemKind values it may receive
    identifying_allowed: bool = False  # may identifying client details be shared with it (with consent)
    status: PartnerStatus = Field(default=PartnerStatus.active, sa_type=String(16))
    on_slack: bool = True  # False: the partner has no Slack workspace; notify it another way
    created_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))


class PartnerTeam(SQLModel, table=True):
    """A Slack workspace (team) of a partner; a team belongs to at most one partner."""

    __tablename__ = "partner_team"

    team_id: str = Field(primary_key=True, max_length=32)
    partner_id: int = Field(foreign_key="partner.id", index=True)


class ChannelLink(SQLModel, table=True):
    """A channel and a partner organization that is in it."""

    __tablename__ = "channel_link"

    channel_id: str = Field(primary_key=True, max_length=32)
    partner_id: int = Field(primary_key=True, foreign_key="partner.id")
    linked_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))
    linked_by: str = Field(max_length=32)


class UnknownTeamNotice(SQLModel, table=True):
    """Admins were told that an unknown external team is in a channel (once per channel and team)."""

    __tablename__ = "unknown_team_notice"

    channel_id: str = Field(primary_key=True, max_length=32)
    team_id: str = Field(primary_key=True, max_length=32)
    noticed_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))


class ItemEvent(SQLModel, table=True):
    """One status change of an item, with who made it and why: the history metrics come from."""

    __tablename__ = "item_event"

    id: int | None = Field(default=None, primary_key=True)
    item: str = Field(max_length=16, index=True)  # R-12, C-7
    at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))
    actor_user_id: str = Field(max_length=32)
    actor_team_id: str | None = Field(default=None, max_length=32)
    from_status: str = Field(max_length=24)
    to_status: str = Field(max_length=24)
    reason_code: str | None = Field(default=None, max_length=40)
    note: str | None = Field(default=None, sa_type=EncryptedText)  # reason text or outcome


class ThreadReply(SQLModel, table=True):
    """A message in an item's thread, as its author last left it."""

    __tablename__ = "thread_reply"
    __table_args__ = (
        UniqueConstraint("channel_id", "ts"),
        Index("ix_thread_reply_thread", "channel_id", "thread_ts"),
    )

    id: int | None = Field(default=None, primary_key=True)
    item: str = Field(max_length=16, index=True)  # R-12, C-7
    channel_id: str = Field(max_length=32)
    thread_ts: str = Field(max_length=32)
    ts: str = Field(max_length=32)
    user_id: str | None = Field(default=None, max_length=32)
    team_id: str | None = Field(default=None, max_length=32)
    text: str = Field(sa_type=EncryptedText)
    at: datetime = Field(sa_column=utc_column(nullable=False))
    edited_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    deleted: bool = False


class ReminderKind(StrEnum):
    before = "before"  # one business day before the due time
    due = "due"  # at the due time: the overdue notice
    nudge = "nudge"  # at most one a business day after that
    requester = "requester"  # the requester's DM at the due time, in the requester's working hours
    review = "review"  # a library entry's owner, once per review date (commands/library/reviews.py)


class ReminderSent(SQLModel, table=True):
    """A reminder about an item, claimed before it is sent: the unique key (item, kind, day) is what makes
    a reminder go once however many ticks or instances see it due."""

    __tablename__ = "reminder_sent"
    __table_args__ = (UniqueConstraint("item", "kind", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    item: str = Field(max_length=16, index=True)
    kind: ReminderKind = Field(sa_type=String(16))
    day: date  # the due day for `before` and `due`; the recipient's day for a nudge
    claimed_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, nullable=False)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class Snooze(SQLModel, table=True):
    """No reminders about an item until `until` (the Snooze buttons on reminders)."""

    __tablename__ = "snooze"

    item: str = Field(primary_key=True, max_length=16)
    until: datetime = Field(sa_type=UTCDateTime, nullable=False)
    by_user_id: str = Field(max_length=32)


class DigestDays(StrEnum):
    weekdays = "weekdays"
    daily = "daily"


class DigestSetting(SQLModel, table=True):
    """Someone's daily digest: coordinators and admins get one unless they turn it off; others opt in."""

    __tablename__ = "digest_setting"

    user_id: str = Field(primary_key=True, max_length=32)
    enabled: bool = True
    at: str = Field(default="08:00", max_length=5)  # local time, HH:MM
    days: DigestDays = Field(default=DigestDays.weekdays, sa_type=String(16))
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, nullable=False)


class DigestSent(SQLModel, table=True):
    """A person's digest for one of their days, claimed before it is sent (the key makes it once a day)."""

    __tablename__ = "digest_sent"

    user_id: str = Field(primary_key=True, max_length=32)
    day: date = Field(primary_key=True)  # the recipient's local date
    claimed_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, nullable=False)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class Consent(SQLModel, table=True):
    """A client's consent to share identifying details with one partner, for one case (ABA Model Rule
    1.6(a)): recorded when the requester confirms it, ended by expiry or revocation."""

    __tablename__ = "consent"
    __table_args__ = (Index("ix_consent_case_partner", "case_number", "partner_id"),)

    id: int | None = Field(default=None, primary_key=True)
    case_number: str = Field(max_length=64)
    partner_id: int = Field(foreign_key="partner.id")
    purpose: str = Field(max_length=200)  # what it was given for: "referral R-12 (housing)"
    scope: str = Field(default="identifying details", max_length=200)
    given_by: str = Field(max_length=32)  # the home staff who recorded it
    given_on: date
    expires_on: date | None = None
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    revoked_by: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, nullable=False)


class LegalHold(SQLModel, table=True):
    """A case whose items' text must not be purged (litigation, a records request), until released."""

    __tablename__ = "legal_hold"

    case_number: str = Field(primary_key=True, max_length=64)
    placed_by: str = Field(max_length=32)
    placed_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, nullable=False)


class OutboxKind(StrEnum):
    card = "card"  # redraw an item's card from the database as it is then
    thread = "thread"  # a line in an item's thread


class Outbox(SQLModel, table=True):
    """Slack work that still failed after the client's retries (Slack down or overloaded), kept to be
    finished by the scheduler's tick. The unique key folds repeats into one row: a card failing to
    update three times is redrawn once, from the database."""

    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=80, unique=True)
    kind: OutboxKind = Field(sa_type=String(16))
    item: str | None = Field(default=None, max_length=16)
    channel_id: str = Field(max_length=32)
    thread_ts: str | None = Field(default=None, max_length=32)
    text: str | None = Field(default=None, sa_type=EncryptedText)  # may quote a note about a client
    attempts: int = 0
    next_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, nullable=False, index=True)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, nullable=False)
    last_error: str | None = Field(default=None, max_length=64)


class Delivery(SQLModel, table=True):
    """One request from Slack, or one journalled event, that has been acted on: its key (the request's
    signature, a hash of its body, or a journal entry's ID) makes a replay of it do nothing, across
    restarts and instances. Kept until `expires_at`, past which Slack's own checks refuse a replay."""

    __tablename__ = "delivery"

    key: str = Field(primary_key=True, max_length=80)
    seen_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)


class SlackCall(SQLModel, table=True):
    """A Web API call made by any instance, for the rate budget they share on PostgreSQL (bot/pacing.py):
    `key` is the budget it counts against (a method, or chat.postMessage and its channel)."""

    __tablename__ = "slack_call"
    __table_args__ = (Index("ix_slack_call_key_at", "key", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=120)
    at: datetime = Field(sa_type=UTCDateTime, nullable=False)
