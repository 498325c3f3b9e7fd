"""Settings read from the environment and an optional `.env` file.

Every problem is reported as one line that names the variable and says what to put there, because the
people running Liaison are often an office's only IT person reading a terminal, not a Python developer.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from storage import court_calendar, regions
from storage.clock import Clock
from storage.crypto import Keyring, keys_from
from storage.errors import InvalidInput
from storage.library import DEFAULT_TOPICS

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///liaison.db"
DEFAULT_TIMEZONE = "America/New_York"
DEFAULT_RETENTION_DAYS = 365  # how long closed items' text is kept
DEFAULT_TICK_SECONDS = 60  # how often the scheduler asks what reminders and digests are due
DEFAULT_PORT = 3000
DEFAULT_JOURNAL = "liaison-journal.jsonl"  # next to the bot, like liaison.db
SQLITE_WORKER_THREADS = 4
# SQLite's one write lock: a third worker process added 5% where the second added 20% (bench, 2 cores).
SQLITE_WORKER_PROCESSES = 2

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_APP_PAGE = "your Slack app's settings at https://api.slack.com/apps"


class ConfigError(Exception):
    """One or more settings are missing or malformed; each entry in `problems` is one readable line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Settings:
    bot_token: str | None = None
    signing_secret: str | None = None
    app_token: str | None = None
    api_url: str = DEFAULT_API_URL
    database_url: str = DEFAULT_DATABASE_URL
    admins: frozenset[str] = field(default_factory=frozenset)
    timezone: str = DEFAULT_TIMEZONE
    port: int = DEFAULT_PORT
    tick_seconds: int = DEFAULT_TICK_SECONDS
    data_keys: tuple[str, ...] = ()
    retention_days: int = DEFAULT_RETENTION_DAYS
    case_number_pattern: str | None = None  # LIAISON_CASE_NUMBER_PATTERN: the office's case numbers
    do_not_post: tuple[str, ...] = ()  # LIAISON_DO_NOT_POST: names never posted
    library_topics: tuple[str, ...] = DEFAULT_TOPICS  # LIAISON_LIBRARY_TOPICS: the library's topics
    start_time: datetime | None = None  # LIAISON_START_TIME: the clock runs on from here (tests, demos)
    allow_plaintext: bool = False
    journal: Path = Path(DEFAULT_JOURNAL)  # LIAISON_JOURNAL: events kept while the database is away
    workers: int | None = None  # LIAISON_WORKERS: None is one per core
    holidays: str = court_calendar.DEFAULT_REGION  # LIAISON_HOLIDAYS: whose public holidays close the office

    def worker_processes(self, dialect: str) -> int:
        """How many worker processes `liaison run` starts (bot/processes.py): LIAISON_WORKERS, else one
        per core this process may run on; on SQLite at most SQLITE_WORKER_PROCESSES."""
        if self.workers:
            return self.workers
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        return min(cores, SQLITE_WORKER_PROCESSES) if dialect == "sqlite" else cores

    def worker_count(self, dialect: str) -> int:
        """How many worker threads a bot that does its kept commands in its own process runs (the tests'
        in-process bot): on SQLite a few (a command mostly waits on Slack, so a slow Slack does not hold
        up everyone's commands behind one), on PostgreSQL one per worker process `liaison run` would
        start."""
        if dialect == "sqlite":
            return SQLITE_WORKER_THREADS
        return self.worker_processes(dialect)

    @property
    def socket_mode_available(self) -> bool:
        return self.app_token is not None

    def clock(self) -> Clock:
        """The office's clock: its zone, and the real time unless LIAISON_START_TIME set it going."""
        office = Clock(zone=ZoneInfo(self.timezone))
        return office if self.start_time is None else office.starting_at(self.start_time)

    def keyring(self) -> Keyring | None:
        """How stored client text is encrypted; ConfigError when there is no key and plain text was not
        explicitly allowed (LIAISON_ALLOW_PLAINTEXT=1)."""
        if self.data_keys:
            return Keyring(self.data_keys)
        if self.allow_plaintext:
            return None
        raise ConfigError(
            [
                "LIAISON_DATA_KEY is not set: client details would be stored unencrypted. Make a key with "
                "`liaison keys new` and put it in .env (keep a copy somewhere safe: without it the stored "
                "text can't be read), or set LIAISON_ALLOW_PLAINTEXT=1 to run without one"
            ]
        )

    def require_slack(self, *, socket_mode: bool) -> None:
        """Raise ConfigError naming each credential the chosen connection mode needs but lacks."""
        problems = []
        if not self.bot_token:
            problems.append(
                "SLACK_BOT_TOKEN is not set: put the Bot User OAuth Token (xoxb-...) from "
                f"'OAuth & Permissions' in {_APP_PAGE} into .env"
            )
        if socket_mode and not self.app_token:
            problems.append(
                "SLACK_APP_TOKEN is not set: create an app-level token (xapp-...) with the "
                f"connections:write scope under 'Basic Information' in {_APP_PAGE}, or run with --http"
            )
        if not socket_mode and not self.signing_secret:
            problems.append(
                "SLACK_SIGNING_SECRET is not set: copy the Signing Secret from 'Basic Information' in "
                f"{_APP_PAGE} into .env (HTTP mode needs it to verify that requests come from Slack)"
            )
        if problems:
            raise ConfigError(problems)


