"""A referral stored but never posted (the process was killed between the two) gets its card when the bot
starts again, exactly once, after the same checks as a new one; on PostgreSQL, where another instance may
be posting right now, a claim still young is left to its sender."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.sandbox import Sandbox, visible_text
from storage import cards, partners
from storage.audit import Actor
from storage.clock import REAL
from storage.crypto import Keyring
from storage.db import Database
from storage.directory import parse_fields
from storage.item_tables import Referral
from tests.botproc import BotProcess
from tests.databases import BACKENDS, database_url
from tests.kinds import SCOPES
from tests.office import ADMIN, DATA_KEY, DEFENDER, SHARED_CHANNEL, STRANGER, bot_settings, office

pytestmark = pytest.mark.e2e

MIXED = "C0MIXEDNOW"


@pytest.fixture
def slack() -> Iterator[Sandbox]:
    """A stand-in of the test's own: its bots come and go."""
    with office() as sandbox:
        sandbox.add_channel(MIXED, "now-shared-with-a-stranger", members=[DEFENDER, STRANGER])
        yield sandbox


def _stored_but_unposted(db: Database) -> None:
    """R-1 abandoned long ago, R-2 claimed a moment ago, R-3 abandoned in a channel that has since been
    shared with an organization Liaison does not know."""
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
                ],
                SCOPES,
            ),
        )
        partners.link_channel(session, admin, SHARED_CHANNEL, [partner])
        partners.link_channel(session, admin, MIXED, [partner])
        for channel, claimed_ago in (
            (SHARED_CHANNEL, timedelta(minutes=10)),
            (SHARED_CHANNEL, timedelta()),
            (MIXED, timedelta(minutes=10)),
        ):
            session.add(
                Referral(
                    partner_id=partner.id,
                    need="housing",
                    details="Client faces eviction.",
                    due_at=REAL() + timedelta(days=3),
                    requester_id=DEFENDER,
                    channel_id=channel,
                    card_ts=cards.new_claim(REAL() - claimed_ago),
                )
            )


def _cards(slack: Sandbox, channel: str) -> list[str]:
    return sorted(m.text.split(" ")[0] for m in slack.messages(channel) if "· Referral to" in m.text)


@pytest.mark.parametrize("backend", BACKENDS)
def test_cards_left_unposted_are_posted_on_the_next_start_once(
    slack: Sandbox, tmp_path: Path, backend: str
) -> None:
    # SQLite serves one instance, so at start every claim is abandoned; PostgreSQL: only old claims.
    expected = ["R-1", "R-2"] if backend == "sqlite" else ["R-1"]
    with database_url(backend, tmp_path) as url:
        db = Database(url, Keyring([DATA_KEY]))
        db.upgrade()
        _stored_but_unposted(db)
        db.dispose()
        logs = []
        for _ in range(2):
            # The claims above were made by this process's (real) clock: the bot must keep the same time.
            bot = BotProcess(tmp_path, ["--http"], **{**bot_settings(slack, url), "LIAISON_START_TIME": ""})
            try:
                bot.wait_until_serving()
                found = slack.wait_for(lambda: _cards(slack, SHARED_CHANNEL), message="the abandoned cards")
            finally:
                assert bot.stop() == 0, bot.output
                logs.append(bot.output)
            assert found == expected, "each abandoned card is posted once, however often Liaison starts"
        assert "posted the card of R-1" in logs[0] and "posted the card of" not in logs[1]
        assert _cards(slack, MIXED) == [], "a channel another organization now reads gets no card"
        told = [visible_text(m) for m in slack.dms(DEFENDER)]
        assert any("R-3 was not posted, and is closed unposted" in t and "T0STRANGER" in t for t in told), (
            told
        )
