"""An item's card in Slack, as the database keeps track of it. Before posting, `card_ts` holds the
poster's claim (`posting:<unix time>:<token>`); after, the message ts. A claim older than a live post
could take was abandoned (the process stopped in between) and may be re-claimed, atomically, so two
instances never post the same card; only the claim's holder may attach its ts. Shared by every item kind."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar, cast

from sqlalchemy import Update, bindparam, update
from sqlalchemy.engine import Connection, CursorResult
from sqlmodel import Session, col, select

from storage import clock
from storage.item_tables import POSTING, ItemBase
from storage.updates import table_of, update_if

T = TypeVar("T", bound=ItemBase)


def new_claim(now: datetime | None = None) -> str:
    return f"{POSTING}{int((now or clock.now()).timestamp())}:{uuid.uuid4().hex[:8]}"


def claimed_at(card_ts: str | None) -> datetime | None:
    if not card_ts or not card_ts.startswith(POSTING):
        return None
    seconds = card_ts.removeprefix(POSTING).split(":", 1)[0]
    return datetime.fromtimestamp(int(seconds), UTC) if seconds.isascii() and seconds.isdigit() else None


def attach(conn: Connection, item: ItemBase, ts: str) -> bool:
    """Record the posted card's ts, if this process still holds the claim (False: another took it over,
    and the card just posted is a duplicate to delete)."""
    # A statement on the table: the item is the sender's copy, from the transaction that stored it.
    values = {"item_id": item.id, "claim": item.card_ts, "ts": ts, "now": clock.now()}
    result = conn.execute(_attaching(type(item)), values)
    if cast(CursorResult[Any], result).rowcount != 1:
        return False
    item.card_ts = ts
    return True


@cache
def _attaching(model: type[ItemBase]) -> Update:
    """The statement attach() runs for a kind's items: built once per kind (every new item runs it, and
    building and keying a statement cost more than running it)."""
    table = table_of(model)
    return (
        update(table)
        .where(table.c.id == bindparam("item_id"), table.c.card_ts == bindparam("claim"))
        .values(card_ts=bindparam("ts"), updated_at=bindparam("now"))
    )


def claim_unposted(session: Session, model: type[T], claimed_before: datetime) -> list[T]:
    """Items whose claim is older than `claimed_before`, claimed afresh for this process (a conditional
    update each, so of two instances only one gets an item)."""
    claimed = []
    for item in session.exec(select(model).where(col(model.card_ts).startswith(POSTING))).all():
        old = item.card_ts
        when = claimed_at(old)
        if when is not None and when >= claimed_before:
            continue  # a sender may still be posting it
        claim = new_claim()
        if update_if(session, model, item.id, col(model.card_ts) == old, card_ts=claim):
            item.card_ts = claim
            claimed.append(item)
    return claimed


def release(session: Session, item: ItemBase) -> None:
    """Give the claim up (Slack could not be reached): the next tick's `claim_unposted` takes it at once."""
    model = type(item)
    given_up = new_claim(datetime.fromtimestamp(0, UTC))
    if update_if(session, model, item.id, col(model.card_ts) == item.card_ts, card_ts=given_up):
        item.card_ts = given_up
