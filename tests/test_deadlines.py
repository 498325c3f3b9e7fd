"""Deadlines people type, read in their own time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from storage.court_calendar import NO_HOLIDAYS, CourtCalendar
from storage.deadlines import ambiguity, business_days_after, parse_due, spoken, unreadable
from storage.errors import InvalidInput

NEW_YORK = "America/New_York"
TUESDAY_MORNING = datetime(2026, 11, 24, 14, 37, tzinfo=UTC)  # 09:37 in New York, before Thanksgiving
US = CourtCalendar("US")


def due(typed: str, zone: str = NEW_YORK, calendar: CourtCalendar = NO_HOLIDAYS) -> datetime:
    return parse_due(typed, zone, TUESDAY_MORNING, calendar).at


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-12-04", "Friday, December 4, 5:00 PM EST"),
        ("Thursday", "Thursday, November 26, 5:00 PM EST"),  # a capital T is not an ISO time
        ("Tomorrow", "Wednesday, November 25, 5:00 PM EST"),
        ("dec 3 5pm", "Thursday, December 3, 5:00 PM EST"),
        ("2026-12-04T09:30", "Friday, December 4, 9:30 AM EST"),
        ("12/3", "Thursday, December 3, 5:00 PM EST"),
        ("friday", "Friday, November 27, 5:00 PM EST"),
        ("next friday", "Friday, December 4, 5:00 PM EST"),  # the one in next week, not in three days
        ("in 3 days", "Friday, November 27, 5:00 PM EST"),
        ("in 2 business days", "Thursday, November 26, 5:00 PM EST"),
        ("in 2 court days", "Thursday, November 26, 5:00 PM EST"),
        ("EOD", "Tuesday, November 24, 5:00 PM EST"),
    ],
)
def test_a_date_without_a_time_is_the_end_of_that_business_day(typed: str, expected: str) -> None:
    assert spoken(due(typed), TUESDAY_MORNING) == expected


@pytest.mark.parametrize(
    ("typed", "expected", "moved"),
    [
        (
            "Thursday",
            "Friday, November 27, 5:00 PM EST",
            "moved from Thursday, November 26: Thanksgiving Day",
        ),
        (
            "nov 26 2pm",
            "Friday, November 27, 2:00 PM EST",
            "moved from Thursday, November 26: Thanksgiving Day",
        ),
        ("in 2 business days", "Friday, November 27, 5:00 PM EST", None),  # counted past it, not moved
        ("in 2 court days", "Friday, November 27, 5:00 PM EST", None),
        ("2026-11-28", "Saturday, November 28, 5:00 PM EST", None),  # a weekend date stays as typed
        ("2026-12-25", "Monday, December 28, 5:00 PM EST", "moved from Friday, December 25: Christmas Day"),
    ],
)
def test_with_the_court_calendar_a_holiday_is_no_business_day(
    typed: str, expected: str, moved: str | None
) -> None:
    found = parse_due(typed, NEW_YORK, TUESDAY_MORNING, US)
    assert (spoken(found.at, TUESDAY_MORNING), found.moved) == (expected, moved)


def test_the_same_words_mean_the_persons_own_zone() -> None:
    chicago = due("2026-12-04", "America/Chicago")
    new_york = due("2026-12-04", NEW_YORK)
    assert (chicago - new_york).total_seconds() == 3600


def test_a_past_or_unreadable_date_is_refused_saying_how_it_was_read() -> None:
    with pytest.raises(InvalidInput, match="is in the past: Liaison read it as Thursday, January 1"):
        due("2026-01-01")
    with pytest.raises(InvalidInput, match=r"not a date Liaison understands\. Try one of:"):
        due("someday")


def test_a_deadline_in_another_year_is_read_back_with_its_year() -> None:
    """A mistyped year (2030 for 2026) shows in the read-back; this year's dates stay short."""
    assert spoken(due("2030-12-11"), TUESDAY_MORNING) == "Wednesday, December 11, 2030, 5:00 PM EST"
    assert spoken(due("2027-01-15"), TUESDAY_MORNING) == "Friday, January 15, 2027, 5:00 PM EST"
    assert spoken(due("2026-12-31"), TUESDAY_MORNING) == "Thursday, December 31, 5:00 PM EST"
    with pytest.raises(InvalidInput, match="Liaison read it as Monday, December 1, 2025, 5:00 PM EST"):
        due("2025-12-01")


@pytest.mark.parametrize("typed", ["9999-12-31", "9999-12-31 9am", "2031-11-25"])
def test_a_deadline_years_away_is_refused_saying_how_far_liaison_reads(typed: str) -> None:
    """Up to five years ahead; past that a typo, and near the calendar's end no day could follow it."""
    with pytest.raises(InvalidInput) as refused:
        parse_due(typed, NEW_YORK, TUESDAY_MORNING, CourtCalendar("US", {date(9999, 12, 31): "far"}))
    assert f"`due:{typed}` is more than five years away" in refused.value.message, refused.value.message
    assert "Give a date no later than Monday, November 24, 2031." in refused.value.message
    assert spoken(due("2031-11-24"), TUESDAY_MORNING) == "Monday, November 24, 2031, 5:00 PM EST"
    # Past the calendar's end in UTC (year 10000): not a date at all, said so, never an OverflowError.
    with pytest.raises(InvalidInput, match="is not a date Liaison understands"):
        due("dec 31 9999 11pm")


def test_the_next_open_day_after_the_calendar_s_end_is_refused_not_overflowed() -> None:
    last = CourtCalendar("US", {date(9999, 12, 31): "far"})
    with pytest.raises(InvalidInput, match="There is no open day after Friday, December 31, 9999"):
        last.next_open(date(9999, 12, 31))


def test_business_days_skip_the_weekend() -> None:
    friday = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo(NEW_YORK))
    assert spoken(business_days_after(friday, 1, US), friday) == "Monday, November 30, 5:00 PM EST"


def test_a_date_that_reads_two_ways_says_how_it_was_read() -> None:
    moment = due("12/3")
    assert ambiguity("12/3", moment) == (
        "`12/3` was read month first, as December 3. If you meant March 12, give it as `2027-03-12`."
    )
    assert ambiguity("12/13", due("12/13")) is None  # only one reading
    assert ambiguity("friday", moment) is None


def test_what_is_no_date_at_all_is_told_before_anyone_s_zone_is_known() -> None:
    assert unreadable("when pigs fly") == (
        "Liaison does not understand `when pigs fly` as a date. Try one of: 2026-12-04, 12/4, dec 4, "
        "dec 4 5pm, friday, next friday, tomorrow, in 3 days, in 2 business days, in 10 court days, eod."
    )
    assert unreadable("next friday") is None
