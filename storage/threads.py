"""Replies in items' threads: kept with their item (author, team, time, text), once however often Slack
delivers them, with edits and deletions. What a reply means for its item (its first response; for an
open consult, its answer) is applied here too, so the listener stays a single call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from storage import items, partners
from storage.audit import Actor
from storage.items import Item
from storage.models import Advocacy, Consult, ConsultStatus, Referral, ThreadReply
from storage.retention import REMOVED


@dataclass(frozen=True)
class Recorded:
    item: Item
    reply: ThreadReply
    from_partner: bool  # written by the addressed partner's staff
    answered: bool = False  # this reply answered an open consult


@dataclass(frozen=True)
class Summary:
    """What a card says of its thread."""

    count: int  # replies not deleted
    last_at: datetime | None


def item_for_card(session: Session, channel_id: str, card_ts: str) -> Item | None:
    for model in (kind.model for kind in items.KINDS):
        query = select(model).where(model.channel_id == channel_id, model.card_ts == card_ts)
        found = session.exec(query).first()
        if found is not None:
            return found
    return None


def record_reply(
    session: Session,
    channel_id: str,
    thread_ts: str,
    ts: str,
    user_id: str | None,
    team_id: str | None,
    text: str,
    at: datetime,
) -> Recorded | None:
    """Keep a reply; None for a thread that is no item's, or a reply already kept (Slack redelivers)."""
    item = item_for_card(session, channel_id, thread_ts)
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
    if from_partner and not isinstance(item, Advocacy):
        _first_response(session, item, at)
    answered = (
        from_partner
        and isinstance(item, Consult)
        and item.status == ConsultStatus.open
        and user_id is not None
        and items.transition(session, item, Actor(user_id, team_id), ConsultStatus.answered, at=at)
    )
    return Recorded(item, reply, from_partner, answered)


def summary(session: Session, ref: str) -> Summary:
    kept = [r for r in replies(session, ref) if not r.deleted]
    return Summary(len(kept), max((r.at for r in kept), default=None))


def _first_response(session: Session, item: Referral | Consult, at: datetime) -> None:
    """For the metrics: when its partner first responded (the earliest reply, whichever is kept first)."""
    model = type(item)
    session.execute(
        update(model)
        .where(col(model.id) == item.id)
        .where(or_(col(model.first_response_at).is_(None), col(model.first_response_at) > at))
        .values(first_response_at=at)
    )


def replies(session: Session, ref: str) -> Sequence[ThreadReply]:
    query = select(ThreadReply).where(ThreadReply.item == ref).order_by(col(ThreadReply.ts))
    return session.exec(query).all()


def edit_reply(session: Session, channel_id: str, ts: str, text: str, at: datetime) -> Item | None:
    """The item whose thread the edited reply is in; None for a message that is no item's reply."""
    reply = _reply_at(session, channel_id, ts)
    if reply is None or reply.text == REMOVED:  # purged: an edit in Slack must not bring the text back
        return None
    reply.text, reply.edited_at = text, at
    session.add(reply)
    return items.load(session, reply.item)


def delete_reply(session: Session, channel_id: str, ts: str) -> Item | None:
    """The reply is kept as deleted (its text removed): the thread's history shows that something was said.
    Returns the item whose thread it was in."""
    reply = _reply_at(session, channel_id, ts)
    if reply is None:
        return None
    reply.text, reply.deleted = "", True
    session.add(reply)
    return items.load(session, reply.item)


def _reply_at(session: Session, channel_id: str, ts: str) -> ThreadReply | None:
    query = select(ThreadReply).where(ThreadReply.channel_id == channel_id, ThreadReply.ts == ts)
    return session.exec(query).first()
