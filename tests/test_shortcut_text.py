"""A message shortcut's text and place, through the real bot on SQLite and PostgreSQL: the message read as
its author saw it (Slack's links, channels and named mentions, not its markup), a phone number Slack wrote
as a link found in either of its forms and refused, and a direct message between two people, which no app
can read, refused without telling anyone to invite Liaison. The shortcuts themselves:
tests/test_shortcuts.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from bot.sandbox import Sandbox
from bot.sandbox.workspace import Channel
from tests.databases import BACKENDS
from tests.inprocess import InProcessBot, in_process_bot
from tests.office import ADMIN, DEFENDER, SHARED_CHANNEL, Bot, office
from tests.test_shortcuts import (
    ACT,
    REFER,
    hint,
    on_message,
    prefilled,
    set_up,
    stored,
    submit,
    told_privately,
    workspace,
)

PEOPLES_DM = "D0PEOPLE"  # Dana and Ari's direct message, which no app is part of


@pytest.fixture(scope="module")
def slack() -> Iterator[Sandbox]:
    with office() as sandbox:
        workspace(sandbox)
        sandbox.workspace.add_channel(
            Channel(PEOPLES_DM, PEOPLES_DM, [DEFENDER, ADMIN], is_im=True, im_user=ADMIN)
        )
        yield sandbox


@pytest.fixture(scope="module", params=BACKENDS)
def bot(request: pytest.FixtureRequest, slack: Sandbox, tmp_path_factory: Any) -> Iterator[InProcessBot]:
    with in_process_bot(slack, tmp_path_factory.mktemp(request.param), request.param) as running:
        set_up(slack, running)
        yield running


# Slack writes a phone number someone typed as a tel: link labelled with the number, and a link as markup.
LINKED = (
    "Client needs a shelter bed tonight, call her <tel:+13125550143|312-555-0143> after 5; "
    "the order is <https://court.example/o/77|here> &amp; <#C0FAKE|intake> knows."
)


@pytest.mark.parametrize("callback", [REFER, ACT])
def test_a_phone_number_slack_wrote_as_a_link_is_found_shown_plainly_and_refused(
    slack: Sandbox, bot: Bot, callback: str
) -> None:
    ts, _ = slack.post_as_user(DEFENDER, SHARED_CHANNEL, LINKED)
    view = on_message(slack, bot, DEFENDER, SHARED_CHANNEL, ts, callback)
    assert view is not None
    field = "details" if callback == REFER else "title"
    shown = prefilled(view, field) or ""
    assert "call her 312-555-0143 after 5" in shown, shown  # as the author saw it, not as markup
    assert "here (https://court.example/o/77) & #intake knows" in shown, shown
    assert "a phone number" in hint(view, field), hint(view, field)
    before, cards = stored(bot), len(slack.messages(SHARED_CHANNEL))
    for details in (None, LINKED.replace("&amp;", "&")):  # as prefilled; then the markup pasted back in
        values = {"need": "housing"} if callback == REFER else {}
        if details is not None:
            view = on_message(slack, bot, DEFENDER, SHARED_CHANNEL, ts, callback)
            assert view is not None
            values[field] = details[:150] if callback == ACT else details
        answer = submit(slack, bot, DEFENDER, view, values, SHARED_CHANNEL)
        found = r"(look like they identify the client|what looks like) \(?a phone number"
        assert re.search(found, answer), answer
        assert "555" not in answer  # the explanation masks it
        assert stored(bot) == before
    assert not [m for m in slack.messages(SHARED_CHANNEL)[cards:] if "555" in m.text]


def test_a_message_in_a_direct_message_between_people_is_refused_without_asking_to_invite_liaison(
    slack: Sandbox, bot: Bot
) -> None:
    if PEOPLES_DM not in slack.workspace.channels:
        slack.workspace.add_channel(
            Channel(PEOPLES_DM, PEOPLES_DM, [DEFENDER, ADMIN], is_im=True, im_user=ADMIN)
        )
    ts, _ = slack.post_as_user(DEFENDER, PEOPLES_DM, "Follow up with the clinic about intake hours.")
    before, seen = stored(bot), len(slack.ephemerals(DEFENDER, PEOPLES_DM))
    for callback in (REFER, ACT):
        assert on_message(slack, bot, DEFENDER, PEOPLES_DM, ts, callback) is None
        said = told_privately(slack, DEFENDER, PEOPLES_DM, seen)
        seen += 1
        assert "direct message between other people" in said and "/invite" not in said, said
    assert stored(bot) == before


def test_a_message_with_mentions_is_prefilled_with_them_as_slack_shows_them_and_goes(
    slack: Sandbox, bot: Bot
) -> None:
    """Mentions stay Slack's markup in the form: read as `help @here`, they would look like an email
    address."""
    words = "Can someone help <!here>? Ask <@U0DEF|dana> or <!subteam^S0123ABC|@legal-team> for the letter."
    ts, _ = slack.post_as_user(DEFENDER, SHARED_CHANNEL, words)
    view = on_message(slack, bot, DEFENDER, SHARED_CHANNEL, ts, ACT)
    assert view is not None
    assert prefilled(view, "title") == words[:150].replace("&amp;", "&")
    assert "Liaison found" not in hint(view, "title"), hint(view, "title")
    answer = submit(slack, bot, DEFENDER, view, {}, SHARED_CHANNEL)
    assert answer.startswith("Posted *A-"), answer