def load_settings(environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")) -> Settings:
    """Read settings; values in the real environment win over the `.env` file. Raise ConfigError."""
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)

    def get(name: str) -> str | None:
        value = values.get(name, "").strip()
        return value or None

    problems: list[str] = []

    def check(name: str, value: str | None, prefix: str, what: str) -> str | None:
        if value is not None and not value.startswith(prefix):
            problems.append(f"{name} must start with '{prefix}': {what}")
            return None
        return value

    bot_token = check(
        "SLACK_BOT_TOKEN", get("SLACK_BOT_TOKEN"), "xoxb-", "use the Bot User OAuth Token, not a user token"
    )
    app_token = check(
        "SLACK_APP_TOKEN", get("SLACK_APP_TOKEN"), "xapp-", "use an app-level token with connections:write"
    )
    api_url = _api_url(get("SLACK_API_URL"), problems)
    database_url = _database_url(get("DATABASE_URL"), problems)
    admins = _admins(get("LIAISON_ADMINS"), problems)
    timezone = _timezone(get("LIAISON_TIMEZONE"), problems)
    port = _port(get("PORT"), problems)
    tick_seconds = _tick_seconds(get("LIAISON_TICK_SECONDS"), problems)
    data_keys = _data_keys(get("LIAISON_DATA_KEY"), problems)
    allow_plaintext = (get("LIAISON_ALLOW_PLAINTEXT") or "").lower() in ("1", "true", "yes")
    start_time = _start_time(get("LIAISON_START_TIME"), problems)
    retention_days = _retention_days(get("LIAISON_RETENTION_DAYS"), problems)
    workers = _workers(get("LIAISON_WORKERS"), problems)
    if start_time is not None and api_url == DEFAULT_API_URL:
        problems.append(
            "LIAISON_START_TIME is for tests and demonstrations against a Slack stand-in; with the real "
            "Slack it would put the office's clock (deadlines, audit times, consent expiry) wrong: unset it"
        )
        start_time = None
    case_number_pattern = _pattern(get("LIAISON_CASE_NUMBER_PATTERN"), problems)
    do_not_post = tuple(n.strip() for n in (get("LIAISON_DO_NOT_POST") or "").split(",") if n.strip())
    library_topics = _topics(get("LIAISON_LIBRARY_TOPICS"), problems)
    holidays = _holidays(get("LIAISON_HOLIDAYS"), problems)
    if problems:
        raise ConfigError(problems)
    return Settings(
        bot_token=bot_token,
        signing_secret=get("SLACK_SIGNING_SECRET"),
        app_token=app_token,
        api_url=api_url,
        database_url=database_url,
        admins=admins,
        timezone=timezone,
        port=port,
        tick_seconds=tick_seconds,
        data_keys=data_keys,
        allow_plaintext=allow_plaintext,
        start_time=start_time,
        retention_days=retention_days,
        case_number_pattern=case_number_pattern,
        do_not_post=do_not_post,
        library_topics=library_topics,
        journal=Path(get("LIAISON_JOURNAL") or DEFAULT_JOURNAL).expanduser(),
        workers=workers,
        holidays=holidays,
    )


def _api_url(raw: str | None, problems: list[str]) -> str:
    if raw is None:
        return DEFAULT_API_URL
    parsed = urlparse(raw)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        problems.append(f"SLACK_API_URL must be an http(s) URL such as {DEFAULT_API_URL} (got {raw!r})")
        return DEFAULT_API_URL
    # slack_sdk joins method names onto the base URL, so it must end with a slash.
    return raw if raw.endswith("/") else raw + "/"


