"""The library's tables and words: what an entry is (storage/library.py keeps them)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from storage import clock
from storage.types import UTCDateTime, list_column

SCOPE = "resources"  # what an agreement's scope says when the partner takes part in the library
PREFIX = "RS"
OFFICE = "office"  # author_org of the office's own entries


class ResourceKind(StrEnum):
    memo = "memo"
    brief = "brief"
    motion = "motion"
    expert = "expert"
    template = "template"
    training = "training"  # training material
    data = "data"
    other = "other"


KIND_NAMES = {ResourceKind.training.value: "training material"}  # how a kind is written where it differs


class ResourceStatus(StrEnum):
    suggested = "suggested"  # a partner's suggestion, waiting for the office's curators
    current = "current"
    needs_review = "needs-review"  # past its review date
    withdrawn = "withdrawn"
    declined = "declined"  # a suggestion the curators declined


class Audience(StrEnum):
    office = "office"  # the office's own staff only
    partners = "partners"  # the office and the named partners
    agreement = "agreement"  # the office and every partner whose agreement covers resources


class CourtLevel(StrEnum):
    any = "any"
    trial = "trial"
    appellate = "appellate"
    supreme = "supreme"
    federal = "federal"


SEEN = (ResourceStatus.current, ResourceStatus.needs_review)  # what searches and lists show
REVIEW_MONTHS = {ResourceKind.brief: 6, ResourceKind.motion: 6}  # caselaw in these goes stale first
DEFAULT_REVIEW_MONTHS = 12
REVIEW_RANGE = range(1, 37)  # months
DEFAULT_TOPICS = (
    "appeals",
    "bail",
    "civil-rights",
    "discovery",
    "ethics",
    "expungement",
    "family",
    "forensics",
    "housing",
    "immigration",
    "juvenile",
    "mental-health",
    "public-benefits",
    "reentry",
    "search-and-seizure",
    "sentencing",
    "substance-use",
    "trial",
)
LIMITS = {
    "title": 200,
    "summary": 2000,
    "jurisdiction": 80,
    "expertise": 300,
    "contact": 300,
    "testimony": 2000,
}


class Resource(SQLModel, table=True):
    """One library entry. `review_due` is when it should be checked again (caselaw goes stale unnoticed)."""

    __tablename__ = "resource"
    __table_args__ = (Index("ix_resource_status_review_due", "status", "review_due"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16, index=True)  # `kind:brief` narrows a search through it
    title: str = Field(sa_type=Text)
    summary: str = Field(sa_type=Text)
    link: str | None = Field(default=None, max_length=2000)
    topics: list[str] = Field(default_factory=list, sa_column=list_column())
    jurisdiction: str | None = Field(default=None, max_length=80)
    court_level: str = Field(default=CourtLevel.any, max_length=16)
    author_id: str = Field(max_length=32, index=True)
    author_org: str = Field(max_length=64)  # OFFICE or the suggesting partner's handle
    owner_id: str = Field(max_length=32, index=True)  # who looks after it: its author, or who approved it
    audience: str = Field(default=Audience.agreement, max_length=16)
    last_verified: date
    review_months: int
    review_due: date
    reminded_for: date | None = None  # the review date its owner was last reminded of (once per date)
    status: str = Field(default=ResourceStatus.current, max_length=16)
    expertise: str | None = Field(default=None, sa_type=Text)  # experts: area of expertise
    contact: str | None = Field(default=None, sa_type=Text)  # experts: how to reach them
    testimony: str | None = Field(default=None, sa_type=Text)  # experts: notes on past testimony
    note: str | None = Field(default=None, sa_type=Text)  # why it was withdrawn or declined
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, nullable=False)

    @property
    def ref(self) -> str:
        return f"{PREFIX}-{self.id}"


class ResourceReader(SQLModel, table=True):
    """A partner named in an entry's audience (Audience.partners)."""

    __tablename__ = "resource_reader"

    resource_id: int = Field(foreign_key="resource.id", primary_key=True)
    partner_id: int = Field(foreign_key="partner.id", primary_key=True, index=True)  # a partner's view


class UseKind(StrEnum):
    search = "search"  # shown in someone's search results
    open = "open"
    share = "share"


class ResourceUse(SQLModel, table=True):
    """One use of an entry, for the partnership's report: who (by organization) found, opened or shared it."""

    __tablename__ = "resource_use"

    id: int | None = Field(default=None, primary_key=True)
    resource_id: int = Field(foreign_key="resource.id", index=True)
    use: str = Field(max_length=16)
    org: str = Field(max_length=64)  # OFFICE or a partner's handle
    at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, nullable=False)
