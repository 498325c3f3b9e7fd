"""Deadlines people type (`due:friday`, `due:"dec 3 5pm"`, `due:2026-12-04`), read in their own time zone.

A date without a time means the end of that business day (17:00) for the person who typed it. Stored as
UTC. A deadline already past is refused with the time it was understood as, so a misreading is caught.

Business days follow the court calendar (storage/court_calendar.py), passed in: weekends, the region's
public holidays and the office's closures are not business days. A date that lands on a weekday the office
is closed (a holiday, a closure) moves to the next open day, at the same time, and says why. A weekend date
stays where it was typed: weekends are no surprise to anyone, and some partners work Saturdays.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from storage.court_calendar import NO_HOLIDAYS, CourtCalendar
from storage.errors import InvalidInput

END_OF_DAY = time(17, 0)
# How far ahead a deadline or a session may be: further is a typo (`2062` for `2026`), and dates near the
# end of the calendar (year 9999) cannot be moved to a next open day or shown in every time zone.
FURTHEST = timedelta(days=5 * 365 + 1)
FURTHEST_IN_WORDS = "five years"
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d")
FORMATS = (
    "2026-12-04, 12/4, dec 4, dec 4 5pm, friday, next friday, tomorrow, in 3 days, in 2 business days, "
    "in 10 court days, eod"
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_EOD = re.compile(r"^(eod|end of (the )?day|today)$", re.IGNORECASE)
_BUSINESS_DAYS = re.compile(r"^in (\d{1,3}) (business|working|court) days?$", re.IGNORECASE)
_NEXT_WEEKDAY = re.compile(rf"^next ({'|'.join(_WEEKDAYS)})$", re.IGNORECASE)
_DAY_MONTH = re.compile(r"^(\d{1,2})/(\d{1,2})(/\d{2,4})?\b")
_HAS_TIME = re.compile(
    r"\d{1,2}(:\d{2})?\s*([ap]\.?m\.?)\b|\b\d{1,2}:\d{2}\b|\bnoon\b|\bmidnight\b", re.IGNORECASE
)


@dataclass(frozen=True)
class Due:
    """A deadline, and why it is not the day that was typed when the office is closed on that day."""

    at: datetime
    moved: str | None = None  # "moved from Monday, January 18: Martin Luther King Jr. Day", for the read-back


def parse_due(text: str, timezone: str, now: datetime, calendar: CourtCalendar) -> Due:
    """The moment `text` means for someone in `timezone`, as an aware datetime, moved off a day the office
    is closed; InvalidInput otherwise."""
    zone = ZoneInfo(timezone)
    local_now = now.astimezone(zone)
    if _MONTH_ALONE.fullmatch(text.strip()):  # `due:Dec 4` without quotes: the 4 went elsewhere
        raise InvalidInput(
            f"`due:{text}` names a month but no day. Put a date with spaces in quotes, like "
            f'`due:"{text.strip()} 4"`, or write `due:2026-12-04`.',
            "due",
        )
    moment = _parse(text.strip(), zone, local_now, calendar)
    if moment is None:
        raise InvalidInput(f"`due:{text}` is not a date Liaison understands. Try one of: {FORMATS}.", "due")
    if not _HAS_TIME.search(text) and not _ISO_TIME.search(text):
        moment = datetime.combine(moment.date(), END_OF_DAY, tzinfo=zone)
    read = spoken(moment, local_now)
    if moment <= local_now:
        raise InvalidInput(
            f"`due:{text}` is in the past: Liaison read it as {read}. Give a later date.", "due"
        )
    if too_far(moment, local_now):
        raise InvalidInput(
            f"`due:{text}` is more than {FURTHEST_IN_WORDS} away: Liaison read it as {read}. Give a date no "
            f"later than {spoken_date((local_now + FURTHEST).date())}.",
            "due",
        )
    return on_open_day(moment, calendar)


def too_far(moment: datetime, local_now: datetime) -> bool:
    return moment.date() > (local_now + FURTHEST).date()


def spoken_date(day: date) -> str:
    return f"{day:%A, %B} {day.day}, {day.year}"


def on_open_day(moment: datetime, calendar: CourtCalendar) -> Due:
    """`moment`, or the same time on the next day the office is open when a holiday or a closure falls on
    its (weekday) date, saying why it moved."""
    day = moment.date()
    if day.weekday() >= 5 or calendar.is_open(day):
        return Due(moment)
    opened = datetime.combine(calendar.next_open(day), moment.timetz())
    return Due(opened, f"moved from {day:%A, %B} {day.day}: {calendar.why_closed(day)}")


def unreadable(text: str) -> str | None:
    """Why `text` is no deadline at all, whoever typed it and wherever they are; None if it reads as one."""
    if not text.strip():
        return f"Give a date, like one of: {FORMATS}."
    if _parse(text.strip(), ZoneInfo("UTC"), datetime.now(ZoneInfo("UTC")), NO_HOLIDAYS) is None:
        return f"Liaison does not understand `{text}` as a date. Try one of: {FORMATS}."
    return None


def read_day(text: str, today: date) -> date | None:
    """The day `text` names, read as a deadline would be (`dec 24` is the next December 24), to show
    someone how to write it where only year-month-day is taken; None when it names no day."""
    noon = datetime.combine(today, time(12), tzinfo=ZoneInfo("UTC"))
    moment = _parse(text.strip(), ZoneInfo("UTC"), noon, NO_HOLIDAYS) if text.strip() else None
    return moment.date() if moment is not None else None


def spoken(moment: datetime, now: datetime | None) -> str:
    """A deadline in words in its own zone, so a person can check it: Friday, December 4, 5:00 PM EST. The
    year too when it is not the reader's current year at `now` (Wednesday, December 11, 2030, ...): a
    typo'd year must show in the read-back. `now` None: always the year (a document read years later)."""
    this_year = now is not None and now.astimezone(moment.tzinfo).year == moment.year
    return f"{moment:%A, %B} {moment.day}{'' if this_year else f', {moment.year}'}, {moment:%-I:%M %p %Z}"


