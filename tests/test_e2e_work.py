"""A worker killed in the middle of a command, on SQLite and PostgreSQL (a process of the bot's own on
each): the command the front kept is done again after a restart once its lease has run out,
exactly once (one referral, one card, the defender told), whether the worker died before it stored the
referral or after."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import select

from bot.sandbox import Sandbox, visible_text
from storage.crypto import Keyring
from storage.db import Database
from storage.item_tables import Referral
from storage.work import Work
from tests.botproc import BotProcess, run_cli
from tests.databases import BACKENDS, database_url
from tests.office import (
    DATA_KEY,
    DEFENDER,
    OFFICE_CHANNEL,
    SHARED_CHANNEL,
    START,
    RunningBot,
    add_legal_aid,
    bot_settings,
    command,
    office,
    referral_cards,
)

pytestmark = pytest.mark.e2e

LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)
HOLD = 8  # seconds Slack sits on the killed bot's call (its answer then goes nowhere)


@pytest.fixture
def slack() -> Iterator[Sandbox]:
    """A stand-in of the test's own: its bots are killed and started again."""
    with office() as sandbox:
        yield sandbox


def referrals(db: Database) -> list[Referral]:
    with db.session() as session:
        return list(session.exec(select(Referral)).all())


def taken(db: Database) -> bool:
    """The command is kept, and a worker holds it."""
    with db.session() as session:
        rows = session.exec(select(Work)).all()
    return len(rows) == 1 and rows[0].lease_until is not None


