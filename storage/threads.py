"""Replies in items' threads: kept with their item (author, team, time, text), once however often Slack
delivers them, with edits and deletions. What a reply means for its item (a referral's first response)
is applied here too, so the listener stays a single call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from storage import partners
from storage.models import Referral, ThreadReply

ITEM_MODELS: tuple[type[Referral], ...] = (Referral,)  # consults and advocacy items join here


@dataclass(frozen=True)
class Recorded:
    item: Referral
    reply: ThreadReply
    from_partner: bool  # written by the addressed partner's staff


def item_for_card(session: Session, channel_id: str, card_ts: str) -> Referral | None:
    for model in ITEM_MODELS:
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
    from_partner = partner is not None and partner.id == item.partner_id
    if from_partner and item.first_response_at is None:  # a referral's first response, for its metrics
        item.first_response_at = at
        session.add(item)
    return Recorded(item, reply, from_partner)


def replies(session: Session, ref: str) -> Sequence[ThreadReply]:
    query = select(ThreadReply).where(ThreadReply.item == ref).order_by(col(ThreadReply.ts))
    return session.exec(query).all()


def edit_reply(session: Session, channel_id: str, ts: str, text: str, at: datetime) -> bool:
    reply = _reply_at(session, channel_id, ts)
    if reply is None:
        return False
    reply.text, reply.edited_at = text, at
    session.add(reply)
    return True


def delete_reply(session: Session, channel_id: str, ts: str) -> bool:
    """The reply is kept as deleted (its text removed): the thread's history shows that something was said."""
    reply = _reply_at(session, channel_id, ts)
    if reply is None:
        return False
    reply.text, reply.deleted = "", True
    session.add(reply)
    return True


def _reply_at(session: Session, channel_id: str, ts: str) -> ThreadReply | None:
    query = select(ThreadReply).where(ThreadReply.channel_id == channel_id, ThreadReply.ts == ts)
    return session.exec(query).first()
