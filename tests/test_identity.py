"""Who is acting, read from requests as Slack Connect delivers them: a partner's person in a shared
channel is of the partner's team, never the installing one's.

The requests come from the stand-in, whose shapes tests/test_sandbox.py checks against the facts derived
from Slack's own payloads; tests/test_slack_facts.py runs the same reading on Slack's originals.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import BoltRequest

from bot.identity import actor_of
from bot.sandbox import Delivery, Sandbox
from tests.sandbox_helpers import modal, web_client

HOME, PARTNER_TEAM = "T0HOME", "T0PART"
DEFENDER, PARTNER = "U0DEF", "U0PART"
SHARED = "C0SHARED"


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    """A stand-in of the test's own: a test reads the deliveries it made."""
    with Sandbox() as sandbox:
        assert sandbox.home_team_id == HOME
        sandbox.add_team(PARTNER_TEAM, "Legal Aid Society")
        sandbox.add_user(DEFENDER, "dana")
        sandbox.add_user(PARTNER, "lee", team_id=PARTNER_TEAM)
        sandbox.add_user("U0NEW", "newcomer", team_id=PARTNER_TEAM)
        sandbox.add_channel(SHARED, "legal-aid-shared", members=[DEFENDER, PARTNER])
        sandbox.bot_url = "http://127.0.0.1:1/slack/events"  # nothing listens: only the requests matter
        yield sandbox


def _actor(payload: dict[str, Any]) -> tuple[str | None, str | None]:
    request = BoltRequest(body=json.dumps(payload), mode="socket_mode")
    actor = actor_of(request.body, request.context)
    return (actor.user_id, actor.team_id) if actor else (None, None)


def _sent(delivery: Delivery | None) -> dict[str, Any]:
    assert delivery is not None, "the stand-in sent nothing"
    return delivery.payload


@pytest.mark.parametrize(("user", "team"), [(PARTNER, PARTNER_TEAM), (DEFENDER, HOME)])
def test_messages_and_thread_replies_are_their_authors_team(sb: Sandbox, user: str, team: str) -> None:
    ts, posted = sb.post_as_user(user, SHARED, "a message")
    assert _actor(_sent(posted)) == (user, team)
    _, reply = sb.post_as_user(user, SHARED, "a reply", thread_ts=ts)
    assert _actor(_sent(reply)) == (user, team)


def test_a_partners_mention_is_the_partners_team_though_the_envelope_names_the_office(sb: Sandbox) -> None:
    sb.post_as_user(PARTNER, SHARED, f"<@{sb.bot_user_id}> please look")
    mention = next(d.payload for d in sb.deliveries if d.payload["event"]["type"] == "app_mention")
    assert mention["team_id"] == HOME
    assert _actor(mention) == (PARTNER, PARTNER_TEAM)


def test_clicks_submissions_and_commands_are_the_persons_own_team(sb: Sandbox) -> None:
    ts = web_client(sb).chat_postMessage(
        channel=SHARED,
        text="card",
        blocks=[
            {
                "type": "actions",
                "elements": [
                    {"type": "button", "action_id": "go", "text": {"type": "plain_text", "text": "Go"}}
                ],
            }
        ],
    )["ts"]
    assert _actor(_sent(sb.click(PARTNER, SHARED, ts, "go"))) == (PARTNER, PARTNER_TEAM)
    assert _actor(_sent(sb.slash_command(PARTNER, SHARED, "/liaison", "help"))) == (PARTNER, PARTNER_TEAM)
    view = web_client(sb).views_open(trigger_id=sb.workspace.issue_trigger(PARTNER), view=modal())["view"]
    submitted = _sent(
        sb.submit_view(PARTNER, view["id"], {"summary": {"text": "hello there"}, "owner": {"who": PARTNER}})
    )
    assert submitted["view"]["app_installed_team_id"] == HOME
    assert _actor(submitted) == (PARTNER, PARTNER_TEAM)


def test_a_partners_person_joining_is_of_the_partners_team(sb: Sandbox) -> None:
    joined = _sent(sb.join_channel("U0NEW", SHARED, inviter_id=PARTNER))
    assert _actor(joined) == ("U0NEW", PARTNER_TEAM)


def test_a_reaction_does_not_say_whose_team_so_nobody_is_known_to_act(sb: Sandbox) -> None:
    ts, _ = sb.post_as_user(DEFENDER, SHARED, "react to this")
    reacted = _sent(sb.react_as_user(PARTNER, SHARED, ts, "eyes"))
    assert reacted["team_id"] == HOME
    assert _actor(reacted) == (None, None), "never the installing team: that would make them home staff"