@pytest.mark.parametrize("stored", [False, True], ids=["before-storing", "after-storing"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_worker_killed_mid_command_has_it_done_once_after_the_lease(
    slack: Sandbox, tmp_path: Path, backend: str, stored: bool
) -> None:
    with database_url(backend, tmp_path) as url:
        db = Database(url, Keyring([DATA_KEY]))
        started = datetime.now(UTC)
        first = BotProcess(tmp_path, ["--http"], **bot_settings(slack, url))
        try:
            first.wait_until_serving()
            slack.bot_url = f"{first.url}/slack/events"
            add_legal_aid(slack, RunningBot(first, "http", url, slack))
            seen = len(slack.ephemerals(DEFENDER, SHARED_CHANNEL))
            if stored:  # Slack sits on the card's post: the referral is stored, its card not posted
                slack.fail("chat.postMessage", status=503, hold=HOLD)
            else:  # Slack sits on the lookups a send starts with: nothing is stored yet
                for method in ("conversations.info", "users.info"):
                    slack.slow(method, HOLD)
            delivery = slack.slash_command(DEFENDER, SHARED_CHANNEL, "/referral", "need:housing Mid-command.")
            assert delivery.acked and not delivery.timed_out, delivery
            slack.wait_for(lambda: taken(db), message="a worker holds the kept command")
            if stored:
                slack.wait_for(lambda: len(referrals(db)) == 1, message="the referral stored")
            assert first.stop(signal.SIGKILL) == -signal.SIGKILL  # its worker processes too
            slack.clear_faults()
            assert len(referrals(db)) == (1 if stored else 0)
            assert referral_cards(slack) == []
            assert len(slack.ephemerals(DEFENDER, SHARED_CHANNEL)) == seen, "nobody was told anything yet"

            if backend == "postgresql":  # another instance's worker could still be at it: the lease decides
                with db.session() as session:
                    session.execute(update(Work).values(lease_until=LONG_AGO))
            resumed = datetime.fromisoformat(START) + (datetime.now(UTC) - started)
            again = {**bot_settings(slack, url), "LIAISON_START_TIME": resumed.isoformat()}
            second = BotProcess(tmp_path, ["--http"], **again)
            try:
                second.wait_until_serving()
                answers = slack.wait_for(
                    lambda: slack.ephemerals(DEFENDER, SHARED_CHANNEL)[seen:], timeout=20, message="an answer"
                )
                if stored and backend == "postgresql":
                    # Another instance could be posting that card: its claim is left for five minutes.
                    later = (resumed + timedelta(minutes=10)).isoformat()
                    ticked = run_cli(["tick", "--at", later], tmp_path, **bot_settings(slack, url))
                    assert "posted the card of R-1" in ticked.stdout, ticked.stderr
                slack.wait_for(lambda: referral_cards(slack) == ["R-1"], timeout=20, message="its card")
                slack.wait_for(lambda: not taken(db), message="the command done")
                slack.wait_until_quiet(timeout=HOLD + 5)  # the killed bot's calls included
            finally:
                assert second.stop() == 0, second.output
            assert [r.ref for r in referrals(db)] == ["R-1"]
            assert referral_cards(slack) == ["R-1"]
            said = [visible_text(a) for a in slack.ephemerals(DEFENDER, SHARED_CHANNEL)[seen:]]
            assert said == [visible_text(answers[0])], said
            expected = "Saved *R-1*. Liaison stopped while answering" if stored else "Sent *R-1* to Legal Aid"
            assert said[0].startswith(expected), said
        finally:
            first.stop()
            db.dispose()


def test_a_worker_paused_past_its_lease_stores_nothing_once_another_instance_did_its_command(
    slack: Sandbox, tmp_path: Path
) -> None:
    """PostgreSQL, two instances. The first's worker is paused (SIGSTOP: a stalled machine) in the middle
    of a /referral, past its lease; the second's worker takes the command and does it. When the first goes
    on, its store is refused (storage/work.py settle): one referral, one card, one answer."""
    with database_url("postgresql", tmp_path) as url:
        db = Database(url, Keyring([DATA_KEY]))
        started = datetime.now(UTC)
        one_worker = {**bot_settings(slack, url), "LIAISON_WORKERS": "1"}
        first, second = BotProcess(tmp_path, ["--http"], **one_worker), None
        paused: int | None = None
        try:
            first.wait_until_serving()
            slack.bot_url = f"{first.url}/slack/events"
            add_legal_aid(slack, RunningBot(first, "http", url, slack))
            seen = len(slack.ephemerals(DEFENDER, SHARED_CHANNEL))
            for method in ("conversations.info", "users.info"):  # the worker is held before it stores
                slack.slow(method, HOLD)
            delivery = slack.slash_command(DEFENDER, SHARED_CHANNEL, "/referral", "need:housing Paused.")
            assert delivery.acked and not delivery.timed_out, delivery
            slack.wait_for(lambda: taken(db), message="the first instance's worker holds the command")
            (paused,) = first.children()
            os.kill(paused, signal.SIGSTOP)
            slack.clear_faults()
            with db.session() as session:  # its lease runs out while it is paused
                session.execute(update(Work).values(lease_until=LONG_AGO))

            (tmp_path / "second").mkdir()
            resumed = datetime.fromisoformat(START) + (datetime.now(UTC) - started)
            second = BotProcess(
                tmp_path / "second", ["--http"], **{**one_worker, "LIAISON_START_TIME": resumed.isoformat()}
            )
            second.wait_until_serving()
            slack.wait_for(lambda: referral_cards(slack) == ["R-1"], timeout=20, message="its card")
            slack.wait_for(lambda: slack.ephemerals(DEFENDER, SHARED_CHANNEL)[seen:], message="an answer")

            os.kill(paused, signal.SIGCONT)
            paused = None
            slack.wait_for(
                lambda: "was taken over by another worker" in first.output,
                timeout=HOLD + 20,
                message="the first instance's worker found the command taken over",
            )
            slack.wait_until_quiet(timeout=HOLD + 5)
        finally:
            if paused is not None:
                os.kill(paused, signal.SIGCONT)
            if second is not None:
                assert second.stop() == 0, second.output
            assert first.stop() == 0, first.output
        assert [r.ref for r in referrals(db)] == ["R-1"]
        assert referral_cards(slack) == ["R-1"]
        said = [visible_text(a) for a in slack.ephemerals(DEFENDER, SHARED_CHANNEL)[seen:]]
        assert len(said) == 1 and said[0].startswith("Sent *R-1* to Legal Aid"), said
        assert "Paused" not in first.output + second.output, "no client text in the logs"
        db.dispose()


def gone(pid: int) -> bool:
    """The process has exited (a zombie nobody reaped yet counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_worker_process_that_dies_is_replaced_and_all_go_with_the_front(
    slack: Sandbox, tmp_path: Path, backend: str
) -> None:
    """Two worker processes (LIAISON_WORKERS); on SQLite woken through pipes, killed with the front."""
    expected = 2
    with database_url(backend, tmp_path) as url:
        bot = BotProcess(tmp_path, ["--http"], **{**bot_settings(slack, url), "LIAISON_WORKERS": "2"})
        try:
            bot.wait_until_serving()
            slack.bot_url = f"{bot.url}/slack/events"
            running = RunningBot(bot, "http", url, slack)
            add_legal_aid(slack, running)  # its commands were done by the worker processes
            workers = slack.wait_for(lambda: len(found := bot.children()) == expected and found)
            os.kill(workers[0], signal.SIGKILL)
            slack.wait_for(
                lambda: len(now := bot.children()) == expected and workers[0] not in now,
                timeout=15,
                message="another worker process started",
            )
            assert "role *defender*" in command(
                slack, running, DEFENDER, OFFICE_CHANNEL, "/liaison", "whoami"
            )
            children = bot.children()
            os.kill(bot.pid, signal.SIGKILL)  # the front alone: the kernel takes its workers with it
            slack.wait_for(lambda: all(gone(pid) for pid in children), timeout=30, message="its workers gone")
        finally:
            bot.stop(signal.SIGKILL)


def test_a_second_liaison_run_on_one_sqlite_file_is_refused_before_it_takes_anything_back(
    slack: Sandbox, tmp_path: Path
) -> None:
    """A second instance (another folder, so another journal) would take back the commands the first one's
    workers hold as it starts (storage/work.py release_all): it is refused in one line first, while the
    first instance or any of its workers runs."""
    with database_url("sqlite", tmp_path) as url:
        first = BotProcess(tmp_path, ["--http"], **bot_settings(slack, url))
        try:
            first.wait_until_serving()
            slack.bot_url = f"{first.url}/slack/events"
            add_legal_aid(slack, RunningBot(first, "http", url, slack))
            (tmp_path / "second").mkdir()
            second = run_cli(
                ["run", "--http", "--port", "1"], tmp_path / "second", **bot_settings(slack, url)
            )
            assert second.returncode != 0
            assert second.stderr.strip().splitlines()[-1] == (
                f"liaison: another Liaison is running on {tmp_path / 'liaison.db'}: SQLite serves one "
                "instance; stop it first, or use PostgreSQL for several"
            ), second.stderr
            assert "role *defender*" in command(
                slack, RunningBot(first, "http", url, slack), DEFENDER, OFFICE_CHANNEL, "/liaison", "whoami"
            ), "the first instance goes on"
        finally:
            assert first.stop() == 0, first.output
