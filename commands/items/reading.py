"""`show` and `list`, whatever the kind: what `show` adds after an item's own lines (its case number for
home staff, history, thread, what the guard stopped, where its card is), and the lists' filters and
pages."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session

from commands.format import plain, when
from commands.grammar import UsageError, page_number
from commands.invocation import Deps, Invocation, Reply, SlackRefused
from storage import audit, items, moves, partners, threads
from storage.item_tables import ItemBase
from storage.kinds import ItemKind, T
from storage.models import ThreadReply
from storage.people import Affiliation, Person

PAGE_SIZE = 20
SHOWN_REPLIES = 10

# The filters `list` offers: (item, the person's user ID, now) -> whether it is listed.
Filter = Callable[[ItemBase, str, datetime], bool]
OPEN_ONLY = ("open", "overdue")  # the filters that never list a closed item: the database leaves those out


def mine(item: ItemBase, user_id: str, now: datetime) -> bool:
    return item.requester_id == user_id or user_id in item.owner_ids()


def still_open(item: ItemBase, user_id: str, now: datetime) -> bool:
    return items.is_open(item)


def overdue(item: ItemBase, user_id: str, now: datetime) -> bool:
    return items.is_overdue(item, now)


def any_item(item: ItemBase, user_id: str, now: datetime) -> bool:
    return True


def in_status(status: str) -> Filter:
    """A filter for one status (`answered`, `done`)."""
    return lambda item, _user_id, _now: item.status == status


def filters(**more: Filter) -> dict[str, Filter]:
    """mine, open, overdue, the kind's own (`answered`), then all."""
    return {"mine": mine, "open": still_open, "overdue": overdue, **more, "all": any_item}


def details_lines(deps: Deps, session: Session, me: Person, item: ItemBase) -> list[str]:
    """What `show` adds after an item's own lines: its case number (home staff only), its history, its
    thread, and where its card is."""
    lines = []
    case_number = item.case()
    if me.affiliation == Affiliation.home and case_number:
        lines.append(f"Case `{case_number}` (internal: shown only to you)")
    for event in moves.history(session, item):
        why = f": {event.reason_code}" if event.reason_code else ""
        note = f" ({plain(event.note)})" if event.note else ""
        lines.append(
            f"• {when(event.at)} <@{event.actor_user_id}> {event.from_status} → {event.to_status}{why}{note}"
        )
    kept = [r for r in threads.replies(session, item.ref) if not r.deleted]
    if not items.kind_of(item).addressed and me.affiliation != Affiliation.home:
        # An owner from a partner may not be in the channel; what others said there is for its members.
        kept_texts: list[ThreadReply] = []
    else:
        kept_texts = kept[-SHOWN_REPLIES:]
    first_at = item.first_response()
    first = f", first response {when(first_at)}" if first_at else ""
    lines.append(f"Thread: {len(kept)} repl{'y' if len(kept) == 1 else 'ies'}{first}.")
    for reply in kept_texts:
        edited = " _(edited)_" if reply.edited_at else ""
        lines.append(f"  ◦ {when(reply.at)} <@{reply.user_id}>: {plain(reply.text[:300])}{edited}")
    for stopped in audit.entries(session, subject=item.ref, action=audit.DOOR_REFUSED):
        held = (stopped.reason or "").split(" held ", 1)[-1]
        lines.append(
            f":shield: {when(stopped.at)} Liaison's guard stopped a message about {item.ref} that would "
            f"have shown {held} where another organization reads; it was not sent."
        )
    if item.source_permalink:
        lines.append(f"<{item.source_permalink}|The message it was made from>")
    if item.posted and item.card_ts:
        lines.append(f"<{_card_link(deps, item.channel_id, item.card_ts)}|Open the card>")
    elif not item.posted and items.is_open(item):
        lines.append("Its card is still being posted.")
    return lines


def _card_link(deps: Deps, channel_id: str, ts: str) -> str:
    """The card's permalink; when Slack will not give one (the card deleted in Slack, Slack unreachable),
    its address made without asking, so `show` still shows the rest of what it knows."""
    try:
        return deps.slack.permalink(channel_id, ts)
    except SlackRefused:
        return deps.slack.link(channel_id, ts)


def one(inv: Invocation, kind: ItemKind[T], example: str, lines: Callable[[T, Any], list[str]]) -> Reply:
    """`show R-12`: the item's own `lines`, then what every kind shows (details_lines)."""
    if len(inv.args.words) != 1:
        raise UsageError(f"Name one {kind.noun}, like `{kind.command} show {example}`.")
    with inv.deps.db.session() as session:
        me = inv.person(session)
        item = items.get(session, inv.deps.kinds, me, inv.args.words[0], kind)
        shown = [*lines(item, items.partner_of(session, item)), *details_lines(inv.deps, session, me, item)]
    return Reply("\n".join(shown))


def listing(
    inv: Invocation,
    kind: ItemKind[T],
    filters: Mapping[str, Filter],
    line: Callable[[T, Any], str],
    keep: Callable[[T], bool] = lambda _item: True,
) -> Reply:
    """`list [filter] [partner:handle] [page:2]`: the items the person may see, soonest due first, a page
    at a time; `keep` is the kind's own filters (need:, campaign:)."""
    words = [w.lower() for w in inv.args.words] or ["open"]
    if len(words) != 1 or words[0] not in filters:
        raise UsageError(f"List one of {', '.join(f'`{f}`' for f in filters)}.\nUsage: `{inv.usage}`")
    page = page_number(inv.args.first("page"), inv.usage)
    matches, now = filters[words[0]], inv.deps.clock()
    with inv.deps.db.session() as session:
        me = inv.person(session)
        handle = inv.args.first("partner")
        # Only the office learns from a mistyped handle which partners there are.
        known = me.affiliation == Affiliation.home
        partner = partners.get(session, handle, suggest=known) if handle else None
        found = [
            item
            for item in items.visible_to(session, me, kind, open_only=words[0] in OPEN_ONLY)
            if matches(item, me.user_id, now)
            and (partner is None or items.partner_of(session, item) == partner)
            and keep(item)
        ]
        addressees = {item.ref: items.partner_of(session, item) for item in found}
    pages = max(1, -(-len(found) // PAGE_SIZE))
    shown: Sequence[T] = found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    if not shown:
        return Reply(f"No {kind.noun}s match." if page == 1 else f"There is no page {page}.")
    lines = [
        f"*{kind.noun.capitalize()}s ({words[0]})*: {len(found)}, soonest due first, page {page} of {pages}"
    ]
    for item in shown:
        late = " :warning: overdue" if items.is_overdue(item, now) else ""
        lines.append(f"• *{item.ref}* {line(item, addressees[item.ref])}, due {when(item.due_at)}{late}")
    if page < pages:
        lines.append(f"More: `{kind.command} list {words[0]} page:{page + 1}`")
    return Reply("\n".join(lines))
