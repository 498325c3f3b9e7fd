"""The court calendar: which days the office works, and why not on the others. Business days are Monday to
Friday minus the public holidays of the office's region (the maintained `holidays` package, configured
with LIAISON_HOLIDAYS: `US` or a state like `US-IL`, read by storage/regions.py) and minus the office's
own closures (a table, changed with `/liaison closed`).

A holiday's observed day counts as closed (July 4 on a Saturday closes Friday July 3): federal courts close
on the observed day (5 U.S.C. 6103(b), and FRCP 6(a)(6) counts it as a legal holiday), and the states'
courts generally do the same for their own holidays. The holiday itself, on the weekend, is closed anyway.

The calendar is plain data (the region and the closures read once), passed to the pure functions of
storage/deadlines.py; it is read from the database once per command or scheduler pass, so a closure made in
one process is seen by the next command in any other.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
from sqlalchemy import bindparam
from sqlmodel import Field, Session, SQLModel, col, select

from storage import audit, clock, lookups, regions
from storage.disclosure import as_read
from storage.errors import InvalidInput
from storage.identifiers import Detector
from storage.people import Person
from storage.permissions import Action, refuse, require
from storage.types import UTCDateTime

DEFAULT_REGION = "US"
REASON_LENGTH = 200
LOOK_BACK = timedelta(days=400)  # closures older than this cannot change any open item's business days
# How far ahead a closure may be made: a courthouse closure or a snow day is known months ahead, not years;
# further is a typo (`2062` for `2026`), and `closed list` shows only the coming year anyway.
CLOSURE_HORIZON = timedelta(days=2 * 365)


class OfficeClosure(SQLModel, table=True):
    """A weekday the office is closed though no public holiday falls on it (a courthouse closure, a
    snow day, the day before Christmas)."""

    __tablename__ = "office_closure"

    day: date = Field(primary_key=True)
    reason: str = Field(max_length=REASON_LENGTH)
    closed_by: str = Field(max_length=32)
    closed_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, nullable=False)


@dataclass(frozen=True)
class CourtCalendar:
    """The office's open and closed days: the region's public holidays and the office's own closures."""

    region: str | None = DEFAULT_REGION  # None: no public holidays (weekends only)
    closures: Mapping[date, str] = field(default_factory=dict)  # the reason, by day

    def holiday(self, day: date) -> str | None:
        """The name of the public holiday on `day` (or observed on it), if any."""
        return _holidays(self.region, day.year).get(day) if self.region else None

    def why_closed(self, day: date) -> str | None:
        """Why the office is closed on `day`, in words; None on an open day."""
        if day.weekday() >= 5:
            return f"{day:%A}"
        return self.holiday(day) or self.closures.get(day)

    def is_open(self, day: date) -> bool:
        return day.weekday() < 5 and self.holiday(day) is None and day not in self.closures

    def next_open(self, day: date) -> date:
        """`day` itself if the office works then, else the next day it does; InvalidInput past the
        calendar's last day (callers keep dates within years of today, so this is a guard, not a path)."""
        while not self.is_open(day):
            if day == date.max:
                raise InvalidInput(f"There is no open day after {spoken_day(day)}; give an earlier date.")
            day += timedelta(days=1)
        return day

    def upcoming(self, first: date, last: date) -> list[tuple[date, str, bool]]:
        """Weekdays from `first` to `last` closed by a holiday or a closure: (day, why, is a holiday)."""
        found = []
        day = first
        while day <= last:
            if day.weekday() < 5:
                if name := self.holiday(day):
                    found.append((day, name, True))
                elif reason := self.closures.get(day):
                    found.append((day, reason, False))
            day += timedelta(days=1)
        return found


NO_HOLIDAYS = CourtCalendar(None)  # weekends only: where the office's calendar has no say (a session's date)


@lru_cache(maxsize=64)
def _holidays(region: str, year: int) -> Mapping[date, str]:
    """One region's holidays in one year, as a plain dict (the library's own object fills itself in as it
    is read, which several threads must not do at once)."""
    country, _, subdivision = region.partition("-")
    found = holidays.country_holidays(country, subdiv=subdivision or None, years=year, observed=True)
    return dict(found.items())


