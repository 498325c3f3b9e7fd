"""Retention through the stand-in, the bot in this process on SQLite and PostgreSQL, and `liaison purge`:
the text of items closed longer ago than the retention period is removed, their history and the audit
log stay, and a legal hold keeps a case's text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox import Sandbox
from tests.databases import BACKENDS
from tests.inprocess import InProcessBot, in_process_bot
from tests.office import (
    ADMIN,
    DEFENDER,
    OFFICE_CHANNEL,
    SHARED_CHANNEL,
    Bot,
    add_legal_aid,
    office,
)
from tests.office import command as typed


@pytest.fixture
def slack() -> Iterator[Sandbox]:
    with office() as sandbox:
        yield sandbox


def set_up(slack: Sandbox, bot: Bot) -> None:
    add_legal_aid(slack, bot, scope="referral")


@pytest.fixture(params=BACKENDS)
def bot(request: pytest.FixtureRequest, slack: Sandbox, tmp_path: Path) -> Iterator[InProcessBot]:
    """Each test on a database of its own: a purge counts all there is."""
    with in_process_bot(slack, tmp_path, request.param) as running:
        set_up(slack, running)
        yield running


def closed_referral(slack: Sandbox, bot: Bot, case: str, details: str) -> str:
    ref = typed(
        slack, bot, DEFENDER, SHARED_CHANNEL, "/referral", f"need:housing case:{case} {details}"
    ).split("*")[1]
    assert "*cancelled*" in typed(
        slack, bot, DEFENDER, OFFICE_CHANNEL, "/referral", f"cancel {ref} reason:duplicate"
    )
    return ref


def test_purge_removes_closed_items_text_keeps_history_and_audit_and_a_hold_keeps_it(
    slack: Sandbox, bot: Bot
) -> None:
    gone = closed_referral(slack, bot, "24-CR-1001", "Needs shelter before the hearing.")
    kept = closed_referral(slack, bot, "24-CR-1002", "Needs a lawyer for the lease dispute.")
    still_open = typed(
        slack, bot, DEFENDER, SHARED_CHANNEL, "/referral", "need:housing Still being worked on."
    )
    assert "Only a Liaison admin can place or release legal holds" in typed(
        slack, bot, DEFENDER, OFFICE_CHANNEL, "/liaison", "hold case:24-CR-1002"
    )
    assert "is under a legal hold" in typed(
        slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", "hold case:24-CR-1002"
    )

    later = ["--at", "2028-01-10T12:00:00Z"]  # over a year after they closed
    dry = bot.cli(["purge", "--dry-run", *later])
    assert (
        dry.returncode == 0
        and f"would remove the text of 1 items closed over 365 days ago: {gone}" in dry.stdout
    )
    assert "Needs shelter" in typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/referral", f"show {gone}"), (
        "a dry run"
    )
    done = bot.cli(["purge", *later])
    assert done.returncode == 0, done.stderr
    assert f"removed the text of 1 items closed over 365 days ago: {gone}" in done.stdout
    assert f"kept 1 under a legal hold: {kept}" in done.stdout

    shown = typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/referral", f"show {gone}")
    assert "(removed after the retention period)" in shown and "Needs shelter" not in shown
    assert "requested → cancelled: duplicate" in shown, "its history stays"
    assert "Needs a lawyer for the lease dispute." in typed(
        slack, bot, DEFENDER, OFFICE_CHANNEL, "/referral", f"show {kept}"
    )
    audit = typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", f"audit item:{gone}")
    assert f"referral.open `{gone}`" in audit and f"referral.cancelled `{gone}`" in audit
    assert "Still being worked on." in typed(
        slack, bot, DEFENDER, OFFICE_CHANNEL, "/referral", f"show {still_open.split('*')[1]}"
    ), "open items are never purged"
    assert "removed the text of 0 items" in bot.cli(["purge", *later]).stdout, "once"
    assert "Released" in typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", "hold release case:24-CR-1002")
    assert (
        f"removed the text of 1 items closed over 365 days ago: {kept}" in bot.cli(["purge", *later]).stdout
    )


def test_a_hold_and_a_consent_match_the_case_however_it_is_typed(slack: Sandbox, bot: Bot) -> None:
    kept = closed_referral(slack, bot, "24-CR-2001", "Keep this one.")
    assert "is under a legal hold" in typed(
        slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", "hold case:24cr2001"
    )
    done = bot.cli(["purge", "--at", "2028-01-10T12:00:00Z"])
    assert "under a legal hold" in done.stdout and kept in done.stdout.split("legal hold")[1], done.stdout
    assert "Keep this one." in typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/referral", f"show {kept}")
