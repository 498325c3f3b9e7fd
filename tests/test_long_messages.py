"""A direct message longer than one Slack message takes (a report of hundreds of partners, a long digest),
through the bot's own client against the stand-in: sent whole as several messages in order, each within
Slack's limits; and a part Slack refuses ends the message there, said so, without sending what went
before again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.door import Door
from bot.render import MESSAGE_TEXT_BUDGET
from bot.sandbox import Sandbox
from bot.slack_client import web_client
from bot.workspace import SlackWorkspace
from storage.identifiers import Detector
from tests.office import DEFENDER, office

# Forty paragraphs of 900 characters: about 36,000 characters, so at least three messages.
LONG = "\n\n".join(
    f"Partner {n:03d}: " + "referrals accepted and completed on time. " * 21 for n in range(40)
)


@pytest.fixture
def slack() -> Iterator[Sandbox]:
    with office() as sandbox:
        yield sandbox


@pytest.fixture
def workspace(slack: Sandbox) -> SlackWorkspace:
    client = web_client(slack.bot_token, slack.api_url)
    workspace = SlackWorkspace(client, slack.home_team_id)
    client.door = Door(Detector(), slack.home_team_id, workspace, lambda refusal: None)
    return workspace


def test_a_long_direct_message_goes_whole_in_order_within_slacks_limits(
    slack: Sandbox, workspace: SlackWorkspace
) -> None:
    workspace.send_dm(DEFENDER, LONG)
    sent = slack.dms(DEFENDER)
    assert len(sent) >= 3
    assert [m.text.rsplit("(", 1)[-1] for m in sent] == [
        f"{n} of {len(sent)})" for n in range(1, len(sent) + 1)
    ]
    shown = "".join(b["text"]["text"] for m in sent for b in m.blocks)
    assert [f"Partner {n:03d}:" in shown for n in range(40)] == [True] * 40
    assert shown.index("Partner 000") < shown.index("Partner 020") < shown.index("Partner 039")
    for message in sent:
        assert len(message.blocks) <= 50
        assert sum(len(b["text"]["text"]) for b in message.blocks) <= MESSAGE_TEXT_BUDGET


def test_a_refused_part_ends_the_message_there_and_nothing_is_sent_twice(
    slack: Sandbox, workspace: SlackWorkspace
) -> None:
    slack.fail("chat.postMessage", status=200, error="invalid_blocks", where=lambda a: "(2 of" in str(a))
    workspace.send_dm(DEFENDER, LONG)  # the first part went: no error for a caller to try it all again
    sent = [m.text for m in slack.dms(DEFENDER)]
    assert len(sent) == 2 and sent[0].endswith(")") and "(1 of" in sent[0], sent
    assert sent[1] == "Slack refused the rest of this message (invalid_blocks), so it ends here."
