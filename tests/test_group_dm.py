"""A card in a group DM with the partner's people, the bot in this process on SQLite and PostgreSQL, with
the stand-in granting only what manifest.yml asks for: Liaison must see the conversation
(conversations.info needs mpim:read there), post in it, look for its cards in it (conversations.history,
mpim:history) and hear replies in its threads (message.mpim)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.manifest import manifest
from bot.sandbox import Sandbox
from tests.databases import BACKENDS
from tests.inprocess import InProcessBot, in_process_bot
from tests.office import (
    ADMIN,
    DEFENDER,
    OFFICE_CHANNEL,
    PARTNER_USER,
    Bot,
    add_legal_aid,
    office,
    shown_eventually,
)
from tests.office import command as typed

GROUP_DM = "G0MPIMLEGAL"


def link_the_group_dm(slack: Sandbox, bot: Bot) -> None:
    linked = typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", f"channel link <#{GROUP_DM}> legal-aid")
    assert "Sorry" not in linked, linked


@pytest.fixture(params=BACKENDS)
def bot(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Sandbox, InProcessBot]]:
    with office() as slack:
        slack.apply_manifest(manifest())
        slack.add_group_dm(GROUP_DM, [DEFENDER, PARTNER_USER])
        with in_process_bot(slack, tmp_path, request.param) as running:
            add_legal_aid(slack, running)
            link_the_group_dm(slack, running)
            yield slack, running


def test_a_referral_in_a_group_dm_with_the_partners_people_posts_its_card_and_hears_its_thread(
    bot: tuple[Sandbox, Bot],
) -> None:
    slack, running = bot
    answer = typed(slack, running, DEFENDER, GROUP_DM, "/referral", "need:housing Client faces eviction.")
    assert answer.startswith("Sent *R-1*"), answer
    (card,) = slack.messages(GROUP_DM)
    assert card.metadata is not None and card.metadata["event_payload"]["ref"] == "R-1"
    _ts, delivery = slack.post_as_user(PARTNER_USER, GROUP_DM, "We will call her today.", thread_ts=card.ts)
    assert delivery is not None and delivery.acked, "message.mpim is subscribed"
    shown = shown_eventually(slack, running, DEFENDER, "/referral", "R-1", "We will call her today.")
    assert "Thread: 1 reply" in shown


def test_without_mpim_read_slack_would_refuse_to_describe_the_group_dm(
    bot: tuple[Sandbox, Bot],
) -> None:
    """The control: the stand-in refuses conversations.info in a group DM to an app not granted mpim:read,
    as Slack does, so the test above shows the manifest asks for it."""
    slack, running = bot
    narrower = manifest()
    narrower["oauth_config"]["scopes"]["bot"].remove("mpim:read")
    slack.apply_manifest(narrower)
    answer = typed(slack, running, DEFENDER, GROUP_DM, "/referral", "need:housing Client faces eviction.")
    assert answer.startswith(f"Liaison can't see <#{GROUP_DM}>"), answer
    assert [c.error for c in slack.calls("conversations.info")][-1] == "missing_scope"
    assert slack.messages(GROUP_DM) == []