def business_days_after(start: datetime, days: int, calendar: CourtCalendar) -> datetime:
    """End of the business day `days` business days after `start`, in start's zone."""
    day = start.date()
    while days > 0:
        day += timedelta(days=1)
        if calendar.is_open(day):
            days -= 1
    return datetime.combine(day, END_OF_DAY, tzinfo=start.tzinfo)


def ambiguity(text: str, moment: datetime) -> str | None:
    """A note when `text` could be read two ways: 12/3 is read month first (December 3), as Slack's US
    English does; someone who meant the 12th of March is told how to say so."""
    match = _DAY_MONTH.match(text.strip())
    if match is None or int(match[1]) > 12 or int(match[2]) > 12 or match[1] == match[2]:
        return None
    other = date(moment.year, int(match[2]), int(match[1]))
    if other < moment.date() - timedelta(days=183):  # the next time that date comes, not a past one
        other = other.replace(year=other.year + 1)
    return (
        f"`{text.strip()}` was read month first, as {moment:%B} {moment.day}. If you meant "
        f"{other:%B} {other.day}, give it as `{other.isoformat()}`."
    )


WORKDAY_START, WORKDAY_END = time(8, 0), time(18, 0)


def business_day_before(moment: datetime, calendar: CourtCalendar) -> datetime:
    """The same time of day one business day earlier (a Monday deadline's is the Friday before; a
    Tuesday's after Labor Day, the Friday before that)."""
    day = moment.date() - timedelta(days=1)
    while not calendar.is_open(day):
        day -= timedelta(days=1)
    return datetime.combine(day, moment.timetz())


def business_days_before(moment: datetime, days: int, calendar: CourtCalendar) -> datetime:
    """The same time of day `days` business days earlier."""
    while days > 0:
        moment, days = business_day_before(moment, calendar), days - 1
    return moment


def is_working_time(local: datetime, calendar: CourtCalendar) -> bool:
    """08:00 to 18:00 on a day the office is open, in the zone `local` is in: when people may be reminded."""
    return calendar.is_open(local.date()) and WORKDAY_START <= local.time() < WORKDAY_END


def business_days_between(first: date, last: date, calendar: CourtCalendar) -> int:
    """Business days after `first` up to and including `last`."""
    count, day = 0, first
    while day < last:
        day += timedelta(days=1)
        count += calendar.is_open(day)
    return count


# A month with no day, which dateparser would read as that month on today's day number.
_MONTH_ALONE = re.compile(
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?",
    re.IGNORECASE,
)


def _parse(text: str, zone: ZoneInfo, local_now: datetime, calendar: CourtCalendar) -> datetime | None:
    if _MONTH_ALONE.fullmatch(text):
        return None
    try:
        return datetime.combine(date.fromisoformat(text), END_OF_DAY, tzinfo=zone)
    except ValueError:
        pass
    if _EOD.match(text):
        return datetime.combine(local_now.date(), END_OF_DAY, tzinfo=zone)
    if match := _BUSINESS_DAYS.match(text):
        return business_days_after(local_now, int(match[1]), calendar)
    if match := _NEXT_WEEKDAY.match(text):  # the one in the week after this one: on a Tuesday, "next
        # friday" is not three days away
        monday = local_now.date() + timedelta(days=7 - local_now.weekday())
        day = monday + timedelta(days=_WEEKDAYS.index(match[1].lower()))
        return datetime.combine(day, END_OF_DAY, tzinfo=zone)
    import dateparser  # heavy to import (regex tables for every language); only needed for typed words

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dateparser warns about its own use of deprecated APIs
        try:
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
        except (OverflowError, ValueError):  # past the calendar's end (`dec 31 9999 11pm` in UTC is 10000)
            return None


def parse_start(text: str, timezone: str, now: datetime) -> datetime:
    """When something starts (a training session), typed in the person's own zone: a date and a time, in
    the future; InvalidInput saying what was read otherwise."""
    zone = ZoneInfo(timezone)
    local_now = now.astimezone(zone)
    # A session may be set on any day: the office's calendar does not move it.
    moment = _parse(text.strip(), zone, local_now, NO_HOLIDAYS) if text.strip() else None
    if moment is None:
        raise InvalidInput(
            f"`{text}` is not a date and time Liaison understands; write it like `dec 11 2pm` or "
            "`next friday 10:30am`.",
            "start",
        )
    if not _HAS_TIME.search(text) and not _ISO_TIME.search(text):
        raise InvalidInput(f"`{text}` has no time of day; add one, like `{text} 2pm`.", "start")
    read = spoken(moment, local_now)
    if moment <= local_now:
        raise InvalidInput(
            f"`{text}` is in the past: Liaison read it as {read}. Give a later start.", "start"
        )
    if too_far(moment, local_now):
        raise InvalidInput(
            f"`{text}` is more than {FURTHEST_IN_WORDS} away: Liaison read it as {read}. Give a start "
            f"no later than {spoken_date((local_now + FURTHEST).date())}.",
            "start",
        )
    return moment
