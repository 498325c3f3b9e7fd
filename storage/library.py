"""The shared case-resource library: research memos, briefs, motions, experts and templates that the
office and its partners keep so nobody researches the same question twice. An entry (`RS-12`) never holds
client information; who may see it is its audience (the office only, named partners, or every partner
whose agreement covers `resources`). Search is storage/library_search.py; the Slack side is
commands/library/."""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Index, Text, delete, func, or_
from sqlmodel import Field, Session, SQLModel, col, select

from storage import audit, clock, partners
from storage.errors import InvalidInput, NotFound
from storage.library_words import learn_words
from storage.models import Partner, PartnerStatus
from storage.people import Affiliation, Person
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
    kind: str = Field(max_length=16)
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
    partner_id: int = Field(foreign_key="partner.id", primary_key=True)


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


@dataclass
class Draft:
    """An entry as typed, checked field by field: `problems` maps a field to what is wrong with it."""

    kind: str = ""
    title: str = ""
    summary: str = ""
    link: str | None = None
    topics: list[str] = field(default_factory=list)
    jurisdiction: str | None = None
    court_level: str = CourtLevel.any
    audience: str = Audience.agreement
    readers: list[str] = field(default_factory=list)  # partner handles, for Audience.partners
    review_months: int | None = None
    expertise: str | None = None
    contact: str | None = None
    testimony: str | None = None
    problems: dict[str, str] = field(default_factory=dict)

    def texts(self) -> dict[str, str]:
        """Every free-text field, for the identifier guard."""
        fields = ("title", "summary", "jurisdiction", "expertise", "contact", "testimony")
        return {name: str(getattr(self, name)) for name in fields if getattr(self, name)}


def review_months_for(kind: str, months: int | None) -> int:
    return months or REVIEW_MONTHS.get(ResourceKind(kind), DEFAULT_REVIEW_MONTHS)


def review_due(verified: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has fewer days)."""
    years, month = divmod(verified.month - 1 + months, 12)
    year = verified.year + years
    return verified.replace(
        year=year, month=month + 1, day=min(verified.day, calendar.monthrange(year, month + 1)[1])
    )


def draft(values: dict[str, str | None], topics: Sequence[str]) -> Draft:
    """Read an entry's fields (from a form, a command or an imported row), noting every problem."""
    found = Draft()
    problems = found.problems

    def text(name: str, *, required: bool = False) -> str | None:
        value = (values.get(name) or "").strip()
        if not value:
            if required:
                problems[name] = f"An entry needs its {name}."
            return None
        if len(value) > LIMITS[name]:
            problems[name] = f"The {name} is {len(value)} characters; keep it to {LIMITS[name]}."
        return value

    kind = (values.get("kind") or "").strip().lower()
    if kind not in ResourceKind.__members__.values():
        choices = ", ".join(k.value for k in ResourceKind)
        problems["kind"] = (
            f"`{kind}` is not a kind of entry; use one of {choices}."
            if kind
            else (f"Choose the kind of entry: {choices}.")
        )
    found.kind = kind
    found.title = text("title", required=True) or ""
    found.summary = text("summary", required=True) or ""
    found.jurisdiction = text("jurisdiction")
    found.expertise = text("expertise", required=kind == ResourceKind.expert)
    found.contact = text("contact")
    found.testimony = text("testimony")
    found.link = _link(values.get("link"), problems, required=kind not in ("", ResourceKind.expert))
    found.topics = _topics(values.get("topics"), topics, problems)
    level = (values.get("court_level") or CourtLevel.any).strip().lower()
    if level not in CourtLevel.__members__.values():
        problems["court_level"] = f"`{level}` is not a court level; use one of {', '.join(CourtLevel)}."
    found.court_level = level
    audience = (values.get("audience") or Audience.agreement).strip().lower()
    if audience not in Audience.__members__.values():
        problems["audience"] = f"`{audience}` is not an audience; use one of {', '.join(Audience)}."
    found.audience = audience
    found.readers = [
        h.strip().lower() for h in re.split(r"[,\s]+", values.get("partners") or "") if h.strip()
    ]
    if audience == Audience.partners and not found.readers:
        problems["partners"] = "Name the partners who may see it (their handles, comma-separated)."
    found.review_months = _months(values.get("review_months"), problems)
    return found


def _link(value: str | None, problems: dict[str, str], *, required: bool) -> str | None:
    link = (value or "").strip().strip("<>")
    if not link:
        if required:
            problems["link"] = "An entry needs a link: an https address, or a Slack file's link."
        return None
    parts = urlsplit(link)
    if (
        parts.scheme.lower() != "https"
        or not parts.netloc
        or any(c.isspace() for c in link)
        or len(link) > 2000
    ):
        problems["link"] = (
            f"`{link[:80]}` is not an https link; paste the document's https address (a Slack file's "
            "link starts with https:// too)."
        )
        return None
    return link


