"""Deadlines people type, read in their own time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from storage.deadlines import business_days_after, parse_due, spoken
from storage.errors import InvalidInput

NEW_YORK = "America/New_York"
TUESDAY_MORNING = datetime(2026, 11, 24, 14, 37, tzinfo=UTC)  # 09:37 in New York


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-12-04", "Friday, December 4, 5:00 PM EST"),
        ("Thursday", "Thursday, November 26, 5:00 PM EST"),  # a capital T is not an ISO time
        ("Tomorrow", "Wednesday, November 25, 5:00 PM EST"),
        ("dec 3 5pm", "Thursday, December 3, 5:00 PM EST"),
        ("2026-12-04T09:30", "Friday, December 4, 9:30 AM EST"),
    ],
)
def test_a_date_without_a_time_is_the_end_of_that_business_day(typed: str, expected: str) -> None:
    assert spoken(parse_due(typed, NEW_YORK, TUESDAY_MORNING)) == expected


def test_the_same_words_mean_the_persons_own_zone() -> None:
    chicago = parse_due("2026-12-04", "America/Chicago", TUESDAY_MORNING)
    new_york = parse_due("2026-12-04", NEW_YORK, TUESDAY_MORNING)
    assert (chicago - new_york).total_seconds() == 3600


def test_a_past_or_unreadable_date_is_refused_saying_how_it_was_read() -> None:
    with pytest.raises(InvalidInput, match="is in the past: Liaison read it as Thursday, January 1"):
        parse_due("2026-01-01", NEW_YORK, TUESDAY_MORNING)
    with pytest.raises(InvalidInput, match=r"not a date Liaison understands\. Try one of:"):
        parse_due("someday", NEW_YORK, TUESDAY_MORNING)


def test_business_days_skip_the_weekend() -> None:
    friday = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo(NEW_YORK))
    assert spoken(business_days_after(friday, 1)) == "Monday, November 30, 5:00 PM EST"
