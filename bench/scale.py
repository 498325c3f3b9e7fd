"""The scheduler at statewide size (the reminder scan and its query plan, the 500 digests, one whole paced
tick) and the thread replies, measured on a seeded office."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, func, select, text

from bench.office import partner_team, partner_user
from bot.app import create_app
from bot.config import load_settings
from bot.sandbox import Sandbox
from commands import digest, tick
from commands.invocation import Deps
from storage import digests, schedule
from storage.crypto import Keyring
from storage.db import Database
from storage.kinds import ItemKind
from storage.models import ThreadReply
from tests.office import DATA_KEY, bot_settings


@dataclass(frozen=True)
class Scan:
    best_ms: float
    found: int
    plans: list[str]  # one line per kind: how the database answers its part of the scan


@dataclass(frozen=True)
class Digests:
    recipients: int
    built_seconds: float


@dataclass(frozen=True)
class Tick:
    seconds: float
    reminders: int
    digests: int
    slack_calls: int
    refused_429: list[str]  # the methods Slack answered 429, one entry a call


@contextmanager
def office_deps(slack: Sandbox, url: str, now: datetime) -> Iterator[Deps]:
    """Liaison's own dependencies as `liaison tick` builds them, against the stand-in, clock at `now`."""
    settings = load_settings(bot_settings(slack, url), env_file=None)
    db = Database(url, Keyring([DATA_KEY]), settings.clock().starting_at(now))
    liaison = create_app(settings, db, socket_mode=False)
    try:
        yield liaison.deps
    finally:
        liaison.close()
        db.dispose()


def reminder_scan(deps: Deps, now: datetime, repeats: int = 5) -> Scan:
    """The query one tick's reminders start from, best of `repeats` (the first warms the cache)."""
    timings, found = [], 0
    for _ in range(repeats):
        started = time.perf_counter()
        with deps.db.session() as session:
            found = len(schedule.due_soon(session, deps.kinds, now))
        timings.append(time.perf_counter() - started)
    return Scan(min(timings) * 1000, found, [_plan(deps.db, kind, now) for kind in deps.kinds])


def _plan(db: Database, kind: ItemKind, now: datetime) -> str:
    query = schedule.due_soon_query(kind, now)
    sql = str(query.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
    explain = "EXPLAIN QUERY PLAN " if db.dialect == "sqlite" else "EXPLAIN (ANALYZE, COSTS OFF) "
    with db.engine.connect() as conn:
        rows = conn.execute(text(explain + sql)).all()
    lines = [str(row[-1]) for row in rows]  # SQLite: (id, parent, notused, detail); PostgreSQL: (line,)
    return f"{kind.model.__tablename__}: " + " / ".join(line.strip() for line in lines)


def build_digests(deps: Deps, now: datetime) -> Digests:
    """Every recipient's digest text, as the tick makes it (contents read once, one rendering each)."""
    started = time.perf_counter()
    with deps.db.session() as session:
        people = digests.recipients(session, deps.admins)
        calendar = deps.calendar(session)
    found = digest.read_contents(deps, now, calendar)
    local = now.astimezone(ZoneInfo(deps.timezone))
    for _setting in people:
        digest.render(deps, found, local, fallback=False)
    return Digests(len(people), time.perf_counter() - started)


def whole_tick(slack: Sandbox, deps: Deps, now: datetime) -> Tick:
    """One tick as the scheduler runs it, with the stand-in answering 429 past Slack's published tiers."""
    calls_before = len(slack.calls())
    slack.enforce_rate_limits(True)
    try:
        started = time.perf_counter()
        lines = tick.tick(deps, now)
        seconds = time.perf_counter() - started
    finally:
        slack.enforce_rate_limits(False)
    calls = slack.calls()[calls_before:]
    return Tick(
        seconds=seconds,
        reminders=sum("reminder" in line for line in lines),
        digests=sum(line.startswith("sent the digest") for line in lines),
        slack_calls=len(calls),
        refused_429=[call.method for call in calls if call.status == 429],
    )


def thread_replies(slack: Sandbox, db_url: str, cards: Sequence[tuple[str, str]], count: int) -> float:
    """`count` partner replies in the threads of `cards` ((channel, ts) pairs), delivered as Slack
    delivers message events, ten at a time; events recorded per second (until the last row is stored)."""
    engine = create_engine(db_url)
    with engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(ThreadReply)).scalar_one()

    def reply(n: int) -> None:
        channel, thread_ts = cards[n % len(cards)]
        p = int(channel.removeprefix("C0P"))
        ts = f"1800000000.{n:06d}"
        slack.send_event(
            {
                "type": "message",
                "channel": channel,
                "channel_type": "channel",
                "user": partner_user(p),
                "user_team": partner_team(p),
                "text": f"We can take this one ({n}).",
                "ts": ts,
                "thread_ts": thread_ts,
                "event_ts": ts,
            }
        )

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(reply, range(count)))
    stored = before
    deadline = time.monotonic() + 300
    while stored < before + count and time.monotonic() < deadline:
        with engine.connect() as conn:
            stored = conn.execute(select(func.count()).select_from(ThreadReply)).scalar_one()
        time.sleep(0.05)
    engine.dispose()
    return (stored - before) / (time.monotonic() - started)


def card_threads(slack: Sandbox, channels: Sequence[str]) -> list[tuple[str, str]]:
    return [(c, m.ts) for c in channels for m in slack.messages(c) if " · Referral to" in m.text]