# Read for every new item: built once (building and keying a statement cost more than running it).
_CLOSURES = select(col(OfficeClosure.day), col(OfficeClosure.reason)).where(
    col(OfficeClosure.day) >= bindparam("since")
)


def load(session: Session, region: str, today: date) -> CourtCalendar:
    """The calendar as the database has it now: the region's holidays and the recent and coming closures."""
    since = today - LOOK_BACK
    rows = lookups.read(
        session, "closures", since, lambda: tuple(session.execute(_CLOSURES, {"since": since}).tuples())
    )
    return CourtCalendar(region, {day: reason for day, reason in rows})


def close(
    session: Session,
    person: Person,
    calendar: CourtCalendar,
    day: date,
    reason: str,
    today: date,
    detector: Detector,
) -> None:
    """Close the office on `day` (coordinators and admins); InvalidInput, with nothing stored,
    for a day that is past, a weekend, a holiday or closed already."""
    require(session, person, Action.close_days)
    # What draws nothing (a zero-width space) is no reason: dropped before the reason is judged empty.
    reason = " ".join("".join(c for c in reason if unicodedata.category(c) != "Cf").split())
    if not reason:
        raise InvalidInput('Say why, like `reason:"courthouse closed"`.', "reason")
    if len(reason) > REASON_LENGTH:
        raise InvalidInput(f"Keep the reason under {REASON_LENGTH} characters.", "reason")
    if found := detector.findings(reason, None):
        kinds = ", ".join(sorted({f.what.value for f in found}))
        refuse(
            person,
            "calendar.identifying_details",
            "A closure's reason is read by everyone in the office whose deadline moves off that day, and "
            f"kept in the audit log for years, so it carries no client details; this one has what looks "
            f'like {kinds}. Say it without them, like `reason:"courthouse closed"`.'
            f"{as_read(detector, reason, found)}",
            subject=day.isoformat(),
            logged=f"a closure's reason with {kinds}",
        )
    if day <= today:
        raise InvalidInput(f"{spoken_day(day)} is not in the future: close a day from tomorrow on.", "day")
    if day > today + CLOSURE_HORIZON:
        raise InvalidInput(
            f"{spoken_day(day)} is more than two years away: Liaison takes closures up to "
            f"{spoken_day(today + CLOSURE_HORIZON)}. Check the year, or close it nearer the time.",
            "day",
        )
    if day.weekday() >= 5:
        raise InvalidInput(f"{spoken_day(day)} is a weekend day: the office is closed then already.", "day")
    if name := calendar.holiday(day):
        raise InvalidInput(f"{spoken_day(day)} is closed already: {name}, a public holiday.")
    if (closed := session.get(OfficeClosure, day)) is not None:
        raise InvalidInput(f"{spoken_day(day)} is closed already: {closed.reason}.")
    session.add(OfficeClosure(day=day, reason=reason, closed_by=person.user_id))
    # The reason is the office's own words about its calendar, screened above: the audit keeps it.
    audit.record(session, person.actor, "calendar.close", subject=day.isoformat(), reason=reason)


def reopen(session: Session, person: Person, calendar: CourtCalendar, day: date) -> str:
    """Remove the office's closure on `day`; its reason. InvalidInput when the office had not closed it
    (saying so of a public holiday: that is LIAISON_HOLIDAYS's, not the office's to reopen)."""
    require(session, person, Action.close_days)
    found = session.get(OfficeClosure, day)
    if found is None and (name := calendar.holiday(day)) and calendar.region:
        raise InvalidInput(
            f"{spoken_day(day)} is {name}, a public holiday of {regions.name_of(calendar.region)} from "
            "LIAISON_HOLIDAYS, not an office closure, so it cannot be removed here: Liaison keeps the "
            "region's holidays as the holidays package lists them (an administrator chooses the region)."
        )
    if found is None:
        raise InvalidInput(
            f"{spoken_day(day)} is not an office closure, so there is nothing to remove: "
            "`/liaison closed list` shows the closures."
        )
    reason = found.reason
    session.delete(found)
    audit.record(session, person.actor, "calendar.reopen", subject=day.isoformat(), reason=reason)
    return reason


def spoken_day(day: date) -> str:
    return f"{day:%A, %B} {day.day}, {day.year}"
