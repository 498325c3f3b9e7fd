"""The workspace the end-to-end tests play in, and helpers to act and look in it as a person would."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from bot.sandbox import Delivery, Sandbox, visible_text
from tests.botproc import BotProcess, run_cli
from tests.databases import database_url

START = "2026-11-24T14:00:00Z"
DATA_KEY = "ljN_jGbdZDs-RTNEtOO9R-fKX7pV8zp5-KNOJrvDLJg="  # the test office's Fernet key (LIAISON_DATA_KEY)
DEFENDER = "U0DEF"  # home staff, no stored role
ADMIN = "U0ADM"  # home staff, in LIAISON_ADMINS
PARTNER_TEAM = "T0LEGAL"
PARTNER_USER = "U0LAS"  # Legal Aid Society staff, in their own workspace
CIVIL_TEAM, CIVIL_USER = "T0CIVIL", "U0CRO"  # a second partner organization
STRANGER_TEAM, STRANGER = "T0STRANGER", "U0STR"  # a workspace no partner record names
OFFICE_CHANNEL = "C0OFFICE"  # home staff only
SHARED_CHANNEL = "C0LEGAL"  # Slack Connect channel shared with Legal Aid Society


def populate(slack: Sandbox) -> None:
    slack.add_user(DEFENDER, "dana", real_name="Dana Defender", tz="America/New_York")
    slack.add_user(ADMIN, "ari", real_name="Ari Admin", tz="America/Chicago")
    slack.add_team(PARTNER_TEAM, "Legal Aid Society")
    slack.add_user(PARTNER_USER, "lee", team_id=PARTNER_TEAM, real_name="Lee Partner", tz="America/Denver")
    slack.add_team(CIVIL_TEAM, "Civil Rights Org")
    slack.add_user(CIVIL_USER, "cruz", team_id=CIVIL_TEAM)
    slack.add_team(STRANGER_TEAM, "Somebody Else")
    slack.add_user(STRANGER, "sam", team_id=STRANGER_TEAM)
    slack.add_channel(OFFICE_CHANNEL, "office", members=[DEFENDER, ADMIN])
    slack.add_channel(SHARED_CHANNEL, "legal-aid-shared", members=[DEFENDER, ADMIN, PARTNER_USER])


@contextmanager
def office() -> Iterator[Sandbox]:
    """A stand-in for Slack holding the office's workspace, its partners' and a stranger's."""
    with Sandbox() as sandbox:
        populate(sandbox)
        yield sandbox


def bot_settings(slack: Sandbox, db_url: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": slack.signing_secret,
        "SLACK_APP_TOKEN": slack.app_token,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": db_url,
        "LIAISON_ADMINS": ADMIN,
        # The tests tick by hand (`liaison tick --at`), so what is sent when does not hang on the real clock.
        "LIAISON_TICK_SECONDS": "0",
        "LIAISON_DATA_KEY": DATA_KEY,
        # The office's clock starts on Tuesday, November 24, 2026, 9 AM in New York, whenever the tests run,
        # so the dates they type are never in the past.
        "LIAISON_START_TIME": START,
        # On PostgreSQL one worker process (of four workers) is enough for the tests and starts fastest;
        # tests/test_e2e_work.py runs two.
        "LIAISON_WORKERS": "1",
    }


class Output(Protocol):
    @property
    def output(self) -> str: ...


class Bot(Protocol):
    """A running bot the helpers below act on: a process (RunningBot) or in-process (tests/inprocess.py)."""

    @property
    def via(self) -> str: ...

    @property
    def process(self) -> Output: ...

    @property
    def db_url(self) -> str: ...

    def cli(self, args: list[str], **settings: str) -> Ran:
        """`liaison <args>` against the bot's database and stand-in."""
        ...

    def tick(self, at: datetime) -> list[str]:
        """One scheduler pass at `at`, as `liaison tick --at` runs it: what was sent, a line each."""
        ...

    def settle(self) -> None:
        """Wait until the bot has finished what it was asked to do, as far as can be seen from here."""
        ...


class Ran(Protocol):
    """What a run of the command line left (subprocess.CompletedProcess, tests/inprocess.py Ran)."""

    @property
    def returncode(self) -> int: ...

    @property
    def stdout(self) -> str: ...

    @property
    def stderr(self) -> str: ...


@dataclass
class RunningBot:
    process: BotProcess
    via: str  # how the stand-in delivers to it: "http" or "socket"
    db_url: str = ""
    slack: Sandbox | None = None

    def settle(self) -> None:
        """A process can't say it is idle: wait until nothing is under way between it and the stand-in
        and no command it acknowledged is still kept for its workers (storage/work.py)."""
        if self.slack is None:
            return
        self.slack.wait_until_quiet()
        if self.db_url:
            self.slack.wait_for(lambda: _kept_commands(self.db_url) == 0, message="its kept commands done")
            self.slack.wait_until_quiet()

    def cli(self, args: list[str], **settings: str) -> subprocess.CompletedProcess[str]:
        """`liaison <args>`, a process beside the bot: its folder, its settings."""
        return run_cli(args, self.process.cwd, **{**self.process.settings, **settings})

    def tick(self, at: datetime) -> list[str]:
        """One scheduler pass, `liaison tick --at` as a process: what was sent, a line each."""
        ran = self.cli(["tick", "--at", at.isoformat()])
        assert ran.returncode == 0, ran.stderr
        return [line for line in ran.stdout.splitlines() if not line.startswith("nothing due")]


