"""A referral stored but never posted (the process was killed between the two) gets its card when the bot
starts again, exactly once; a claim still young belongs to a sender that may be alive and is left alone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.sandbox import Sandbox
from storage import partners
from storage.audit import Actor
from storage.db import Database
from storage.directory import parse_fields
from storage.models import POSTING, Referral
from storage.types import utcnow
from tests.botproc import BotProcess
from tests.databases import database_url
from tests.office import ADMIN, DEFENDER, SHARED_CHANNEL, bot_settings, populate


@pytest.fixture
def slack() -> Iterator[Sandbox]:
    with Sandbox() as sandbox:
        populate(sandbox)
        yield sandbox


def _stored_but_unposted(db: Database, claim: str, age: timedelta) -> None:
    admin = Actor(ADMIN, "T0HOME")
    with db.session() as session:
        partner = partners.add(
            session,
            admin,
            "legal-aid",
            parse_fields(
                [
                    ("name", "Legal Aid Society"),
                    ("kind", "legal_aid"),
                    ("team", "T0LEGAL"),
                    ("scope", "referral"),
                ]
            ),
        )
        partners.link_channel(session, admin, SHARED_CHANNEL, [partner])
        for details, how_old in (
            ("Abandoned when the bot was killed.", age),
            ("Still being sent.", timedelta()),
        ):
            session.add(
                Referral(
                    partner_id=partner.id,
                    need="housing",
                    details=details,
                    due_at=utcnow() + timedelta(days=3),
                    requester_id=DEFENDER,
                    channel_id=SHARED_CHANNEL,
                    card_ts=claim + details[:4],
                    created_at=utcnow() - how_old,
                )
            )


def _cards(slack: Sandbox) -> list[str]:
    return [m.text for m in slack.messages(SHARED_CHANNEL) if "· Referral to" in m.text]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_card_left_unposted_is_posted_on_the_next_start_once(
    slack: Sandbox, tmp_path: Path, backend: str
) -> None:
    with database_url(backend, tmp_path) as url:
        db = Database(url)
        db.upgrade()
        _stored_but_unposted(db, f"{POSTING}killed-", timedelta(minutes=10))
        db.dispose()
        logs = []
        for run in (1, 2):
            bot = BotProcess(tmp_path, ["--http"], **bot_settings(slack, url))
            try:
                bot.wait_until_serving()
                cards = slack.wait_for(lambda: _cards(slack), message="the abandoned referral's card")
            finally:
                assert bot.stop() == 0, bot.output
                logs.append(bot.output)
            assert len(cards) == 1, f"run {run}: {cards}"
            assert cards[0].startswith("R-1 · Referral to Legal Aid Society")
        assert "posted the card of R-1" in logs[0]
        assert "posted the card of" not in logs[1], "the second start posts nothing"
