"""Joint training's tables: a session (`T-3`), who may attend it, where it was announced, each person's
answer (going, maybe, can't; a place on the waitlist; check-in; feedback), and what was sent to whom."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage import clock
from storage.types import UTCDateTime, list_column

PREFIX = "T"
SCOPE = "training"  # what an agreement's scope says when the partner's people may attend
CHECK_IN_OPENS = timedelta(minutes=15)  # before the start
CHECK_IN_CLOSES = timedelta(minutes=30)  # after the end


class SessionStatus(StrEnum):
    scheduled = "scheduled"
    cancelled = "cancelled"


class Answer(StrEnum):
    going = "going"
    maybe = "maybe"
    cant = "cant"


ANSWER_WORDS = {Answer.going: "Going", Answer.maybe: "Maybe", Answer.cant: "Can't"}


class TrainingSession(SQLModel, table=True):
    """A joint training session. `sequence` is its calendar invitations' SEQUENCE: raised by every change
    people's calendars must follow, so an update or a cancellation replaces what they hold."""

    __tablename__ = "training"
    __table_args__ = (Index("ix_training_status_starts_at", "status", "starts_at"),)

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(sa_type=Text)
    description: str = Field(default="", sa_type=Text)
    starts_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    minutes: int
    place: str = Field(sa_type=Text)  # a room, or a video link
    audience: str = Field(
        max_length=16
    )  # storage.library_tables.Audience's words: office, partners, agreement
    capacity: int | None = None
    presenters: list[str] = Field(default_factory=list, sa_column=list_column())
    cle_hours: float = 0.0
    cle_category: str = Field(default="general", max_length=32)
    course_number: str | None = Field(default=None, max_length=64)
    cle_state: str | None = Field(default=None, max_length=8)
    materials: list[str] = Field(default_factory=list, sa_column=list_column())  # links or RS-n
    code: str | None = Field(default=None, max_length=16)  # asked at check-in, when the organizer wants one
    organizer_id: str = Field(max_length=32, index=True)
    status: str = Field(default=SessionStatus.scheduled, max_length=16)
    cancel_reason: str | None = Field(default=None, sa_type=Text)
    sequence: int = 0
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, nullable=False)

    @property
    def ref(self) -> str:
        return f"{PREFIX}-{self.id}"

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)


class TrainingReader(SQLModel, table=True):
    """A partner named in a session's audience."""

    __tablename__ = "training_reader"

    training_id: int = Field(foreign_key="training.id", primary_key=True)
    partner_id: int = Field(foreign_key="partner.id", primary_key=True)


class TrainingPost(SQLModel, table=True):
    """A session's announcement card in one channel (redrawn as answers come)."""

    __tablename__ = "training_post"

    training_id: int = Field(foreign_key="training.id", primary_key=True)
    channel_id: str = Field(max_length=32, primary_key=True)
    ts: str = Field(max_length=32)


class Rsvp(SQLModel, table=True):
    """One person's answer to a session. `waitlisted_at` orders the waitlist of those going when it was
    full."""

    __tablename__ = "rsvp"
    __table_args__ = (UniqueConstraint("training_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    training_id: int = Field(foreign_key="training.id", index=True)
    user_id: str = Field(max_length=32)
    org: str = Field(max_length=64)  # "office" or the partner's handle
    name: str = Field(default="", max_length=200)  # as Slack showed them when they answered
    answer: str = Field(max_length=8)
    waitlisted_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    checked_in_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    rating: int | None = None
    comment: str | None = Field(default=None, sa_type=Text)
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, nullable=False)

    @property
    def seated(self) -> bool:
        return self.answer == Answer.going and self.waitlisted_at is None


class TrainingSent(SQLModel, table=True):
    """A reminder or prompt about a session to one person, claimed before it is sent: once each."""

    __tablename__ = "training_sent"
    __table_args__ = (UniqueConstraint("training_id", "user_id", "what"),)

    id: int | None = Field(default=None, primary_key=True)
    training_id: int = Field(foreign_key="training.id", index=True)
    user_id: str = Field(max_length=32)
    what: str = Field(max_length=16)  # day-before, hour-before, feedback
    at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, nullable=False)
