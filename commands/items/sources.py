"""The Slack message an item was made from with a message shortcut (commands/items/shortcuts.py): where
it is, kept with the item as its permalink, and the answer in its thread once the item exists, which
names the item and links to its card and says nothing else (the thread may be read by anyone in the
channel, and the details are the card's to show)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from commands.invocation import Deps, SlackRefused
from storage.disclosure import Permit
from storage.item_tables import SOURCE_PERMALINK_LIMIT, ItemBase

log = logging.getLogger("liaison")


DELETED = "message_not_found"  # Slack's answer about a message deleted since the form was opened


@dataclass(frozen=True)
class Source:
    channel_id: str
    thread_ts: str  # where the answer goes: the message's own thread, or the one it is a reply in
    permalink: str  # "": none kept (Slack gave none, or one too long to keep)
    deleted: bool = False  # deleted after the form opened: no permalink, and no thread to answer in


def source_in(deps: Deps, written: Mapping[str, str]) -> Source | None:
    """The message a new-item form was opened from, as Liaison wrote it into the form's metadata (None: the
    form was opened otherwise). Its permalink is asked of Slack now, before anything is stored. The
    permalink is a convenience: when Slack gives none (the message deleted meanwhile, Slack unreachable)
    the item is saved without it, and the person's filled-in form is not thrown away for it."""
    channel_id, ts = written.get("channel"), written.get("message")
    if not channel_id or not ts:
        return None
    thread_ts = written.get("thread") or ts
    try:
        permalink = deps.slack.permalink(channel_id, ts)
    except SlackRefused as refused:
        log.warning("no permalink for the message a form was opened from (%s): saved without", refused.code)
        return Source(channel_id, thread_ts, "", deleted=refused.code == DELETED)
    kept = permalink if len(permalink) <= SOURCE_PERMALINK_LIMIT else None
    return Source(channel_id, thread_ts, kept or "")


def answer_in_thread(deps: Deps, item: ItemBase, source: Source | None) -> list[str]:
    """Answer in the source message's thread with the item's ID and a link to its card; what the sender
    is told besides when that could not be done (the item is stored and its card posted all the same)."""
    if source is None:
        return []
    if source.deleted:  # a reply to a deleted message would hang under "This message was deleted."
        return [
            f"The message it was made from was deleted meanwhile, so {item.ref} keeps no link to it and "
            "Liaison posted no answer in its thread."
        ]
    text = item.ref
    if item.posted and item.card_ts:
        text = f"{item.ref}: {deps.slack.link(item.channel_id, item.card_ts)}"
    try:
        deps.slack.post_in_thread(source.channel_id, source.thread_ts, text, Permit(item.ref))
    except SlackRefused as refused:
        log.warning(
            "could not answer in the thread of the message %s was made from (%s)", item.ref, refused.code
        )
        return [f"Liaison could not answer in the message's thread ({refused.code}); {item.ref} is kept."]
    return []
