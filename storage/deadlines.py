"""Deadlines people type (`due:friday`, `due:"dec 3 5pm"`, `due:2026-12-04`), read in their own time zone.

A date without a time means the end of that business day (17:00) for the person who typed it. Stored as
UTC. A deadline already past is refused with the time it was understood as, so a misreading is caught.
"""

from __future__ import annotations

import re
import warnings
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from storage.errors import InvalidInput

END_OF_DAY = time(17, 0)
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d")
FORMATS = "2026-12-04, 12/4, dec 4, dec 4 5pm, friday, next friday, tomorrow, in 3 days"
_HAS_TIME = re.compile(
    r"\d{1,2}(:\d{2})?\s*([ap]\.?m\.?)\b|\b\d{1,2}:\d{2}\b|\bnoon\b|\bmidnight\b", re.IGNORECASE
)


def parse_due(text: str, timezone: str, now: datetime) -> datetime:
    """The moment `text` means for someone in `timezone`, as an aware datetime; InvalidInput otherwise."""
    zone = ZoneInfo(timezone)
    local_now = now.astimezone(zone)
    moment = _parse(text.strip(), zone, local_now)
    if moment is None:
        raise InvalidInput(f"`due:{text}` is not a date Liaison understands. Try one of: {FORMATS}.", "due")
    if not _HAS_TIME.search(text) and not _ISO_TIME.search(text):
        moment = datetime.combine(moment.date(), END_OF_DAY, tzinfo=zone)
    if moment <= local_now:
        raise InvalidInput(
            f"`due:{text}` is in the past: Liaison read it as {spoken(moment)}. Give a later date.", "due"
        )
    return moment


def unreadable(text: str) -> str | None:
    """Why `text` is no deadline at all, whoever typed it and wherever they are; None if it reads as one."""
    if not text.strip():
        return f"Give a date, like one of: {FORMATS}."
    if _parse(text.strip(), ZoneInfo("UTC"), datetime.now(ZoneInfo("UTC"))) is None:
        return f"Liaison does not understand `{text}` as a date. Try one of: {FORMATS}."
    return None


def spoken(moment: datetime) -> str:
    """A deadline in words in its own zone, so a person can check it: Friday, December 4, 5:00 PM EST."""
    return f"{moment:%A, %B} {moment.day}, {moment:%-I:%M %p %Z}"


def business_days_after(start: datetime, days: int) -> datetime:
    """End of the business day `days` working days after `start` (Monday to Friday), in start's zone."""
    day = start.date()
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return datetime.combine(day, END_OF_DAY, tzinfo=start.tzinfo)


def _parse(text: str, zone: ZoneInfo, local_now: datetime) -> datetime | None:
    try:
        return datetime.combine(date.fromisoformat(text), END_OF_DAY, tzinfo=zone)
    except ValueError:
        pass
    import dateparser  # heavy to import (regex tables for every language); only needed for typed words

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dateparser warns about its own use of deprecated APIs
        parsed = dateparser.parse(
            text,
            languages=["en"],
            settings={
                "PREFER_DATES_FROM": "future",
                "RELATIVE_BASE": local_now.replace(tzinfo=None),
                "TIMEZONE": str(zone),
                "RETURN_AS_TIMEZONE_AWARE": True,
            },
        )
    return parsed.astimezone(zone) if parsed is not None else None
