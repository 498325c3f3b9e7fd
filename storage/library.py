"""The shared case-resource library: research memos, briefs, motions, experts and templates that the
office and its partners keep so nobody researches the same question twice. An entry (`RS-12`) never holds
client information; who may see it is its audience (the office only, named partners, or every partner
whose agreement covers `resources`). Its tables are storage/library_tables.py, reading what was typed
storage/library_drafts.py, search storage/library_search.py; the Slack side is commands/library/."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, func, or_
from sqlmodel import Session, col, select

from storage import audit, clock, partners
from storage.errors import InvalidInput, NotFound
from storage.library_drafts import Draft, draft, review_due, review_months_for
from storage.library_tables import (
    DEFAULT_REVIEW_MONTHS,
    DEFAULT_TOPICS,
    KIND_NAMES,
    LIMITS,
    OFFICE,
    PREFIX,
    REVIEW_MONTHS,
    REVIEW_RANGE,
    SCOPE,
    SEEN,
    Audience,
    CourtLevel,
    Resource,
    ResourceKind,
    ResourceReader,
    ResourceStatus,
    ResourceUse,
    UseKind,
)
from storage.library_words import learn_words
from storage.models import Partner
from storage.people import Affiliation, Person

__all__ = [  # what the rest of Liaison takes from here, whichever module defines it
    "DEFAULT_REVIEW_MONTHS",
    "DEFAULT_TOPICS",
    "KIND_NAMES",
    "LIMITS",
    "OFFICE",
    "PREFIX",
    "REVIEW_MONTHS",
    "REVIEW_RANGE",
    "SCOPE",
    "SEEN",
    "Audience",
    "CourtLevel",
    "Draft",
    "Resource",
    "ResourceKind",
    "ResourceReader",
    "ResourceStatus",
    "ResourceUse",
    "UseKind",
    "draft",
    "review_due",
    "review_months_for",
]


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
    return partners.covers(partner, SCOPE, today)


def partner_may_see(session: Session, row: Resource, partner: Partner, today: date) -> bool:
    """Whether a partner's people may see the entry (any status but a suggestion or a declined one)."""
    return partners.admits(row.audience, partner, SCOPE, lambda: reader_ids(session, row), today)


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
        past = or_(col(model.status) == ResourceStatus.needs_review, col(model.review_due) <= today)
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
    """Entries whose review date has come and whose owner has not been reminded of it yet (an indexed
    query on status and review date; a reminded entry leaves the list, so the 501st is reached too)."""
    query = (
        select(Resource)
        .where(
            col(Resource.status).in_(list(SEEN)),
            col(Resource.review_due) <= today,
            or_(col(Resource.reminded_for).is_(None), col(Resource.reminded_for) < col(Resource.review_due)),
        )
        .order_by(col(Resource.review_due))
        .limit(limit)
    )
    return list(session.exec(query).all())


def reminded(session: Session, ref: str, day: date) -> None:
    row = load(session, ref)
    if row is not None:
        row.reminded_for = day
        session.add(row)


def is_due(row: Resource, today: date) -> bool:
    """Due for review: marked so by the scheduler, or past its review date already."""
    return row.status == ResourceStatus.needs_review or row.review_due <= today


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
