"""Slack mrkdwn for the replies commands build: mentions and dates each reader sees in their own zone."""

from __future__ import annotations

from datetime import UTC, datetime


def when(moment: datetime) -> str:
    """A time every reader sees in their own Slack time zone; the fallback is UTC, said so."""
    fallback = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def person(user_id: str) -> str:
    return f"<@{user_id}>"


def channel(channel_id: str) -> str:
    return f"<#{channel_id}>"
