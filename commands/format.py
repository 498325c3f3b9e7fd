"""Slack mrkdwn for the replies commands build: mentions and dates each reader sees in their own zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime


def when(moment: datetime) -> str:
    """A time every reader sees in their own Slack time zone; the fallback is UTC, said so."""
    fallback = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def person(user_id: str) -> str:
    return f"<@{user_id}>"


def channel(channel_id: str) -> str:
    return f"<#{channel_id}>"


# Slack's markup around what a reader sees: a mention or channel (`<@U1>`, `<#C1|name>`), a date
# (`<!date^...|fallback>`), a link (`<https://...|label>`); and the address of a Slack message.
_MARKUP = re.compile(r"<([@#!][^>|]*|https?://[^>|]*)(?:\|([^>]*))?>")
_SLACK_MESSAGE = re.compile(r"https://[\w.-]*slack\.com/archives/[^\s>|]+")


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
