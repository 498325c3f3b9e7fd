"""Replies in items' threads: kept with their item (author, team, time, text), once however often Slack
delivers them, with edits and deletions. What a reply means for its item (its first response; for a kind
a reply answers, like a consult, its answer) is applied here too, so the listener stays a single call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, col, select

from storage import items, moves, partners
from storage.audit import Actor
from storage.item_tables import ItemBase
from storage.kinds import Kinds
from storage.models import ThreadReply
from storage.retention import REMOVED
from storage.updates import update_if


@dataclass(frozen=True)
class Recorded:
    item: ItemBase
    reply: ThreadReply
    from_partner: bool  # written by the addressed partner's staff
    answered: bool = False  # this reply answered its item (an open consult)


@dataclass(frozen=True)
class Summary:
    """What a card says of its thread."""

    count: int  # replies not deleted
    last_at: datetime | None


def item_for_card(session: Session, kinds: Kinds, channel_id: str, card_ts: str) -> ItemBase | None:
    for model in (kind.model for kind in kinds):
        query = select(model).where(model.channel_id == channel_id, model.card_ts == card_ts)
        found: ItemBase | None = session.exec(query).first()
        if found is not None:
            return found
    return None


def record_reply(
    session: Session,
    kinds: Kinds,
    channel_id: str,
    thread_ts: str,
    ts: str,
    user_id: str | None,
    team_id: str | None,
    text: str,
    at: datetime,
) -> Recorded | None:
    """Keep a reply; None for a thread that is no item's, or a reply already kept (Slack redelivers)."""
    item = item_for_card(session, kinds, channel_id, thread_ts)
    if item is None or _reply_at(session, channel_id, ts) is not None:
        return None
    reply = ThreadReply(
        item=item.ref,
        channel_id=channel_id,
        thread_ts=thread_ts,
        ts=ts,
        user_id=user_id,
        team_id=team_id,
        text=text,
        at=at,
    )
    session.add(reply)
    partner = partners.for_team(session, team_id)
    addressee = items.partner_of(session, item)
    from_partner = partner is not None and addressee is not None and partner.id == addressee.id
    if from_partner:
        _first_response(session, item, at)
    kind = items.kind_of(item)
    answered = (
        from_partner
        and kind.answered is not None
        and kind.machine.can_move(kind.statuses(item.status), kind.answered)
        and user_id is not None
        and moves.transition(session, item, Actor(user_id, team_id), kind.answered, at=at)
    )
    return Recorded(item, reply, from_partner, answered)


def summary(session: Session, ref: str) -> Summary:
    kept = [r for r in replies(session, ref) if not r.deleted]
    return Summary(len(kept), max((r.at for r in kept), default=None))


def _first_response(session: Session, item: ItemBase, at: datetime) -> None:
    """For the metrics: when its partner first responded (the earliest reply, whichever is kept first)."""
    model = type(item)
    first = col(getattr(model, "first_response_at"))  # noqa: B009 (an addressed kind's: item_tables.AddressedItem)
    update_if(session, model, item.id, or_(first.is_(None), first > at), first_response_at=at)


def replies(session: Session, ref: str) -> Sequence[ThreadReply]:
    query = select(ThreadReply).where(ThreadReply.item == ref).order_by(col(ThreadReply.ts))
    return session.exec(query).all()


def edit_reply(
    session: Session, kinds: Kinds, channel_id: str, ts: str, text: str, at: datetime
) -> ItemBase | None:
    """The item whose thread the edited reply is in; None for a message that is no item's reply."""
    reply = _reply_at(session, channel_id, ts)
    if reply is None or reply.text == REMOVED:  # purged: an edit in Slack must not bring the text back
        return None
    reply.text, reply.edited_at = text, at
    session.add(reply)
    return items.load(session, kinds, reply.item)


def delete_reply(session: Session, kinds: Kinds, channel_id: str, ts: str) -> ItemBase | None:
    """The reply is kept as deleted (its text removed): the thread's history shows that something was said.
    Returns the item whose thread it was in."""
    reply = _reply_at(session, channel_id, ts)
    if reply is None:
        return None
    reply.text, reply.deleted = "", True
    session.add(reply)
    return items.load(session, kinds, reply.item)


def _reply_at(session: Session, channel_id: str, ts: str) -> ThreadReply | None:
    query = select(ThreadReply).where(ThreadReply.channel_id == channel_id, ThreadReply.ts == ts)
    return session.exec(query).first()
