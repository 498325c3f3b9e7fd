"""Who is acting, checked against Slack's own Slack Connect payloads (tests/oracles/payloads)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import BoltRequest

from bot.identity import actor_of

PAYLOADS = Path(__file__).parent / "oracles" / "payloads"


def _load(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / name).read_text())


def _actor(payload: dict[str, Any]) -> tuple[str | None, str | None]:
    request = BoltRequest(body=json.dumps(payload), mode="socket_mode")
    actor = actor_of(request.body, request.context)
    return (actor.user_id, actor.team_id) if actor else (None, None)


SLACK_CONNECT_CASES = _load("slack_connect_events_with_expected_ids.json")["cases"]


@pytest.mark.parametrize("case", SLACK_CONNECT_CASES, ids=lambda c: f"{c['payload']['event']['type']}")
def test_event_actor_is_the_persons_own_team_as_slack_expects(case: dict[str, Any]) -> None:
    expected = case["expected_actor"]
    assert _actor(case["payload"]) == (expected["user_id"], expected["team_id"])


def test_an_external_users_message_is_attributed_to_their_team_not_the_installing_one() -> None:
    for payload in _load("message_event_external_user.json")["examples"][0]["payloads"]:
        assert _actor(payload) == ("USER_ID_ACTOR", "TEAM_ID_ACTOR")


def test_clicks_and_submissions_use_the_users_own_team() -> None:
    click = _load("block_actions.json")["examples"][0]["payload"]
    submission = _load("view_submission.json")["examples"][0]["payload"]
    assert _actor(click) == ("W111", "T111")
    # The installing team is in view.app_installed_team_id; the submitter's own is user.team_id.
    submission = {**submission, "user": {**submission["user"], "team_id": "T0PARTNER"}}
    assert _actor(submission) == ("W111", "T0PARTNER")


def test_slash_command_actor() -> None:
    fields = _load("slash_command.json")["examples"][0]["fields"]
    assert _actor(fields) == ("W111", "T111")
