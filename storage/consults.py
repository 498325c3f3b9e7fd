"""Consults: what only a consult has (its question, and who at the partner took it). Everything else is
shared with the other item kinds: storage/items.py."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update
from sqlmodel import Session, col

from storage import audit, items
from storage.errors import Conflict
from storage.identifiers import Detector
from storage.items import Opening
from storage.models import Consult
from storage.people import Person
from storage.permissions import Place
from storage.states import Side
from storage.types import utcnow


def open_consult(
    session: Session, person: Person, new: Opening, place: Place, today: date, detector: Detector
) -> Consult:
    """Check and store a consult; the caller posts its card (storage/cards.py)."""
    consult = items.open_item(
        session,
        person,
        items.CONSULTS,
        new,
        place,
        today,
        detector=detector,
        summary="a question",
        question=new.text,
    )
    assert isinstance(consult, Consult)
    return consult


def take(session: Session, person: Person, ref: str) -> tuple[Consult, str | None]:
    """ "I'm on it": the partner's staff member who will answer. Returns the consult and who had it before."""
    consult = items.acting_on(session, person, ref, items.CONSULTS)
    assert isinstance(consult, Consult)
    items.require_side(session, person, consult, frozenset({Side.partner}), "take", f"take {consult.ref}")
    if not items.is_open(consult):
        raise Conflict(f"{consult.ref} is {consult.status}: nobody needs to take it now.")
    before = consult.taken_by
    if before == person.user_id:
        raise Conflict(f"You have already taken {consult.ref}.")
    # Conditional on who had it when read: of two clicks at once (or a double click) one takes it.
    taken = session.execute(
        update(Consult)
        .where(col(Consult.id) == consult.id)
        .where(col(Consult.taken_by).is_(None) if before is None else col(Consult.taken_by) == before)
        .values(taken_by=person.user_id, taken_at=utcnow())
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise Conflict(f"Someone took {consult.ref} just before you; its card shows who.")
    session.refresh(consult)
    audit.record(
        session,
        person.actor,
        "consult.take",
        subject=consult.ref,
        channel_id=consult.channel_id,
        reason=f"from {before}" if before else None,
    )
    return consult, before
