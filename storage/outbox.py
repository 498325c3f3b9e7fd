"""The outbox: Slack work that failed after the client's own retries, kept until the scheduler's tick
finishes it. Each row is taken by a conditional update before it is tried, so of several ticks or
instances only one tries it; a row whose taker died is taken again when its lease runs out."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.db import Database
from storage.models import Outbox, OutboxKind
from storage.updates import update_if

LEASE = timedelta(minutes=5)  # longer than one delivery can take, retries included
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(minutes=30)
GIVE_UP_AFTER = timedelta(days=1)  # Slack down for a day: the log, not the channel, is the place for it
BATCH = 200


def keep(
    db: Database,
    kind: OutboxKind,
    key: str,
    channel_id: str,
    now: datetime,
    *,
    item: str | None = None,
    thread_ts: str | None = None,
    text: str | None = None,
) -> bool:
    """Keep the work for later; False when work under the same key is already kept (it does the same: it
    is made due now, so a redraw being sent with an older state is sent again, see `done`)."""
    try:
        with db.session() as session:
            if session.exec(select(Outbox.id).where(Outbox.key == key)).first() is not None:
                session.execute(update(Outbox).where(col(Outbox.key) == key).values(next_at=now))
                return False
            session.add(
                Outbox(
                    key=key,
                    kind=kind,
                    item=item,
                    channel_id=channel_id,
                    thread_ts=thread_ts,
                    text=text,
                    next_at=now,
                    created_at=now,
                )
            )
    except IntegrityError:  # kept by another thread between the check and the insert
        return False
    return True


def due(session: Session, now: datetime) -> list[Outbox]:
    """What is due now, oldest first (so lines in one thread keep their order)."""
    query = select(Outbox).where(Outbox.next_at <= now).order_by(col(Outbox.id)).limit(BATCH)
    return list(session.exec(query).all())


def take(session: Session, row: Outbox, now: datetime) -> bool:
    """Lease the row to this process; False when another took it first."""
    leased = now + LEASE
    if not update_if(session, Outbox, row.id, col(Outbox.next_at) == row.next_at, next_at=leased):
        return False
    row.next_at = leased  # what `done` checks: the row as this process took it
    return True


def done(session: Session, row: Outbox) -> None:
    """Delete the row as this process took it: if work under its key was kept again meanwhile (`keep`
    moved its time), the row stays and is sent again."""
    session.execute(delete(Outbox).where(col(Outbox.id) == row.id, col(Outbox.next_at) == row.next_at))


def failed(session: Session, row: Outbox, now: datetime, error: str, *, final: bool) -> bool:
    """Record a failed try; True when it is to be tried again (after a wait that doubles each time), False
    when it is given up (the error is final, or Slack has failed it for a day) and the row is gone."""
    if final or now - row.created_at >= GIVE_UP_AFTER:
        done(session, row)
        return False
    wait = min(FIRST_RETRY * 2**row.attempts, LONGEST_WAIT)
    session.execute(
        update(Outbox)
        .where(col(Outbox.id) == row.id)
        .values(attempts=row.attempts + 1, next_at=now + wait, last_error=error[:64])
    )
    return True


def pending(session: Session) -> list[Outbox]:
    return list(session.exec(select(Outbox).order_by(col(Outbox.id))).all())
