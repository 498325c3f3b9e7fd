"""A training session as typed (the form), read field by field: each problem names its field and what to
write instead."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from storage.errors import InvalidInput
from storage.library_drafts import review_due
from storage.library_tables import Audience

MINUTES = range(15, 8 * 60 + 1)
CATEGORIES = ("general", "ethics", "professionalism", "diversity", "skills", "substantive")


@dataclass
class Plan:
    """A session as typed (a form or a command), checked: `problems` maps a field to what is wrong."""

    title: str = ""
    description: str = ""
    starts_at: datetime | None = None
    minutes: int = 60
    place: str = ""
    audience: str = Audience.agreement
    readers: list[str] = field(default_factory=list)
    capacity: int | None = None
    presenters: list[str] = field(default_factory=list)
    cle_hours: float = 0.0
    cle_category: str = "general"
    course_number: str | None = None
    cle_state: str | None = None
    materials: list[str] = field(default_factory=list)
    code: bool = False
    problems: dict[str, str] = field(default_factory=dict)


def minutes_of(text: str | None, problems: dict[str, str]) -> int:
    """`90`, `90m`, `1.5h`, `1h30` as minutes."""
    typed = (text or "60").strip().lower().replace(" ", "")
    match = re.fullmatch(r"(?:([0-9]{1,2}(?:\.[0-9]{1,2})?)h)?(?:([0-9]{1,4})m?(?:in|ins|inutes)?)?", typed)
    total = 0
    if match and (match[1] or match[2]):
        total = round(float(match[1] or 0) * 60) + int(match[2] or 0)
    if total not in MINUTES:
        problems["length"] = (
            f"`{(text or '')[:40]}` is not a length; give minutes from 15 to 480, like `90` or `1h30`."
        )
        return 60
    return total


def capacity_of(text: str | None, problems: dict[str, str]) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,5}", text) or not 1 <= int(text) <= 10_000:
        problems["capacity"] = f"`{text}` is not a number of seats; give a whole number, or leave it empty."
        return None
    return int(text)


def hours_of(text: str | None, problems: dict[str, str]) -> float:
    text = (text or "").strip()
    if not text:
        return 0.0
    try:
        hours = float(text)
    except ValueError:
        hours = -1.0
    if not 0 <= hours <= 24 or round(hours * 4) != hours * 4:
        problems["cle_hours"] = f"`{text}` is not a number of CLE hours; give quarter hours like `1.5`."
        return 0.0
    return hours


REPEATS = ("none", "weekly", "monthly")


def series_of(repeat: str, times: str) -> tuple[str, int]:
    """(how it repeats, how many sessions in all); InvalidInput naming what is wrong."""
    repeat = (repeat or "none").lower()
    if repeat not in REPEATS:
        raise InvalidInput(f"`{repeat}` is not a way to repeat; use none, weekly or monthly.", "repeat")
    if repeat == "none":
        return repeat, 1
    if not re.fullmatch(r"[0-9]{1,2}", times.strip()) or not 2 <= int(times) <= 12:
        raise InvalidInput(
            f"A {repeat} series needs how many sessions in all, from 2 to 12 (not `{times}`).", "times"
        )
    return repeat, int(times)


def series(start: datetime | None, zone: str, repeat: str, times: int) -> list[datetime]:
    """The starts of a series at the same wall-clock time in the organizer's zone (so daylight saving does
    not move it an hour), weekly or on the same day of each month (the month's last day when shorter)."""
    assert start is not None
    local = start.astimezone(ZoneInfo(zone))
    starts = []
    for k in range(times):
        if repeat == "weekly":
            day = local.date() + timedelta(days=7 * k)
        else:
            day = review_due(local.date(), k) if k else local.date()
        starts.append(datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=ZoneInfo(zone)))
    return starts