def _topics(value: str | None, known: Sequence[str], problems: dict[str, str]) -> list[str]:
    typed = [t.strip().lower() for t in re.split(r"[,;]+", value or "") if t.strip()]
    unknown = [t for t in typed if t not in known]
    if unknown:
        problems["topics"] = (
            f"Not topics Liaison knows: {', '.join(f'`{t}`' for t in unknown)}. "
            f"Use some of: {', '.join(known)}."
        )
    return list(dict.fromkeys(t for t in typed if t in known))


def _months(value: str | None, problems: dict[str, str]) -> int | None:
    typed = (value or "").strip().lower().removesuffix("months").removesuffix("month").strip()
    if not typed:
        return None
    if not typed.isdigit() or int(typed) not in REVIEW_RANGE:
        problems["review_months"] = (
            f"`{value}` is not a review interval; give a number of months from {REVIEW_RANGE.start} to "
            f"{REVIEW_RANGE.stop - 1}."
        )
        return None
    return int(typed)


def readers_of(session: Session, handles: Sequence[str]) -> list[Partner]:
    """The named partners (NotFound, suggesting the closest handle, for one Liaison does not know)."""
    return [partners.get(session, h) for h in dict.fromkeys(handles)]


def add(session: Session, person: Person, entry: Draft, today: date, *, suggested: bool = False) -> Resource:
    """Store a checked draft (its problems empty, its text screened by the caller)."""
    if entry.problems:
        raise InvalidInput(" ".join(entry.problems.values()))
    readers = readers_of(session, entry.readers) if entry.audience == Audience.partners else []
    months = review_months_for(entry.kind, entry.review_months)
    row = Resource(
        kind=entry.kind,
        title=entry.title,
        summary=entry.summary,
        link=entry.link,
        topics=entry.topics,
        jurisdiction=entry.jurisdiction,
        court_level=entry.court_level,
        author_id=person.user_id,
        author_org=person.partner.handle if person.partner else OFFICE,
        owner_id=person.user_id,
        audience=Audience.office if suggested else entry.audience,
        last_verified=today,
        review_months=months,
        review_due=review_due(today, months),
        status=ResourceStatus.suggested if suggested else ResourceStatus.current,
        expertise=entry.expertise,
        contact=entry.contact,
        testimony=entry.testimony,
    )
    session.add(row)
    session.flush()
    _set_readers(session, row, readers)
    learn_words(session, searched_text(row))
    audit.record(session, person.actor, "resource.suggest" if suggested else "resource.add", subject=row.ref)
    return row


def edit(session: Session, person: Person, row: Resource, entry: Draft) -> Resource:
    if entry.problems:
        raise InvalidInput(" ".join(entry.problems.values()))
    readers = readers_of(session, entry.readers) if entry.audience == Audience.partners else []
    for name in ("kind", "title", "summary", "link", "topics", "jurisdiction", "court_level", "audience"):
        setattr(row, name, getattr(entry, name))
    for name in ("expertise", "contact", "testimony"):
        setattr(row, name, getattr(entry, name))
    row.review_months = review_months_for(entry.kind, entry.review_months)
    row.review_due = review_due(row.last_verified, row.review_months)
    row.updated_at = clock.now()
    session.add(row)
    _set_readers(session, row, readers)
    learn_words(session, searched_text(row))
    audit.record(session, person.actor, "resource.edit", subject=row.ref)
    return row


def searched_text(row: Resource) -> list[str | None]:
    """What search reads of an entry (the same columns as its full-text index, migration 0014)."""
    return [row.title, row.summary, " ".join(row.topics), row.jurisdiction, row.expertise]


def _set_readers(session: Session, row: Resource, readers: Sequence[Partner]) -> None:
    assert row.id is not None
    session.execute(delete(ResourceReader).where(col(ResourceReader.resource_id) == row.id))
    for partner in readers:
        session.add(ResourceReader(resource_id=row.id, partner_id=partners.id_of(partner)))


def load(session: Session, ref: str) -> Resource | None:
    match = re.fullmatch(r"\s*RS-?(\d{1,9})\s*", ref, re.IGNORECASE)
    return session.get(Resource, int(match[1])) if match else None


def reader_ids(session: Session, row: Resource) -> set[int]:
    query = select(ResourceReader.partner_id).where(ResourceReader.resource_id == row.id)
    return set(session.exec(query).all())


def covered(partner: Partner, today: date) -> bool:
    """Whether the partner's agreement covers the library today."""
    return (
        partner.status == PartnerStatus.active
        and SCOPE in partner.scope
        and (partner.mou_starts is None or partner.mou_starts <= today)
        and (partner.mou_expires is None or today <= partner.mou_expires)
    )


def partner_may_see(session: Session, row: Resource, partner: Partner, today: date) -> bool:
    """Whether a partner's people may see the entry (any status but a suggestion or a declined one)."""
    if row.audience == Audience.agreement:
        return covered(partner, today)
    if row.audience == Audience.partners:
        return partner.id in reader_ids(session, row)
    return False


