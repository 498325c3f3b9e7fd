"""Finding items and knowing of them, whatever their kind: by ID (R-12, C-7) for who may know of it, the
items a person may see or is on, counts for the Home tab, an item's partner, and what sends about it may
disclose (its permit). Creating items is storage/opening.py; moving them, storage/moves.py."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import case, func, or_
from sqlmodel import Session, col, select

from storage import disclosure
from storage.errors import NotFound
from storage.identifiers import case_key
from storage.item_tables import ItemBase
from storage.kinds import AnyKind, ItemKind, Kinds, T
from storage.models import Partner
from storage.people import Affiliation, Person

Item = ItemBase


def kind_of(item: ItemBase) -> AnyKind:
    """An item's kind, as its table was registered by the kind's module (storage/kinds.py)."""
    return type(item).item_kind


def load(session: Session, kinds: Kinds, ref: str, kind: AnyKind | None = None) -> ItemBase | None:
    """The item `ref` names (R-12, c-7; a bare 12 when the kind is known), whoever asks."""
    ref = ref.strip()
    if kind is not None and ref.isascii() and ref.isdigit() and len(ref) <= 9:
        return session.get(kind.model, int(ref))
    named = kinds.by_ref(ref)
    if named is None:
        return None
    found, number = named
    return session.get(found.model, number) if kind is None or found is kind else None


def get(session: Session, kinds: Kinds, person: Person, ref: str, kind: ItemKind[T]) -> T:
    """The `kind` item `ref` if the person may know of it; else NotFound, the same either way."""
    ref = ref.strip().rstrip(".,;:!?")  # "C-7," as typed in a sentence
    item = load(session, kinds, ref, kind)
    if item is None or not may_know(person, item):
        raise NotFound(
            f"There is no {kind.noun} `{ref}` that you can see. `{kind.command} list` shows yours."
        )
    return cast(T, item)  # load() found it in the kind's own table


def may_know(person: Person, item: ItemBase) -> bool:
    """Home staff know of every item; partner staff of what is addressed to their organization and of
    what they own."""
    if person.affiliation == Affiliation.home:
        return True
    if person.affiliation != Affiliation.partner or person.partner is None:
        return False
    return person.partner.id == item.addressee_id() or person.user_id in item.owner_ids()


def visible_to(
    session: Session, person: Person, kind: ItemKind[T], *, open_only: bool = False
) -> Sequence[T]:
    """The items of `kind` the person may know of (only the open ones: an indexed query on status), soonest
    due first."""
    model = kind.model
    query = select(model).order_by(col(model.due_at))
    if open_only:
        query = query.where(col(model.status).in_(kind.open_statuses))
    if person.affiliation == Affiliation.unknown:
        return []
    if person.affiliation == Affiliation.partner and person.partner is not None and kind.addressed:
        query = query.where(partner_column(kind) == person.partner.id)
    return [item for item in session.exec(query).all() if may_know(person, item)]


def partner_column(kind: AnyKind) -> Any:
    """The partner column of an addressed kind's table (storage/item_tables.AddressedItem)."""
    return col(getattr(kind.model, "partner_id"))  # noqa: B009 (the model is a variable)


def involving(session: Session, person: Person, kind: ItemKind[T], limit: int) -> list[T]:
    """The first `limit` open items of `kind` the office's own staff member asked for, took or owns,
    soonest due first: filtered and cut by the database, never loaded whole."""
    query = select(kind.model).where(*_involving(person, kind)).order_by(col(kind.model.due_at)).limit(limit)
    return list(session.exec(query).all())


def involving_count(session: Session, person: Person, kind: AnyKind, now: datetime) -> tuple[int, int]:
    """How many such items there are, and how many of them are overdue."""
    row = session.exec(select(*_tally(kind, now)).where(*_involving(person, kind))).one()
    return int(row[0]), int(row[1] or 0)


def _involving(person: Person, kind: AnyKind) -> tuple[Any, ...]:
    theirs = or_(col(kind.model.requester_id) == person.user_id, *kind.involving(person))
    return col(kind.model.status).in_(kind.open_statuses), theirs


def _tally(kind: AnyKind, now: datetime) -> tuple[Any, Any]:
    """count(*) and the number overdue, as columns."""
    return func.count(), func.sum(case((col(kind.model.due_at) < now, 1), else_=0))


def open_counts(session: Session, kinds: Kinds, now: datetime) -> dict[int | str, tuple[int, int]]:
    """Open and overdue items per partner (by its ID), and of each kind with owners instead of a partner
    (by the kind's name), counted by the database."""
    counts: dict[int | str, tuple[int, int]] = {}
    for kind in kinds:
        is_open = col(kind.model.status).in_(kind.open_statuses)
        tally = _tally(kind, now)
        if kind.addressed:
            partner = partner_column(kind)
            rows = session.exec(select(partner, *tally).where(is_open).group_by(partner)).all()
        else:
            rows = [(kind.name, *session.exec(select(*tally).where(is_open)).one())]
        for partner_id, n, late in rows:
            if n:
                before = counts.get(partner_id, (0, 0))
                counts[partner_id] = (before[0] + int(n), before[1] + int(late or 0))
    return counts


def partner_of(session: Session, item: ItemBase) -> Partner | None:
    """The partner an item is addressed to; None for one with owners instead."""
    partner_id = item.addressee_id()
    if partner_id is None:
        return None
    partner = session.get(Partner, partner_id)
    assert partner is not None  # a foreign key
    return partner


def addressee(session: Session, item: ItemBase) -> Partner:
    partner = partner_of(session, item)
    assert partner is not None
    return partner


def is_open(item: ItemBase) -> bool:
    return kind_of(item).is_open(item)


def is_overdue(item: ItemBase, now: datetime) -> bool:
    return is_open(item) and item.due_at < now


def posted_in(session: Session, kinds: Kinds, channel_id: str) -> list[ItemBase]:
    """The posted items in a channel that carry a case (whose cards a consent may have let show
    identifying details)."""
    found: list[ItemBase] = []
    for kind in kinds.addressed:
        model = kind.model
        query = select(model).where(col(model.channel_id) == channel_id, col(model.card_ts).is_not(None))
        found += [i for i in session.exec(query).all() if i.posted and i.case()]
    return found


def posted_about(session: Session, kinds: Kinds, case_number: str, partner: Partner) -> list[ItemBase]:
    """The posted items sent to `partner` about a case, however its number was typed."""
    key = case_key(case_number)
    found: list[ItemBase] = []
    for kind in kinds.addressed:
        query = select(kind.model).where(
            partner_column(kind) == partner.id, col(kind.model.card_ts).is_not(None)
        )
        found += [i for i in session.exec(query).all() if (c := i.case()) and case_key(c) == key]
    return [i for i in found if i.posted]


def permit(session: Session, item: ItemBase, today: date) -> disclosure.Permit:
    """What sends about the item may carry today (storage/disclosure.py)."""
    return disclosure.permit(session, item.ref, partner_of(session, item), item.case(), today)
