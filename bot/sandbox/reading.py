"""What a person's Slack client shows of a message: mentions and channels by name, links as their text,
`<!date^...>` in the reader's own time zone (its fallback is what a client shows only when it cannot),
and mrkdwn's *bold*, _italic_, ~strike~, `code` and > quotes as formatting rather than as marks.

For reading the stand-in's messages as people would (`liaison demo` prints its transcript this way);
tests assert on the raw text with visible_text, which keeps IDs and fallbacks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from .workspace import User, Workspace


@dataclass(frozen=True)
class Style:
    """How formatting is shown: plain text (marks dropped) or a terminal's bold, italic and so on."""

    bold: tuple[str, str] = ("", "")
    italic: tuple[str, str] = ("", "")
    strike: tuple[str, str] = ("", "")
    code: tuple[str, str] = ("", "")
    quote: str = "│ "


PLAIN = Style()
TERMINAL = Style(
    bold=("\x1b[1m", "\x1b[22m"),
    italic=("\x1b[3m", "\x1b[23m"),
    strike=("\x1b[9m", "\x1b[29m"),
    code=("\x1b[36m", "\x1b[39m"),
    quote="\x1b[2m│\x1b[22m ",
)

_SPECIAL = re.compile(r"<([^<>\n]+)>")
_CODE_BLOCK = re.compile(r"```\n?(.*?)\n?```", re.DOTALL)
_CODE = re.compile(r"`([^`\n]+)`")
# Slack's emphasis marks count only at word edges, with no space just inside them.
_EMPHASIS = {
    "bold": re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"),
    "italic": re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])"),
    "strike": re.compile(r"(?<![\w~])~(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])"),
}
_HELD = re.compile(r"\x00(\d+)\x00")


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _relative(day: date, today: date) -> str | None:
    return {-1: "yesterday", 0: "today", 1: "tomorrow"}.get((day - today).days)


def format_date(timestamp: int, template: str, zone: str, now: datetime | None = None) -> str | None:
    """A `<!date^...>` template filled in for a reader in `zone`, as Slack's clients fill it; None when it
    has a token Slack would not know either (the client then shows the fallback)."""
    tz = ZoneInfo(zone)
    moment = datetime.fromtimestamp(timestamp, tz)
    today = (now or datetime.now(tz)).astimezone(tz).date()
    day = moment.date()
    hour = moment.strftime("%I").lstrip("0")
    plain = {
        "date_num": f"{day:%Y-%m-%d}",
        "date_slash": f"{day:%d/%m/%Y}",
        "date": f"{day:%B} {_ordinal(day.day)}, {day.year}",
        "date_short": f"{day:%b} {day.day}, {day.year}",
        "date_long": f"{day:%A, %B} {_ordinal(day.day)}, {day.year}",
        "date_long_full": f"{day:%B} {day.day}, {day.year}",
        "time": f"{hour}:{moment:%M %p}",
        "time_secs": f"{hour}:{moment:%M:%S %p}",
    }
    relative = _relative(day, today)
    for pretty in ("date", "date_short", "date_long"):
        plain[f"{pretty}_pretty"] = relative or plain[pretty]
    plain["day_divider_pretty"] = relative or (
        f"{day:%A, %B} {_ordinal(day.day)}" if day.year == today.year else plain["date_long"]
    )
    unknown = False

    def fill(match: re.Match[str]) -> str:
        nonlocal unknown
        value = plain.get(match.group(1))
        if value is None:
            unknown = True
            return ""
        return value.capitalize() if match.start() == 0 and value == relative else value

    filled = re.sub(r"\{(\w+)\}", fill, template)
    return None if unknown else filled


class Reader:
    """One person reading: their time zone, and the workspace's names for people and channels."""

    def __init__(
        self, workspace: Workspace, user: User, style: Style = PLAIN, now: datetime | None = None
    ) -> None:
        self.workspace = workspace
        self.user = user
        self.style = style
        self.now = now

    def person(self, user_id: str) -> str:
        user = self.workspace.user(user_id)
        return "@" + ((user.real_name or user.name) if user is not None else user_id)

    def channel(self, channel_id: str, label: str | None) -> str:
        channel = self.workspace.channel(channel_id)
        return "#" + (channel.name if channel is not None else label or channel_id)

    def _special(self, inner: str) -> str:
        """One `<...>`: a mention, a channel, a date, a broadcast or a link."""
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            return self.person(target[1:])
        if target.startswith("#"):
            return self.channel(target[1:], label or None)
        if target.startswith("!date^"):
            parts = target.split("^")
            shown = None
            if len(parts) >= 3 and parts[1].isdigit():
                shown = format_date(int(parts[1]), parts[2], self.user.tz, self.now)
            return shown if shown is not None else label
        if target.startswith("!subteam^"):
            return label or "@group"
        if target.startswith("!"):
            return "@" + (label or target[1:])
        return label or target

    def text(self, mrkdwn: str) -> str:
        """A mrkdwn string as this reader's client shows it."""
        held: list[str] = []

        def hold(shown: str) -> str:
            held.append(shown)
            return f"\x00{len(held) - 1}\x00"

        style = self.style
        text = _CODE_BLOCK.sub(lambda m: hold(_wrap(_entities(m.group(1)), style.code)), mrkdwn)
        text = _CODE.sub(lambda m: hold(_wrap(_entities(m.group(1)), style.code)), text)
        text = _SPECIAL.sub(lambda m: hold(_entities(self._special(m.group(1)))), text)
        for name, pattern in _EMPHASIS.items():
            marks: tuple[str, str] = getattr(style, name)
            text = pattern.sub(partial(_wrapped, marks=marks), text)
        text = "\n".join(_quoted(line, style) for line in text.split("\n"))
        while _HELD.search(text):
            text = _HELD.sub(lambda m: held[int(m.group(1))], text)
        return _entities(text)

    def blocks(self, blocks: Iterable[dict[str, Any]]) -> list[str]:
        """A message's blocks as lines on screen: a header in bold, fields side by side as `label: value`,
        buttons as [Label]."""
        lines: list[str] = []
        for block in blocks:
            kind = block.get("type")
            if kind == "header":
                lines.append(_wrap(block["text"]["text"], self.style.bold))
            elif kind == "actions":
                lines.append(" ".join(f"[{e['text']['text']}]" for e in block["elements"] if "text" in e))
            elif kind == "divider":
                lines.append("─" * 20)
            elif kind in ("section", "context"):
                lines.extend(self._section(block))
        return lines

    def _section(self, block: dict[str, Any]) -> list[str]:
        shown = _texts(block.get("text"), *block.get("elements", []))
        lines = [line for text in shown for line in self.text(text).split("\n")]
        fields = [": ".join(self.text(t).split("\n")) for t in _texts(*block.get("fields", []))]
        return [*lines, *([" · ".join(fields)] if fields else [])]


def _texts(*objects: Any) -> list[str]:
    return [o["text"] for o in objects if isinstance(o, dict) and isinstance(o.get("text"), str)]


def _wrapped(match: re.Match[str], marks: tuple[str, str]) -> str:
    return _wrap(match.group(1), marks)


def _wrap(text: str, marks: tuple[str, str]) -> str:
    return f"{marks[0]}{text}{marks[1]}"


def _quoted(line: str, style: Style) -> str:
    for mark in ("> ", "&gt; "):
        if line.startswith(mark):
            return style.quote + line[len(mark) :]
    return line


def _entities(text: str) -> str:
    """Slack escapes these three in mrkdwn; a client shows the characters."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