def _database_url(raw: str | None, problems: list[str]) -> str:
    if raw is None:
        return DEFAULT_DATABASE_URL
    hint = "use sqlite:///liaison.db or postgresql+psycopg://user:password@host:5432/dbname"
    try:
        url = make_url(raw)
    except ArgumentError:
        problems.append(f"DATABASE_URL is not a database URL: {hint}")
        return DEFAULT_DATABASE_URL
    # People paste the URL their hosting provider shows; map the plain forms to the driver we ship.
    if url.drivername in ("postgres", "postgresql"):
        url = url.set(drivername="postgresql+psycopg")
    if url.drivername not in ("sqlite", "postgresql+psycopg"):
        problems.append(f"DATABASE_URL uses {url.drivername!r}, which Liaison does not support: {hint}")
        return DEFAULT_DATABASE_URL
    return url.render_as_string(hide_password=False)


def _admins(raw: str | None, problems: list[str]) -> frozenset[str]:
    if raw is None:
        return frozenset()
    ids = [part.strip() for part in raw.split(",") if part.strip()]
    bad = [i for i in ids if not _USER_ID.match(i)]
    if bad:
        problems.append(
            f"LIAISON_ADMINS must be comma-separated Slack user IDs like U012ABCDEF (not {', '.join(bad)}); "
            "find an ID under a person's profile, '...' menu, 'Copy member ID'"
        )
    return frozenset(i for i in ids if i not in bad)


def _timezone(raw: str | None, problems: list[str]) -> str:
    if raw is None:
        return DEFAULT_TIMEZONE
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"LIAISON_TIMEZONE must be an IANA time zone such as America/Chicago (got {raw!r})")
        return DEFAULT_TIMEZONE
    return raw


def _holidays(raw: str | None, problems: list[str]) -> str:
    if raw is None:
        return court_calendar.DEFAULT_REGION
    try:
        return regions.region(raw)
    except InvalidInput as exc:
        problems.append(f"LIAISON_HOLIDAYS: {exc.message}")
        return court_calendar.DEFAULT_REGION


def _pattern(raw: str | None, problems: list[str]) -> str | None:
    if raw is None:
        return None
    try:
        re.compile(raw)
    except re.error as exc:
        problems.append(f"LIAISON_CASE_NUMBER_PATTERN is not a regular expression ({exc}): got {raw!r}")
        return None
    return raw


def _retention_days(raw: str | None, problems: list[str]) -> int:
    if raw is None:
        return DEFAULT_RETENTION_DAYS
    if not re.fullmatch(r"[0-9]{1,5}", raw) or int(raw) < 30:
        problems.append(f"LIAISON_RETENTION_DAYS must be a number of days, at least 30 (got {raw!r})")
        return DEFAULT_RETENTION_DAYS
    return int(raw)


def _topics(raw: str | None, problems: list[str]) -> tuple[str, ...]:
    if raw is None:
        return DEFAULT_TOPICS
    topics = tuple(dict.fromkeys(t.strip().lower() for t in raw.split(",") if t.strip()))
    bad = [t for t in topics if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,39}", t)]
    if bad or not topics:
        problems.append(
            "LIAISON_LIBRARY_TOPICS must be comma-separated topics of lowercase letters, digits and hyphens, "
            f"like bail,discovery,mental-health (got {raw!r})"
        )
        return DEFAULT_TOPICS
    return topics


def _workers(raw: str | None, problems: list[str]) -> int | None:
    if raw is None:
        return None
    if not re.fullmatch(r"[0-9]{1,3}", raw) or not 1 <= int(raw) <= 64:
        problems.append(f"LIAISON_WORKERS must be a number of worker processes from 1 to 64 (got {raw!r})")
        return None
    return int(raw)


def _start_time(raw: str | None, problems: list[str]) -> datetime | None:
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        problems.append(
            f"LIAISON_START_TIME must be a time with a zone, like 2026-11-24T14:00:00Z (got {raw!r})"
        )
        return None
    return moment


def _data_keys(raw: str | None, problems: list[str]) -> tuple[str, ...]:
    if raw is None:
        return ()
    try:
        return tuple(keys_from(raw))
    except ValueError as exc:
        problems.append(f"LIAISON_DATA_KEY: {exc}")
        return ()


def _tick_seconds(raw: str | None, problems: list[str]) -> int:
    if raw is None:
        return DEFAULT_TICK_SECONDS
    if not re.fullmatch(r"[0-9]{1,5}", raw):
        problems.append(
            f"LIAISON_TICK_SECONDS must be a number of seconds, 0 to turn reminders off (got {raw!r})"
        )
        return DEFAULT_TICK_SECONDS
    return int(raw)


def _port(raw: str | None, problems: list[str]) -> int:
    if raw is None:
        return DEFAULT_PORT
    if not re.fullmatch(r"[0-9]{1,5}", raw) or not 1 <= int(raw) <= 65535:
        problems.append(f"PORT must be a number from 1 to 65535 (got {raw!r})")
        return DEFAULT_PORT
    return int(raw)
