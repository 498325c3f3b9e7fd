"""Exports and stats through the stand-in, the bot in this process on SQLite and PostgreSQL: a CSV uploaded
to the coordinator's DM (Slack's two-step upload) that the csv module reads and that matches the database,
the same from the command line, and counts that match a hand count on a small fixture. No internal case
numbers in any of it."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlmodel import select

from bot.sandbox import Sandbox
from storage.crypto import Keyring
from storage.db import Database
from storage.item_tables import Referral
from tests.inprocess import InProcessBot
from tests.office import (
    ADMIN,
    DATA_KEY,
    DEFENDER,
    OFFICE_CHANNEL,
    PARTNER_USER,
    SHARED_CHANNEL,
    Bot,
    fill_form,
)
from tests.office import command as typed

CASE = "24-CR-4242"


def set_up(slack: Sandbox, bot: Bot) -> None:
    """The fixture to count by hand: four referrals and two consults to Legal Aid Society."""
    for text in (
        'partner add legal-aid name:"Legal Aid Society" kind:legal_aid team:T0LEGAL scope:referral,consult',
        f"channel link <#{SHARED_CHANNEL}|legal> legal-aid",
    ):
        assert "Sorry" not in typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", text)
    completed = refer(slack, bot, f"need:housing case:{CASE} Eviction notice.")
    rejected = refer(slack, bot, "need:housing Needs a shelter bed.")
    accepted = refer(slack, bot, "need:benefits SNAP was cut off.")
    cancelled = refer(slack, bot, "need:housing Lost the lease.")
    for ref in (completed, accepted):
        click(slack, ref, "accepted")
    click(slack, completed, "completed")
    fill_form(slack, PARTNER_USER, {"note": {"value": "Eviction dismissed."}})
    click(slack, rejected, "rejected")
    fill_form(slack, PARTNER_USER, {"reason": {"value": "no capacity"}})
    typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/referral", f"cancel {cancelled} reason:duplicate")
    answered = typed(slack, bot, DEFENDER, SHARED_CHANNEL, "/consult", "Any rulings?").split("*")[1]
    typed(slack, bot, DEFENDER, SHARED_CHANNEL, "/consult", "Is the data public?")
    card = card_of(slack, answered)
    slack.post_as_user(PARTNER_USER, SHARED_CHANNEL, "Yes, two.", thread_ts=card.ts)
    slack.wait_for(
        lambda: "answered" in typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/consult", f"show {answered}")
    )
    slack.wait_for(
        lambda: "completed" in typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/referral", f"show {completed}")
    )


@pytest.fixture(scope="module")
def bot(slack: Sandbox, in_process: InProcessBot) -> InProcessBot:
    set_up(slack, in_process)
    return in_process


def refer(slack: Sandbox, bot: Bot, text: str) -> str:
    return typed(slack, bot, DEFENDER, SHARED_CHANNEL, "/referral", text).split("*")[1]


def card_of(slack: Sandbox, ref: str):  # type: ignore[no-untyped-def]
    return [m for m in slack.messages(SHARED_CHANNEL) if m.text.startswith(f"{ref} ·")][-1]


def click(slack: Sandbox, ref: str, target: str) -> None:
    """Click a move once the card offers it (the card is redrawn just after the previous click)."""
    action = f"referral.move.{target}"
    slack.wait_for(
        lambda: any(
            e.get("action_id") == action for b in card_of(slack, ref).blocks for e in b.get("elements", [])
        ),
        message=f"{ref}'s card to offer {target}",
    )
    delivery = slack.click(PARTNER_USER, SHARED_CHANNEL, card_of(slack, ref).ts, action)
    assert delivery.acked and not delivery.problems


def test_a_csv_export_lands_in_the_dm_and_matches_the_database(slack: Sandbox, bot: Bot) -> None:
    answer = typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", "export referrals")
    assert "Sent `liaison-referrals-2026-11-24.csv` to your direct messages with Liaison: 4 rows" in answer
    posted = [m for m in slack.dms(ADMIN) if m.files][-1]
    upload = slack.file(posted.files[0])
    assert (
        upload is not None
        and upload.content is not None
        and upload.title == "liaison-referrals-2026-11-24.csv"
    )
    table = list(csv.reader(io.StringIO(upload.content.decode())))
    assert table[0][:2] == ["id", "status"]
    db = Database(bot.db_url, Keyring([DATA_KEY]))
    try:
        with db.session() as session:
            stored = [
                (r.ref, r.status, r.need) for r in session.exec(select(Referral).order_by(Referral.id)).all()
            ]
    finally:
        db.dispose()
    need = table[0].index("need")
    assert [(row[0], row[1], row[need]) for row in table[1:]] == stored
    assert CASE not in upload.content.decode(), "no internal case numbers"
    refused = typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/liaison", "export audit")
    assert "Only a Liaison coordinator or admin can see the audit log" in refused
    assert "Export one of `referrals`, `consults`, `advocacy`, `audit`." in typed(
        slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", "export everything"
    )


def test_the_command_line_writes_the_same_csv(slack: Sandbox, bot: Bot, tmp_path: Path) -> None:
    result = bot.cli(["export", "consults", "-o", str(tmp_path / "c.csv")])
    assert result.returncode == 0 and "wrote 2 consults rows" in result.stdout, result.stderr
    rows = list(csv.DictReader((tmp_path / "c.csv").open()))
    assert sorted(r["status"] for r in rows) == ["answered", "open"]


def test_stats_match_a_hand_count(slack: Sandbox, bot: Bot) -> None:
    shown = typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", "stats")
    for expected in (
        "Referrals: 4",
        "• Legal Aid Society, benefits: 1",
        "• Legal Aid Society, housing: 3",
        "Acceptance rate: 67%",  # two accepted, one rejected, one cancelled before the partner decided
        "Closed with an outcome: 33%",  # completed with an outcome, rejected, cancelled
        "Consults: 2",
        "Open and overdue: 0%",
    ):
        assert expected in shown, (expected, shown)
    assert (
        "Median time to accept: n/a" not in shown
        and "Median time to a consult's first answer: n/a" not in shown
    )
    assert CASE not in shown
    assert "Referrals: 0" in typed(
        slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", "stats from:2020-01-01 to:2020-12-31"
    )
