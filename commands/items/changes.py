"""Showing a saved change of an item in its channel: the card redrawn in place and a line in its thread,
finished later by the outbox when Slack cannot be reached, and the person told what did not show."""

from __future__ import annotations

import logging

from commands import home, outbox
from commands.invocation import Deps, Reply, SlackRefused
from commands.items.cards import permit_of, refresh_card
from storage import items
from storage.item_tables import ItemBase

log = logging.getLogger("liaison")


def show_change(deps: Deps, item: ItemBase, line: str, answer: str) -> Reply:
    """Show a saved change in the channel, on the item's card and as `line` in its thread, and answer the
    person who made it. When Slack can't be reached the outbox finishes both later; a refusal for good is
    told to them, since the change is saved all the same."""
    assert item.card_ts is not None
    reply = Reply(answer)
    permit = permit_of(deps, item)
    try:
        refresh_card(deps, item)
    except SlackRefused as refused:
        reply = _behind(deps, item, refused, answer)
        if refused.transient:
            outbox.post_in_thread_later(deps, item.ref, item.channel_id, item.card_ts, line)
            return reply
    try:
        deps.slack.post_in_thread(item.channel_id, item.card_ts, line, permit)
    except SlackRefused as refused:
        reply = _behind(deps, item, refused, answer)
        if refused.transient:
            outbox.post_in_thread_later(deps, item.ref, item.channel_id, item.card_ts, line)
    home.refresh(deps, home.people_of(item))  # after the card and thread, which people are looking at
    return reply


def _behind(deps: Deps, item: ItemBase, refused: SlackRefused, answer: str) -> Reply:
    """The answer when a saved change is not (yet) shown in the channel; a card Slack could not take is
    kept to be redrawn."""
    log.warning("%s changed but its card or thread was not updated: %s", item.ref, refused.code)
    if refused.transient:
        outbox.redraw_card_later(deps, item.ref, item.channel_id)
        return Reply(
            f"{answer} Slack is not answering right now ({refused.code}): the change is saved, and its card "
            "and thread will show it as soon as Slack answers.",
            trouble=True,
        )
    why = (
        refused.message.rstrip(".")
        if refused.guarded
        else f"Slack refused to update its card ({refused.code})"
    )
    return Reply(
        f"{answer} {why}; the change is saved, and `{items.kind_of(item).command} show {item.ref}` shows it.",
        trouble=True,
    )


def thread_changed(deps: Deps, item: ItemBase, answered_by: str | None = None) -> None:
    """A reply in the item's thread was added, edited or deleted: the card shows the thread as it is now,
    and when the reply answered the item its requester is told, in the thread."""
    try:
        refresh_card(deps, item)
    except SlackRefused as refused:  # the reply is recorded; only the card is behind
        log.warning("the card of %s was not updated after a reply: %s", item.ref, refused.code)
        if refused.transient:
            outbox.redraw_card_later(deps, item.ref, item.channel_id)
        elif refused.guarded:  # never silent: the requester hears what the guard stopped
            deps.slack.tell(item.requester_id, refused.message)
    if answered_by is None or item.card_ts is None:
        return
    home.refresh(deps, [item.requester_id])
    with deps.db.session() as session:
        partner = items.partner_of(session, item)
    by = f" ({partner.name})" if partner else ""
    line = f"<@{item.requester_id}>, <@{answered_by}>{by} answered {item.ref}."
    try:
        deps.slack.post_in_thread(item.channel_id, item.card_ts, line, permit_of(deps, item))
    except SlackRefused as refused:  # the requester must not miss the answer: later, or privately now
        log.warning("could not tell the requester of %s's answer in its thread: %s", item.ref, refused.code)
        if refused.transient:
            outbox.post_in_thread_later(deps, item.ref, item.channel_id, item.card_ts, line)
        else:
            deps.slack.tell(item.requester_id, f"<@{answered_by}>{by} answered {item.ref}.")
