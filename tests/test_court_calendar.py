"""The court calendar's arithmetic, on a labelled corpus of business days around holidays (several years,
holidays next to weekends, observed days, a state's own holidays), and the region setting.

Each expected day below was worked out by hand from the federal and Illinois calendars (OPM's published
federal holiday tables for the observed days), not read back from the `holidays` package: the corpus is
what shows the package and Liaison's use of it agree with the calendar the courts keep."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.config import ConfigError, load_settings
from storage import regions
from storage.court_calendar import CourtCalendar
from storage.deadlines import (
    business_day_before,
    business_days_after,
    business_days_between,
    is_working_time,
    parse_due,
)
from storage.errors import InvalidInput

CHICAGO = ZoneInfo("America/Chicago")
US, ILLINOIS = CourtCalendar("US"), CourtCalendar("US-IL")


# start, business days, region (+ closures), expected: label. Written by hand, checked by no code.
CORPUS = """
2026-12-01 +3 US 2026-12-04: an ordinary week
2026-12-04 +1 US 2026-12-07: over a weekend
2026-11-25 +1 US 2026-11-27: Thanksgiving, a Thursday
2026-07-02 +1 US 2026-07-06: July 4 2026 on a Saturday is observed on Friday July 3
2027-07-02 +1 US 2027-07-06: July 4 2027 on a Sunday is observed on Monday July 5
2020-07-02 +1 US 2020-07-06: July 4 2020 on a Saturday, Friday July 3 observed
2027-12-23 +1 US 2027-12-27: Christmas 2027 on a Saturday, Friday December 24 observed
2027-12-30 +1 US 2028-01-03: New Year's Day 2028 on a Saturday, Friday December 31 2027 observed
2021-12-30 +1 US 2022-01-03: New Year's Day 2022 on a Saturday, Friday December 31 2021 observed
2022-12-23 +1 US 2022-12-27: Christmas 2022 on a Sunday, Monday December 26 observed
2022-12-30 +1 US 2023-01-03: New Year's Day 2023 on a Sunday, Monday January 2 observed
2020-06-18 +1 US 2020-06-19: Juneteenth, not a holiday before 2021
2021-06-17 +1 US 2021-06-21: Juneteenth 2021 on a Saturday, Friday June 18 observed
2022-06-17 +1 US 2022-06-21: Juneteenth 2022 on a Sunday, Monday June 20 observed
2028-11-09 +1 US 2028-11-13: Veterans Day 2028 on a Saturday, Friday November 10 observed
2027-01-15 +1 US 2027-01-19: Martin Luther King Jr. Day 2027
2026-09-01 +10 US 2026-09-16: ten business days across Labor Day 2026
2026-12-23 +3 US 2026-12-29: across Christmas 2026, a Friday
2026-10-09 +1 US 2026-10-13: Columbus Day 2026, a federal holiday
2027-02-11 +1 US 2027-02-12: Lincoln's Birthday is no federal holiday
2027-02-11 +1 US-IL 2027-02-16: Illinois, Lincoln's Birthday on Friday, then Washington's Birthday
2027-02-26 +1 US 2027-03-01: Casimir Pulaski Day is no federal holiday
2027-02-26 +1 US-IL 2027-03-02: Illinois, Casimir Pulaski Day, the first Monday of March
2028-02-10 +1 US-IL 2028-02-14: Illinois, Lincoln's Birthday 2028 on a Saturday, Friday observed
2026-02-27 +3 US-IL 2026-03-05: Illinois, three court days across Pulaski Day 2026
2026-12-23 +1 US+2026-12-24 2026-12-28: an office closure the day before Christmas
"""


@dataclass(frozen=True)
class After:
    """`days` business days after `start` is `expected`."""

    label: str
    calendar: CourtCalendar
    start: date
    days: int
    expected: date


def _case(line: str) -> After:
    facts, label = line.split(": ", 1)
    start, days, where, expected = facts.split()
    region, *closed = where.split("+")
    closures = {date.fromisoformat(day): "courthouse closed" for day in closed}
    return After(
        label,
        CourtCalendar(region, closures),
        date.fromisoformat(start),
        int(days),
        date.fromisoformat(expected),
    )


AFTER = [_case(line) for line in CORPUS.strip().splitlines()]


@pytest.mark.parametrize("case", AFTER, ids=[case.label for case in AFTER])
def test_business_days_skip_weekends_holidays_their_observed_days_and_closures(case: After) -> None:
    start = datetime.combine(case.start, datetime.min.time().replace(hour=10), CHICAGO)
    assert business_days_after(start, case.days, case.calendar).date() == case.expected


def test_the_corpus_runs_both_ways_the_day_before_and_the_days_between() -> None:
    """The business day before each expected day, and the count between, agree with the corpus."""
    for case in AFTER:
        if case.days != 1:
            continue
        due = datetime.combine(case.expected, datetime.min.time().replace(hour=17), CHICAGO)
        before = business_day_before(due, case.calendar).date()
        assert case.calendar.is_open(before) and before <= case.start, case.label
        assert business_days_between(case.start, case.expected, case.calendar) == 1, case.label
        assert business_days_between(before, case.expected, case.calendar) == 1, case.label


@pytest.mark.parametrize(
    ("label", "calendar", "day", "why"),
    [
        ("the observed day carries the holiday's name", US, date(2026, 7, 3), "Independence Day (observed)"),
        ("a weekend day", US, date(2026, 7, 4), "Saturday"),
        ("a state holiday", ILLINOIS, date(2027, 3, 1), "Casimir Pulaski Day"),
        ("an open day", ILLINOIS, date(2027, 3, 2), None),
        ("a closure", CourtCalendar("US", {date(2026, 12, 24): "snow"}), date(2026, 12, 24), "snow"),
    ],
)
def test_the_calendar_says_why_a_day_is_closed(
    label: str, calendar: CourtCalendar, day: date, why: str | None
) -> None:
    assert calendar.why_closed(day) == why, label


def test_nobody_is_reminded_on_a_holiday_even_in_working_hours() -> None:
    labor_day = datetime(2026, 9, 7, 10, 0, tzinfo=CHICAGO)
    assert not is_working_time(labor_day, US)
    assert is_working_time(labor_day.replace(day=8), US)


def test_in_three_court_days_counts_past_a_state_holiday() -> None:
    friday = datetime(2027, 2, 26, 15, 0, tzinfo=ZoneInfo("UTC"))  # 9 AM in Chicago
    due = parse_due("in 3 court days", "America/Chicago", friday, ILLINOIS)
    assert (due.at.date(), due.moved) == (date(2027, 3, 4), None)  # Tue, Wed, Thu: Pulaski Day skipped


@pytest.mark.parametrize(
    ("typed", "region"),
    [
        ("US", "US"),
        ("us-il", "US-IL"),
        (" US-CA ", "US-CA"),
        ("GB-SCT", "GB-SCT"),
        ("CA-ON", "CA-ON"),
        ("USA", "US"),  # a country's three-letter code is that country, as the package spells it
        ("ISR", "IL"),
        ("CAN-ON", "CA-ON"),
        ("PR", "PR"),  # a territory's own code is the territory either way
    ],
)
def test_a_region_the_package_knows_is_taken_as_it_spells_it(typed: str, region: str) -> None:
    assert regions.region(typed) == region


@pytest.mark.parametrize(
    ("typed", "country", "state", "alpha3"),
    [
        ("IL", "Israel", "Illinois", "ISR"),
        ("in", "India", "Indiana", "IND"),
        ("PA", "Panama", "Pennsylvania", "PAN"),
        ("GA", "Gabon", "Georgia", "GAB"),
        ("DE", "Germany", "Delaware", "DEU"),
        ("CA", "Canada", "California", "CAN"),
    ],
)
def test_a_bare_code_that_is_also_a_us_state_s_is_refused_saying_how_to_write_either(
    typed: str, country: str, state: str, alpha3: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        regions.region(typed)
    code = typed.upper()
    assert refused.value.message == (
        f"{code} is {country}'s country code in the holidays package, and also the abbreviation of {state}, "
        f"so Liaison does not guess: for the state write US-{code}; for {country} write its three-letter "
        f"code, {alpha3}"
    )
    assert regions.region(f"US-{code}") == f"US-{code}" and regions.region(alpha3) == code


@pytest.mark.parametrize(
    ("typed", "closest"),
    [
        ("US-XX", "US-TX (Texas, United States)"),
        ("Illinois", "US-IL (Illinois, United States)"),
        ("US-Ilinois", "US-IL (Illinois, United States)"),
        ("Californa", "US-CA (California, United States)"),
        ("Untied States", "US (United States)"),
        ("UK", "GB (United Kingdom)"),
        ("England", "GB-ENG (England, United Kingdom)"),
        ("Israel", "ISR (Israel)"),  # suggested as it would be taken, never as the refused IL
        ("Germany", "DEU (Germany)"),
    ],
)
def test_an_unknown_region_is_refused_naming_the_closest_known_ones(typed: str, closest: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        regions.region(typed)
    named = refused.value.message.split("the closest it knows: ")[1].split(". Write")[0].split("; ")
    assert closest in named, refused.value.message


def test_a_region_is_said_in_words() -> None:
    assert regions.name_of("US-IL") == "Illinois, United States (US-IL)"
    assert regions.name_of("US") == "United States (US)"
    assert regions.name_of("GB-SCT") == "Scotland, United Kingdom (GB-SCT)"


def test_an_unknown_region_stops_liaison_at_start_up_with_one_line() -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings({"LIAISON_HOLIDAYS": "US-ILL", "LIAISON_ALLOW_PLAINTEXT": "1"}, env_file=None)
    assert refused.value.problems == [
        "LIAISON_HOLIDAYS: the holidays package does not know 'US-ILL' as a country or state; the closest "
        "it knows: US-IL (Illinois, United States); US-AL (Alabama, United States); US-FL (Florida, United "
        "States). Write a country like US, or a state like US-IL"
    ]
    with pytest.raises(ConfigError) as ambiguous:
        load_settings({"LIAISON_HOLIDAYS": "IL", "LIAISON_ALLOW_PLAINTEXT": "1"}, env_file=None)
    assert ambiguous.value.problems[0].startswith("LIAISON_HOLIDAYS: IL is Israel's country code")


def test_the_office_s_region_defaults_to_the_federal_holidays() -> None:
    assert load_settings({}, env_file=None).holidays == "US"
    assert load_settings({"LIAISON_HOLIDAYS": "us-il"}, env_file=None).holidays == "US-IL"