def may_see(session: Session, person: Person, row: Resource, today: date) -> bool:
    """Whether the person may know the entry exists: the office sees every entry; a partner's staff
    see what their organization may, and their own suggestions."""
    if person.affiliation == Affiliation.home:
        return True
    if person.partner is None:
        return False
    if row.status in (ResourceStatus.suggested, ResourceStatus.declined):
        return row.author_id == person.user_id
    return partner_may_see(session, row, person.partner, today)


def seen(session: Session, person: Person, ref: str, today: date) -> Resource:
    """The entry, or NotFound in the same words whether it does not exist or may not be seen."""
    row = load(session, ref)
    if row is None or not may_see(session, person, row, today):
        raise NotFound(f"There is no library entry `{ref}` that you can see.")
    return row


def org_of(person: Person) -> str:
    return person.partner.handle if person.partner else OFFICE


def record_uses(session: Session, person: Person, rows: Sequence[Resource], use: UseKind) -> None:
    org = org_of(person)
    for row in rows:
        assert row.id is not None
        session.add(ResourceUse(resource_id=row.id, use=use, org=org))


def use_counts(session: Session) -> dict[tuple[int, str, str], int]:
    """(entry ID, use, organization) -> how many times, for the partnership report."""
    query = select(ResourceUse.resource_id, ResourceUse.use, ResourceUse.org, func.count()).group_by(
        col(ResourceUse.resource_id), col(ResourceUse.use), col(ResourceUse.org)
    )
    return {(rid, use, org): n for rid, use, org, n in session.exec(query).all()}


def verify(session: Session, person: Person, row: Resource, today: date) -> Resource:
    row.last_verified = today
    row.review_due = review_due(today, row.review_months)
    row.status = ResourceStatus.current
    row.updated_at = clock.now()
    session.add(row)
    audit.record(
        session, person.actor, "resource.verify", subject=row.ref, reason=f"next review {row.review_due}"
    )
    return row


def close(session: Session, person: Person, row: Resource, status: ResourceStatus, note: str) -> Resource:
    """Withdraw an entry, or decline a suggestion, with the reason people are told."""
    row.status, row.note, row.updated_at = status, note, clock.now()
    session.add(row)
    audit.record(session, person.actor, f"resource.{status}", subject=row.ref)
    return row


def approve(session: Session, person: Person, row: Resource, today: date) -> Resource:
    row.status, row.audience, row.owner_id = ResourceStatus.current, Audience.agreement, person.user_id
    row.last_verified, row.review_due = today, review_due(today, row.review_months)
    row.updated_at = clock.now()
    session.add(row)
    audit.record(session, person.actor, "resource.approve", subject=row.ref)
    return row


def listed(
    session: Session, which: str, person: Person, today: date, limit: int = 20
) -> tuple[list[Resource], int]:
    """`mine` (the person's own), `stale` (past their review date), `new` (newest first), `suggested`
    (waiting for curators): the first `limit` and how many in all. The caller filters what a partner sees."""
    model = Resource
    query = select(model)
    order: Any
    if which == "mine":
        query = query.where(model.owner_id == person.user_id, col(model.status).in_(list(SEEN)))
        order = col(model.review_due)
    elif which == "stale":
        past = or_(model.status == ResourceStatus.needs_review, col(model.review_due) <= today)
        query = query.where(col(model.status).in_(list(SEEN)), past)
        order = col(model.review_due)
    elif which == "suggested":
        query = query.where(model.status == ResourceStatus.suggested)
        order = col(model.created_at)
    else:
        query = query.where(col(model.status).in_(list(SEEN)))
        order = col(model.id).desc()
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    return list(session.exec(query.order_by(order).limit(limit)).all()), int(total)


def due_for_review(session: Session, today: date, limit: int = 500) -> list[Resource]:
    """Entries whose review date has come (an indexed query on status and review date)."""
    query = (
        select(Resource)
        .where(col(Resource.status).in_(list(SEEN)), col(Resource.review_due) <= today)
        .order_by(col(Resource.review_due))
        .limit(limit)
    )
    return list(session.exec(query).all())


def mark_stale(session: Session, row: Resource) -> None:
    if row.status == ResourceStatus.current:
        row.status = ResourceStatus.needs_review
        session.add(row)


def label(row: Resource) -> str:
    """An entry as a line: `RS-12` memo · title."""
    return f"*{row.ref}* {row.kind} · {row.title}"


def known_partner_handles(session: Session) -> list[str]:
    return [p.handle for p in partners.everyone(session)]


def age(row: Resource, today: date) -> str:
    days = (today - row.created_at.date()).days
    if days < 1:
        return "added today"
    if days < 60:
        return f"added {days} day{'s' * (days != 1)} ago"
    return f"added {days // 30} months ago"


__all__ = ["Draft", "Resource", "ResourceReader", "ResourceUse", "draft"]
