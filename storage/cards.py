"""An item's card in Slack, as the database keeps track of it: claimed before it is posted, attached
after, withdrawn if Slack refuses it, re-claimed if the process stopped in between. Items of every kind
(referrals now; consults and advocacy items later) share this."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol, TypeVar

from sqlalchemy import update
from sqlmodel import Session, SQLModel, col, select

from storage import audit
from storage.audit import Actor
from storage.models import POSTING
from storage.types import utcnow


class CardItem(Protocol):
    id: int | None
    channel_id: str
    card_ts: str | None
    updated_at: datetime

    @property
    def ref(self) -> str: ...

    @property
    def posted(self) -> bool: ...


T = TypeVar("T", bound=SQLModel)


def new_claim() -> str:
    """What card_ts holds while the card is being posted: the poster's claim."""
    return f"{POSTING}{uuid.uuid4().hex[:20]}"


def attach(session: Session, item: CardItem, ts: str) -> None:
    stored = session.get(type(item), item.id)
    assert stored is not None
    stored.card_ts, stored.updated_at = ts, utcnow()
    session.add(stored)
    item.card_ts = ts


def withdraw_unposted(session: Session, actor: Actor, item: CardItem, why: str) -> None:
    """Remove an item whose card Slack refused: nobody could see or act on it (its audit rows stay)."""
    stored = session.get(type(item), item.id)
    if stored is not None and not stored.posted:
        session.delete(stored)
        audit.record(
            session,
            actor,
            "card.unposted",
            subject=item.ref,
            channel_id=item.channel_id,
            reason=f"Slack refused the card: {why}",
        )


def claim_unposted(session: Session, model: type[T], older_than: datetime) -> list[T]:
    """Items of `model` whose card was never posted (the process stopped between storing and posting),
    claimed for this process: each claim is a conditional update, so two instances never post one twice."""
    card_ts, created_at, key = (getattr(model, name) for name in ("card_ts", "created_at", "id"))
    query = select(model).where(col(card_ts).startswith(POSTING), col(created_at) < older_than)
    claimed = []
    for item in session.exec(query).all():
        claim = new_claim()
        taken = session.execute(
            update(model).where(col(key) == item.id, col(card_ts) == item.card_ts).values(card_ts=claim)  # type: ignore[attr-defined]
        )
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            item.card_ts = claim  # type: ignore[attr-defined]
            claimed.append(item)
    return claimed
