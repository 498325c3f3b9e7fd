"""What evaluating the partnership keeps beyond the items' own history: each "How did this go?" prompt and
its answer, each quarterly survey and its answers, each monthly report sent (once per person, month and
version), the charts already drawn today, and how far the feedback prompts have read the items' history."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage import clock
from storage.types import EncryptedText, UTCDateTime


class Side(StrEnum):
    office = "office"  # the requester, or an office coordinator
    partner = "partner"  # partner staff who handled it, or a partner's contact


class Feedback(SQLModel, table=True):
    """One person's "How did this go?" about one closed referral: asked once, answered once."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("item", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    item: str = Field(max_length=16)
    user_id: str = Field(max_length=32)
    side: str = Field(max_length=8)
    partner_id: int = Field(foreign_key="partner.id", index=True)  # the referral's partner
    asked_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, nullable=False)
    sent: bool = False  # the DM went (a prompt claimed but refused by Slack is tried again)
    rating: int | None = None
    comment: str | None = Field(default=None, sa_type=EncryptedText)  # seen only by the office's coordinators
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True, index=True)


class Survey(SQLModel, table=True):
    """One coordinator's quarterly partnership survey: three questions, answered once."""

    __tablename__ = "survey"
    __table_args__ = (UniqueConstraint("quarter", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    quarter: str = Field(max_length=8)  # 2026-Q4
    user_id: str = Field(max_length=32)
    partner_id: int | None = Field(default=None, foreign_key="partner.id")  # None: the office's side
    asked_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, nullable=False)
    sent: bool = False
    working: int | None = None  # "How well is the partnership working?" 1 to 5
    responsive: int | None = None  # "How quickly and clearly do we answer each other?" 1 to 5
    change: str | None = Field(default=None, sa_type=EncryptedText)  # "One thing to change", office only
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True, index=True)


class ReportSent(SQLModel, table=True):
    """A monthly report claimed for one person and version (sent once, whatever the restarts and
    instances): a contact of two partners gets both partners' reports."""

    __tablename__ = "report_sent"
    __table_args__ = (UniqueConstraint("month", "user_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    month: str = Field(max_length=7)  # 2026-11, the month reported on
    user_id: str = Field(max_length=32)
    partner_id: int | None = Field(default=None, foreign_key="partner.id")  # None: the office's version
    version: int = 0  # the partner's id, or 0 for the office's: a unique key does not match NULL to NULL
    at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, nullable=False)
    sent: bool = False


class ChartDrawn(SQLModel, table=True):
    """A chart uploaded to Slack on an office day, so the Home tab redraws it at most once a day."""

    __tablename__ = "chart_drawn"

    name: str = Field(primary_key=True, max_length=40)
    day: date = Field(primary_key=True)
    file_id: str = Field(max_length=32)
    alt_text: str = Field(sa_type=Text)


class FeedbackMark(SQLModel, table=True):
    """The last item_event the feedback prompts have read, so each tick reads only what is new."""

    __tablename__ = "feedback_mark"

    name: str = Field(primary_key=True, max_length=16)
    last_event_id: int
