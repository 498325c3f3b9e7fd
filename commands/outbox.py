"""Slack work that outlives the client's retries: kept in the database when Slack is down or overloaded,
finished by the scheduler's tick once Slack answers again. The person who acted was already answered;
what they were told says the channel will catch up."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime

from commands.invocation import Deps, SlackRefused
from storage import items, outbox
from storage.disclosure import Permit
from storage.item_tables import ItemBase
from storage.models import Outbox, OutboxKind

log = logging.getLogger("liaison")


def redraw_card_later(deps: Deps, ref: str, channel_id: str) -> None:
    """The card is redrawn from the database when it is sent, so one row serves any number of changes."""
    outbox.keep(deps.db, OutboxKind.card, f"card:{ref}", channel_id, deps.clock(), item=ref)


def post_in_thread_later(deps: Deps, ref: str, channel_id: str, thread_ts: str, line: str) -> None:
    key = f"thread:{ref}:{uuid.uuid4().hex}"
    outbox.keep(
        deps.db, OutboxKind.thread, key, channel_id, deps.clock(), item=ref, thread_ts=thread_ts, text=line
    )


Redraw = Callable[
    [ItemBase], None
]  # draws an item's card as the database has it (commands.items.refresh_card)


def deliver(deps: Deps, redraw: Redraw, now: datetime, *, dry_run: bool = False) -> list[str]:
    """One pass over what is due: each row taken, tried, and then deleted, retried later or given up."""
    with deps.db.session() as session:
        rows = outbox.due(session, now)
    done = []
    for row in rows:
        what = f"{row.kind} {row.item or row.channel_id} kept since {row.created_at:%Y-%m-%d %H:%M} UTC"
        if dry_run:
            done.append(f"would send the {what}")
            continue
        with deps.db.session() as session:
            if not outbox.take(session, row, now):
                continue
        try:
            _send(deps, redraw, row)
        except Exception as error:  # Slack, or the database under a redraw: this row waits, the rest go on
            code = error.code if isinstance(error, SlackRefused) else type(error).__name__
            final = isinstance(error, SlackRefused) and not error.transient
            try:
                with deps.db.session() as session:
                    again = outbox.failed(session, row, now, code, final=final)
            except Exception:  # the database is down too: the lease runs out and a later tick tries again
                log.exception("outbox: the %s failed (%s) and could not be rescheduled", what, code)
                continue
            outcome = "trying again later" if again else "given up"
            log.warning("outbox: the %s failed (%s); %s", what, code, outcome)
            if not again:
                _tell_given_up(deps, row, code)
            continue
        with deps.db.session() as session:
            outbox.done(session, row)
        done.append(f"sent the {what}")
    return done


def _send(deps: Deps, redraw: Redraw, row: Outbox) -> None:
    if row.kind == OutboxKind.thread:
        assert row.thread_ts is not None
        with deps.db.session() as session:  # the permit as it is now: a consent may have lapsed meanwhile
            item = items.load(session, deps.kinds, row.item or "")
            permit = items.permit(session, item, deps.today()) if item else Permit(row.item)
        deps.slack.post_in_thread(row.channel_id, row.thread_ts, row.text or "", permit)
    else:
        with deps.db.session() as session:
            item = items.load(session, deps.kinds, row.item or "")
        if item is not None:  # an item is never deleted; a hand-edited database may say otherwise
            redraw(item)


def _tell_given_up(deps: Deps, row: Outbox, code: str) -> None:
    """Whose item it was hears that the channel will not show it: the change itself is saved."""
    with deps.db.session() as session:
        item = items.load(session, deps.kinds, row.item or "")
    if item is None:
        return
    shown = (
        "its card could not be updated"
        if row.kind == OutboxKind.card
        else "a line could not be posted in its thread"
    )
    text = (
        f"Liaison has stopped trying to show a change of *{item.ref}* in <#{row.channel_id}>: {shown} "
        f"(Slack answered `{code}`). The change is saved: `{items.kind_of(item).command} show {item.ref}` "
        "shows it."
    )
    if deps.slack.tell(item.requester_id, text):
        log.info("outbox: told %s that the %s of %s was given up", item.requester_id, row.kind, item.ref)
    else:
        log.warning(
            "outbox: could not tell %s that the %s of %s was given up", item.requester_id, row.kind, item.ref
        )
