"""Consults: a question to a partner about a case, answered in its card's thread. What only a consult has
(its question, who at the partner took it) and its kind (`KIND`): a reply from the addressed partner's
staff answers it. Its state machine is storage/consult_states.py."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlmodel import Session, col

from storage import audit, clock, items, moves, opening
from storage.consult_states import CONSULT
from storage.errors import Conflict
from storage.identifiers import Detector
from storage.item_tables import Consult, ConsultStatus, ItemBase
from storage.kinds import DigestList, Exported, ItemKind, Kinds, at
from storage.opening import Opening
from storage.people import Person
from storage.permissions import Place
from storage.states import Side
from storage.updates import update_if


def _taken_by(person: Person) -> Sequence[Any]:
    return (col(Consult.taken_by) == person.user_id,)


def _taker_or_contacts(session: Session, item: ItemBase) -> list[str]:
    """Whom a consult's reminder names: whoever at the partner took it, else the partner's contacts."""
    taker = item.taker()
    return [taker] if taker else list(items.addressee(session, item).contacts)


KIND = ItemKind(
    name="consult",
    prefix="C",
    model=Consult,
    statuses=ConsultStatus,
    machine=CONSULT,
    text_column="question",
    text_name="question",
    noun="consult",
    plural="consults",
    involving=_taken_by,
    must_act=_taker_or_contacts,
    answered=ConsultStatus.answered,
    purged=("question",),
    digest=(DigestList("unanswered_consults", lambda item, _at: item.status == ConsultStatus.open),),
    exported=(
        Exported("partner", lambda c, handles: handles[c.addressee_id() or 0]),
        Exported("taken_by", lambda c, _h: c.taker() or ""),
        Exported("first_answer_at", lambda c, _h: at(c.first_response())),
    ),
)


def open_consult(
    session: Session, person: Person, new: Opening, place: Place, today: date, detector: Detector
) -> Consult:
    """Check and store a consult; the caller posts its card (storage/cards.py)."""
    consult = opening.open_item(
        session,
        person,
        KIND,
        new,
        place,
        today,
        detector=detector,
        summary="a question",
        question=new.text,
    )
    assert isinstance(consult, Consult)
    return consult


def take(session: Session, kinds: Kinds, person: Person, ref: str) -> tuple[Consult, str | None]:
    """ "I'm on it": the partner's staff member who will answer. Returns the consult and who had it before."""
    consult = moves.acting_on(session, kinds, person, ref, KIND)
    assert isinstance(consult, Consult)
    moves.require_side(session, person, consult, frozenset({Side.partner}), "take", f"take {consult.ref}")
    if not items.is_open(consult):
        raise Conflict(f"{consult.ref} is {consult.status}: nobody needs to take it now.")
    before = consult.taken_by
    if before == person.user_id:
        raise Conflict(f"You have already taken {consult.ref}.")
    # Conditional on who had it when read: of two clicks at once (or a double click) one takes it.
    still = col(Consult.taken_by).is_(None) if before is None else col(Consult.taken_by) == before
    if not update_if(session, Consult, consult.id, still, taken_by=person.user_id, taken_at=clock.now()):
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
