"""Slack mrkdwn for the replies commands build: mentions and dates each reader sees in their own zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from storage.identifiers import as_drawn
from storage.wording import unmarked


def when(moment: datetime) -> str:
    """A time every reader sees in their own Slack time zone; the fallback is UTC, said so."""
    fallback = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


# What may stay as Slack markup in someone's words: a mention of a person or a channel, and a link (Slack
# itself turns a typed address into one). Everything else Slack would read as markup is escaped.
_KEPT_MARKUP = re.compile(r"<(?:@[UW][A-Z0-9]+|#[CGD][A-Z0-9]+|https?://[^\s<>|]+)(?:\|[^<>]*)?>")


def plain(text: str) -> str:
    """Someone's own words, to be shown as they typed them: Slack reads `<`, `>` and `&` as its markup
    (`<!channel>` pings everyone, `<!date^...>` draws a date the words never showed), so they are escaped
    as Slack asks; mentions and links stay what they are."""
    out, last, text = [], 0, unmarked(text)  # nobody's words may carry the domain's marks (wording.py)
    for token in _KEPT_MARKUP.finditer(text):
        out += [_escaped(text[last : token.start()]), token[0]]
        last = token.end()
    return "".join([*out, _escaped(text[last:])])


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def person(user_id: str) -> str:
    return f"<@{user_id}>"


def channel(channel_id: str) -> str:
    return f"<#{channel_id}>"


# Slack's markup around what a reader sees: a mention or channel (`<@U1>`, `<#C1|name>`), a date
# (`<!date^...|fallback>`), a link (`<https://...|label>`); and the address of a Slack message.
_MARKUP = re.compile(r"<([@#!][^>|]*|https?://[^>|]*)(?:\|([^>]*))?>")
# A message's address exactly as Slack makes one (chat.getPermalink): the workspace, the conversation, the
# message's timestamp; nothing else that merely lives under slack.com.
_SLACK_MESSAGE = re.compile(
    r"https://[a-z0-9-]+\.(?:enterprise\.)?slack\.com/archives/[CDG][A-Z0-9]{2,}/p\d{16}"
    r"(?:\?thread_ts=\d+\.\d+(?:&cid=[CDG][A-Z0-9]{2,})?)?"
)


def readings(text: str) -> list[str]:
    """The ways the identifier detector should read `text`, each character for character: `readable`, and
    where a link carries a label, the text as drawn (the label joined to the words around it, which as
    written have the link's address between them: `Maria <https://...|Ortiz>` shows `Maria Ortiz`)."""
    drawn = as_drawn(text)
    return [readable(text)] if drawn == text else [readable(text), readable(drawn)]


def readable(text: str) -> str:
    """`text` as the identifier detector should read it, character for character (so a finding's place is
    its place in `text`): Slack's markup blanked and what a reader sees of it kept (a label, a date's
    fallback, a link's address). A date token's timestamp is not a phone number, nor is the address of a
    Slack message; an address elsewhere is read, since it may carry anything."""

    def blanked(token: re.Match[str]) -> str:
        target, label = token[1], token[2]
        shown = target if target.startswith("http") and not _SLACK_MESSAGE.fullmatch(target) else ""
        shown = shown.ljust(len(target) + 2)  # the `<` and the `|`
        return " " + shown[: len(target)] + (" " + label if label is not None else "") + " "

    return _SLACK_MESSAGE.sub(lambda m: " " * len(m[0]), _MARKUP.sub(blanked, text))
