"""The time source and the office's calendar: one object, made where the process starts and passed to
what needs the time (the Database, the handlers' Deps, the scheduler). Moving it (LIAISON_START_TIME,
`liaison tick --at`, a test) moves all of them together.

Storage code asks `now()`: the clock of the Database whose session is running. A column's default is
filled when a row is built, not when it is flushed, so the session makes its Database's clock the
current one for as long as it is open (a context variable: per thread, per task, never process-wide).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Clock:
    """Now, and the office's today. `offset` is how far it runs from the machine's real time: zero in
    production; set when a test or a demonstration starts it at a fixed moment, so that dates typed as
    "2026-12-01" are not in the past next year."""

    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))  # the office's (LIAISON_TIMEZONE)
    offset: timedelta = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def today(self) -> date:
        """Today in the office's time zone: agreements, consents and business days follow the office."""
        return self().astimezone(self.zone).date()

    def starting_at(self, moment: datetime) -> Clock:
        """This clock, running on from `moment`."""
        return replace(self, offset=moment - datetime.now(UTC))

    def by_real_clock(self, moment: datetime) -> datetime:
        """A moment of this clock, by the machine's real one (which Slack's message timestamps follow)."""
        return moment - self.offset


REAL = Clock()

_current: ContextVar[Clock] = ContextVar("liaison_clock", default=REAL)


def now() -> datetime:
    """Now, by the clock of the session that is running (the real one outside any)."""
    return _current.get()()


@contextmanager
def running(clock: Clock) -> Iterator[None]:
    """Make `clock` the one `now()` reads while the block runs."""
    token = _current.set(clock)
    try:
        yield
    finally:
        _current.reset(token)
