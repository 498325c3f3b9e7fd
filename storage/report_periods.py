"""The period a report covers, as people say it: `last-month` (the default), `this-month`, `2026-11`,
`2026-Q3`, `last-quarter`, `2026`, or `from:2026-09-01 to:2026-10-15`. Office days, both ends included,
read in the office's time zone; the report's data cut-off is the moment it is built."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from storage.errors import InvalidInput

SAID = (
    "`last-month`, `this-month`, `2026-11`, `2026-Q3`, `last-quarter`, `2026`, "
    "or `from:2026-09-01 to:2026-10-15`"
)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-?q([1-4])$", re.IGNORECASE)
_YEAR = re.compile(r"^(\d{4})$")


@dataclass(frozen=True)
class ReportPeriod:
    first: date  # office days, both included
    last: date
    words: str  # "November 2026", "2026-Q3 (July 1 to September 30, 2026)"
    since: datetime  # UTC, included
    until: datetime  # UTC, excluded: the day after `last` began, or the cut-off if sooner

    @property
    def key(self) -> str:
        return f"{self.first.isoformat()}..{self.last.isoformat()}"


def month_of(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    if first.month == 12:  # December's end by name: the day after December 9999 is not a date
        return first, first.replace(day=31)
    return first, first.replace(month=first.month + 1) - timedelta(days=1)


def quarter_of(day: date) -> tuple[date, date]:
    start_month = 3 * ((day.month - 1) // 3) + 1
    first = date(day.year, start_month, 1)
    return first, month_of(date(day.year, start_month + 2, 1))[1]


def quarter_name(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def read_period(
    said: str | None, first: str | None, last: str | None, zone: ZoneInfo, now: datetime
) -> ReportPeriod:
    """The period meant by `period:` or by `from:`/`to:`; InvalidInput saying what was wrong otherwise."""
    today = now.astimezone(zone).date()
    if said is not None and (first is not None or last is not None):
        raise InvalidInput("Give either `period:` or `from:`/`to:`, not both.", "period")
    if first is not None or last is not None:
        start = _day("from", first) if first else None
        end = _day("to", last) if last else today
        if start is None:
            raise InvalidInput("`to:` needs a `from:` too, like `from:2026-09-01 to:2026-10-15`.", "from")
        if start > today:  # before the check below: a `to:` left out is today, which the person never wrote
            raise InvalidInput(f"`from:{start}` has not begun yet; give a period up to today.", "from")
        if end < start:
            raise InvalidInput(f"`to:{end}` comes before `from:{start}`; swap them.", "to")
        # A `to:` still to come reads as today: the report says "(so far)", and a `to:9999-12-31` would
        # otherwise be thousands of empty weeks (and a day after it no date at all).
        shown_end = min(end, max(start, today))
        return _period(start, end, f"{_spoken(start)} to {_spoken(shown_end)}", zone, now)
    word = (said or "last-month").strip().lower()
    if (match := re.match(r"^(\d{4})", word)) and int(match[1]) < 2000:  # year 0 is not even a date
        raise InvalidInput(
            f"`period:{said}` is before anything Liaison keeps; give a later period.", "period"
        )
    if word in ("last-month", "this-month"):
        anchor = today if word == "this-month" else today.replace(day=1) - timedelta(days=1)
        start, end = month_of(anchor)
        return _period(start, end, f"{start:%B %Y}", zone, now)
    if word in ("last-quarter", "this-quarter"):
        anchor = today if word == "this-quarter" else quarter_of(today)[0] - timedelta(days=1)
        start, end = quarter_of(anchor)
        return _period(start, end, _quarter_words(start, end), zone, now)
    if match := _MONTH.match(word):
        if not 1 <= int(match[2]) <= 12:
            raise InvalidInput(f"`period:{said}` has no month {match[2]}; months are 01 to 12.", "period")
        start, end = month_of(date(int(match[1]), int(match[2]), 1))
        return _period(start, end, f"{start:%B %Y}", zone, now)
    if match := _QUARTER.match(word):
        start, end = quarter_of(date(int(match[1]), 3 * int(match[2]) - 2, 1))
        return _period(start, end, _quarter_words(start, end), zone, now)
    if match := _YEAR.match(word):
        start, end = date(int(match[1]), 1, 1), date(int(match[1]), 12, 31)
        return _period(start, end, match[1], zone, now)
    raise InvalidInput(f"`period:{said}` is not a period Liaison knows. Try {SAID}.", "period")


def _period(start: date, end: date, words: str, zone: ZoneInfo, now: datetime) -> ReportPeriod:
    today = now.astimezone(zone).date()
    if start.year < 2000:
        raise InvalidInput(f"{words} is before anything Liaison keeps; give a later period.", "period")
    if start > today:
        raise InvalidInput(f"{words} has not begun yet; give a period up to today.", "period")
    if end >= today:  # what has not happened yet is not measured: the period ends with today's cut-off
        end, words = today, words + " (so far)"
    since = datetime.combine(start, time(), zone).astimezone(UTC)
    until = datetime.combine(end + timedelta(days=1), time(), zone).astimezone(UTC)
    return ReportPeriod(start, end, words, since, min(until, now.astimezone(UTC)))


def _quarter_words(start: date, end: date) -> str:
    return f"{quarter_name(start)} ({start:%B} {start.day} to {_spoken(end)})"


def _spoken(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _day(key: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"`{key}:{value}` is not a date; write it as YYYY-MM-DD.", key) from None