@contextmanager
def running_bot(
    slack: Sandbox, folder: Path, backend: str, via: str, **settings: str
) -> Iterator[RunningBot]:
    with database_url(backend, folder) as url:
        process = BotProcess(folder, [f"--{via}"], **{**bot_settings(slack, url), **settings})
        try:
            process.wait_until_serving()
            if via == "socket":
                slack.wait_for_socket(timeout=15)
            else:
                slack.bot_url = f"{process.url}/slack/events"
            yield RunningBot(process, via, url, slack)
        finally:
            exit_code = process.stop()
        assert exit_code == 0, f"liaison run did not stop cleanly:\n{process.output}"


def command(
    slack: Sandbox, bot: Bot, user: str, channel: str, name: str, text: str = "", *, timeout: float = 15.0
) -> str:
    """Type a slash command and return what the person then sees privately, waiting for it up to
    `timeout` seconds. The wait is a ceiling, not a measure (how fast an answer comes is bench's): a
    CI run's four test processes on two cores starting bots at once once kept a first answer past 5 s."""
    bot.settle()  # an answer still on its way from an earlier step (a click's) is not taken for this one
    seen = len(slack.ephemerals(user, channel))
    delivery: Delivery = slack.slash_command(user, channel, name, text, via=bot.via)
    assert delivery.acked, f"{name} {text!r} was not acknowledged: {delivery}\n{bot.process.output}"
    assert delivery.problems == [], delivery.problems
    try:
        slack.wait_for(
            lambda: slack.ephemerals(user, channel)[seen:], timeout=timeout, message=f"an answer to {name}"
        )
    except AssertionError as missing:  # what the bot logged says where the answer stopped
        raise AssertionError(f"{missing}\n{bot.process.output}") from None
    # What the command set going after its answer (a card's redraw, a line in its thread) is done before
    # the person acts again: a step of a test is one step.
    bot.settle()
    answers = slack.ephemerals(user, channel)[seen:]
    assert len(answers) == 1, [visible_text(a) for a in answers]
    return visible_text(answers[0])


def add_legal_aid(slack: Sandbox, bot: Bot, scope: str = "referral,consult") -> None:
    """The office's usual partner, Legal Aid Society, receiving `scope`, linked to the shared channel."""
    for line in (
        f'partner add legal-aid name:"Legal Aid Society" kind:legal_aid team:{PARTNER_TEAM} scope:{scope}',
        f"channel link <#{SHARED_CHANNEL}|legal> legal-aid",
    ):
        answer = command(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", line)
        assert "Sorry" not in answer and "did not expect" not in answer, answer


def fill_form(slack: Sandbox, user: str, values: dict[str, dict[str, str]]) -> None:
    """Fill in and submit the form most recently opened for `user`."""
    view = slack.wait_for(lambda: slack.open_views(user), message="a form")[-1]
    delivery = slack.submit_view(user, view.id, values)
    assert delivery.acked and not delivery.problems, delivery


def shown_eventually(slack: Sandbox, bot: Bot, user: str, name: str, ref: str, expected: str) -> str:
    """`<name> show <ref>` once it says `expected`: events are acknowledged first and recorded just after."""
    return slack.wait_for(
        lambda: (
            (shown := command(slack, bot, user, OFFICE_CHANNEL, name, f"show {ref}"))
            and expected in shown
            and shown
        ),
        message=f"{ref} to show {expected!r}",
    )


def referral_cards(slack: Sandbox) -> list[str]:
    """The referral cards in the shared channel, by ID, oldest first."""
    return [m.text.split(" ")[0] for m in slack.messages(SHARED_CHANNEL) if " · Referral to" in m.text]


_ENGINES: dict[str, Engine] = {}  # one per bot's database, for the test process's life


def _kept_commands(db_url: str) -> int:
    """How many commands a bot has acknowledged and not yet done; 0 before its first start."""
    if db_url not in _ENGINES:
        wait = {"timeout": 2} if db_url.startswith("sqlite") else {"connect_timeout": 2}
        _ENGINES[db_url] = create_engine(db_url, poolclass=NullPool, connect_args=wait)
    try:
        with _ENGINES[db_url].connect() as conn:
            if not inspect(conn).has_table("work"):
                return 0
            return int(conn.execute(text("SELECT count(*) FROM work")).scalar_one())
    except OperationalError:  # the database is away (a test's outage): nothing to wait for that can be seen
        return 0
