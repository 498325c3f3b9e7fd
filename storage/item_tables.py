"""The items' tables: what every kind has (ItemBase), what a kind addressed to one partner about a
client's matter has (AddressedItem), and each kind's own table. What generic code needs to know of an item
it asks of these methods or of the item's kind (storage/kinds.py), never of its class."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import Index, String, Text
from sqlmodel import Field, SQLModel

from storage import clock
from storage.types import EncryptedText, UTCDateTime, list_column

if TYPE_CHECKING:
    from storage.kinds import AnyKind


class ReferralStatus(StrEnum):
    requested = "requested"
    accepted = "accepted"
    rejected = "rejected"
    cancelled = "cancelled"
    in_progress = "in-progress"
    on_hold = "on-hold"
    completed = "completed"
    failed = "failed"
    entered_in_error = "entered-in-error"


class ConsultStatus(StrEnum):
    open = "open"
    answered = "answered"
    resolved = "resolved"
    withdrawn = "withdrawn"


class AdvocacyStatus(StrEnum):
    open = "open"
    done = "done"
    dropped = "dropped"


class Priority(StrEnum):
    routine = "routine"
    urgent = "urgent"


POSTING = "posting:"
SOURCE_PERMALINK_LIMIT = 500  # card_ts prefix while a card is being posted: the claim of whoever posts it


class ItemBase(SQLModel):
    """The columns every item kind has (each kind is its own table). Its card is one message in the channel
    (`card_ts`); people answer in that message's thread."""

    prefix: ClassVar[str]  # R in R-12
    item_kind: ClassVar[AnyKind]  # set by the kind's own module when it defines its kind (storage/kinds.py)

    id: int | None = Field(default=None, primary_key=True)
    due_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    requester_id: str = Field(max_length=32, index=True)  # who created it
    channel_id: str = Field(max_length=32)
    card_ts: str | None = Field(default=None, max_length=32)
    # The Slack message it was made from with a message shortcut (commands/items/shortcuts.py): a link,
    # never the message's words.
    source_permalink: str | None = Field(default=None, max_length=SOURCE_PERMALINK_LIMIT)
    status: str = Field(max_length=24)  # each kind's own statuses (its table narrows the type)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, nullable=False)

    @property
    def ref(self) -> str:
        return f"{self.prefix}-{self.id}"

    @property
    def posted(self) -> bool:
        """False while the card is still being posted (card_ts holds the poster's claim, `posting:...`)."""
        return self.card_ts is not None and not self.card_ts.startswith(POSTING)

    # What generic code asks of any item; a kind whose items have it says so by overriding.

    def addressee_id(self) -> int | None:
        """The partner the item is addressed to (None: it has owners instead, in any organization)."""
        return None

    def case(self) -> str | None:
        """The office's internal case number it is about (never posted)."""
        return None

    def owner_ids(self) -> list[str]:
        """The people it belongs to whatever their organization (an action item's owners)."""
        return []

    def taker(self) -> str | None:
        """Who at the partner said they are on it."""
        return None

    def first_response(self) -> datetime | None:
        return None


class AddressedItem(ItemBase):
    """An item about a client's matter, addressed to one partner: a referral or a consult."""

    partner_id: int = Field(foreign_key="partner.id", index=True)
    case_number: str | None = Field(default=None, max_length=64)  # internal: home staff only, never posted
    first_response_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)

    def addressee_id(self) -> int | None:
        return self.partner_id

    def case(self) -> str | None:
        return self.case_number

    def first_response(self) -> datetime | None:
        return self.first_response_at


class Referral(AddressedItem, table=True):
    """A client's need referred to a partner."""

    __tablename__ = "referral"
    __table_args__ = (Index("ix_referral_status_due_at", "status", "due_at"),)
    prefix: ClassVar[str] = "R"

    need: str = Field(max_length=40)
    details: str = Field(sa_type=EncryptedText)  # what the partner should know; never the case number
    priority: Priority = Field(default=Priority.routine, sa_type=String(16))
    status: ReferralStatus = Field(default=ReferralStatus.requested, sa_type=String(24))
    do_not_contact: bool = False  # the partner must not contact the client directly
    part2: bool = False  # derived from substance-use treatment records: 42 CFR Part 2 applies


class Consult(AddressedItem, table=True):
    """A question to a partner about a case, with a deadline; answered in its card's thread."""

    __tablename__ = "consult"
    __table_args__ = (Index("ix_consult_status_due_at", "status", "due_at"),)
    prefix: ClassVar[str] = "C"

    question: str = Field(sa_type=EncryptedText)  # never the internal case number
    status: ConsultStatus = Field(default=ConsultStatus.open, sa_type=String(24))
    taken_by: str | None = Field(default=None, max_length=32)  # partner staff who said "I'm on it"
    taken_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)

    def taker(self) -> str | None:
        return self.taken_by


class Advocacy(ItemBase, table=True):
    """A policy-advocacy action item: a task with owners in any organization, never client data."""

    __tablename__ = "advocacy"
    __table_args__ = (Index("ix_advocacy_status_due_at", "status", "due_at"),)
    prefix: ClassVar[str] = "A"

    title: str = Field(sa_type=Text)
    campaign: str | None = Field(default=None, max_length=40, index=True)
    owners: list[str] = Field(default_factory=list, sa_column=list_column())  # Slack user IDs, any team
    status: AdvocacyStatus = Field(default=AdvocacyStatus.open, sa_type=String(24))
    result: str | None = Field(default=None, sa_type=Text)  # what came of it: a link to the filed comment

    def owner_ids(self) -> list[str]:
        return list(self.owners)
