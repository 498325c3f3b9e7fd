"""Events API listeners. Every event the manifest subscribes to has one: Bolt answers 404 to an event no
listener matches, and Slack redelivers what did not get a 2xx."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.exc import IntegrityError

from bot import notify
from bot.identity import actor_of
from commands import home
from commands.grammar import without_nul
from commands.invocation import Deps
from commands.items.cards import redraw_all
from commands.items.changes import thread_changed
from storage import audit, deliveries, items, partners, roles, threads
from storage.audit import Actor

log = logging.getLogger("liaison")


# What becomes of a message event: bot/journal.py's Replayer.arrived, or straight to the database.
OnMessage = Callable[[dict[str, Any], Actor | None, BoltContext], None]


def register(app: App, deps: Deps, on_message: OnMessage | None = None) -> None:
    arrived = on_message or (lambda event, actor, _context: record_thread_message(deps, event, actor))

    @app.event("member_joined_channel")
    def on_member_joined(event: dict[str, Any], client: WebClient) -> None:
        if channel_id := _text(event, "channel"):
            link_partner_teams(deps, client, channel_id)

    @app.event("message")
    def on_message_event(event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
        arrived(event, actor_of(body, context), context)

    @app.event("app_home_opened")
    def on_app_home_opened(event: dict[str, Any]) -> None:
        if event.get("tab") == "home" and (user_id := _text(event, "user")):
            home.opened(deps, user_id)


def link_partner_teams(deps: Deps, client: WebClient, channel_id: str) -> None:
    """Link the channel to every known partner whose team is in it; tell admins, once, about unknown teams."""
    before = deps.slack.place(channel_id).external_teams  # as Liaison last knew it
    place = deps.slack.place(
        channel_id, fresh=True
    )  # someone just joined: the channel may have become shared
    if not place.external_teams:
        return
    if place.external_teams - before:
        # Another organization reads the channel now: the cards a consent let one partner see in full are
        # redrawn for who reads it now (commands/items.drawn masks what the new readers may not see).
        today = deps.today()
        with deps.db.session() as session:
            shown = [
                i
                for i in items.posted_in(session, deps.kinds, channel_id)
                if items.permit(session, i, today).identifying
            ]
        redraw_all(deps, shown)
    with deps.db.session() as session:
        known = [p for t in sorted(place.external_teams) if (p := partners.for_team(session, t)) is not None]
        known_teams = {t for p in known for t in partners.teams_of(session, p)}
        unknown = [
            t
            for t in sorted(place.external_teams - known_teams)
            if partners.first_notice(session, channel_id, t)
        ]
        linked = partners.link_channel(session, audit.SYSTEM, channel_id, known, how="channel.autolink")
        admins = sorted(roles.admins(session, deps.admins))
    for partner in linked:
        log.info("linked %s to %s (its team is in the channel)", channel_id, partner.handle)
    if unknown:
        teams = ", ".join(f"`{t}`" for t in unknown)
        text = (
            f"Liaison is in <#{channel_id}>, which is shared with a Slack workspace it does not know "
            f"({teams}). Client matters won't be posted there until it is known. If it is a partner, "
            f'add it with `/liaison partner add handle name:"..." kind:... team:{unknown[0]}`.'
        )
        for admin in admins:
            notify.dm(client, admin, text)


def changes_a_thread(event: dict[str, Any]) -> bool:
    """Whether a message event may change an item's thread: a reply, an edit or a deletion. Only these
    are Liaison's (and only these are journalled first: bot/journal.py)."""
    return _thread_change(event) is not None


def _thread_change(event: dict[str, Any]) -> str | None:
    subtype = event.get("subtype")
    changed = _inner(event)
    ts, thread_ts = _ts(event, "ts"), _ts(event, "thread_ts")
    if subtype == "message_changed" and _ts(changed, "ts"):
        return "edit"
    if subtype == "message_deleted" and _ts(event, "deleted_ts"):
        return "delete"
    if subtype in (None, "thread_broadcast", "file_share") and ts and thread_ts not in ("", ts):
        return "reply"
    return None


def record_thread_message(
    deps: Deps, event: dict[str, Any], actor: Actor | None, once: str | None = None
) -> None:
    """Keep replies in items' threads, with their edits and deletions, and show them on the item's card;
    other messages are not Liaison's, and neither is anything not shaped as Slack sends it. `once`: the
    journal entry this is, noted with the change so that a replay of the entry does nothing."""
    change, channel_id = _thread_change(event), _text(event, "channel")
    if change is None:
        return
    changed = _inner(event)
    ts, thread_ts = _ts(event, "ts"), _ts(event, "thread_ts")
    answered_by: str | None = None
    try:
        with deps.db.session() as session:
            if once is not None:
                deliveries.note(session, f"journal:{once}", deps.clock(), deliveries.JOURNAL_KEPT)
            if change == "edit":
                item = threads.edit_reply(
                    session,
                    deps.kinds,
                    channel_id,
                    _ts(changed, "ts"),
                    _text(changed, "text"),
                    _time_of(_ts(event, "event_ts") or _ts(changed, "ts")),
                )
            elif change == "delete":
                item = threads.delete_reply(session, deps.kinds, channel_id, _ts(event, "deleted_ts"))
            else:
                recorded = threads.record_reply(
                    session,
                    deps.kinds,
                    channel_id,
                    thread_ts,
                    ts,
                    actor.user_id if actor else _text(event, "user"),
                    actor.team_id if actor else None,
                    _text(event, "text"),
                    _time_of(ts),
                )
                item = recorded.item if recorded else None
                answered_by = recorded.reply.user_id if recorded and recorded.answered else None
    except IntegrityError:  # delivered twice at once, or a journal entry already applied: kept once
        log.info("a change in a thread in %s was delivered twice; kept once", channel_id)
        return
    if item is not None:
        thread_changed(deps, item, answered_by)


TS = re.compile(r"\d{1,12}\.\d{1,9}")  # a message's timestamp, as Slack writes it


def _inner(event: dict[str, Any]) -> dict[str, Any]:
    """The message an edit event carries (empty when it carries none)."""
    inner = event.get("message")
    return inner if isinstance(inner, dict) else {}


def _text(event: dict[str, Any], key: str) -> str:
    """A string field of the event; empty when missing or not a string."""
    value = event.get(key)
    return without_nul(value) if isinstance(value, str) else ""


def _ts(event: dict[str, Any], key: str) -> str:
    """A message timestamp field; empty when missing or not one."""
    value = _text(event, key)
    return value if TS.fullmatch(value) else ""


def _time_of(ts: str) -> datetime:
    return datetime.fromtimestamp(float(ts), UTC)
