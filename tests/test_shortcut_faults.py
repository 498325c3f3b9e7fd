"""Shortcuts when Slack changes under them, through the real bot on SQLite and PostgreSQL: the message
deleted while its form was open (the item is saved without its link, and the person told why), and a
form Slack was too slow to open before its trigger_id expired (the person told what to do again). The
shortcuts themselves: tests/test_shortcuts.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.errors import FORM_TOO_LATE as TOO_LATE
from bot.sandbox import Sandbox, visible_text
from tests.databases import BACKENDS
from tests.inprocess import InProcessBot, in_process_bot
from tests.office import DEFENDER, OFFICE_CHANNEL, SHARED_CHANNEL, Bot, office
from tests.office import command as typed
from tests.test_shortcuts import (
    ACT,
    ASK,
    NEW_ACTION,
    card_link,
    from_menu,
    on_message,
    ref_in,
    set_up,
    stored,
    submit,
    thread,
    workspace,
)


@pytest.fixture(scope="module")
def slack() -> Iterator[Sandbox]:
    with office() as sandbox:
        workspace(sandbox)
        yield sandbox


@pytest.fixture(scope="module", params=BACKENDS)
def bot(request: pytest.FixtureRequest, slack: Sandbox, tmp_path_factory: Any) -> Iterator[InProcessBot]:
    with in_process_bot(slack, tmp_path_factory.mktemp(request.param), request.param) as running:
        set_up(slack, running)
        yield running


@pytest.mark.parametrize(
    ("channel", "callback", "prefix", "command"),
    [(OFFICE_CHANNEL, ACT, "A", "/advocacy"), (SHARED_CHANNEL, ASK, "C", "/consult")],
)
def test_the_item_is_saved_without_its_link_when_the_message_is_deleted_before_the_form_is_sent(
    slack: Sandbox, bot: Bot, channel: str, callback: str, prefix: str, command: str
) -> None:
    """The link to the message is a convenience: its loss (Slack: message_not_found) does not throw away
    the filled-in form. No answer goes to the deleted message's thread, and the person is told why."""
    ts, _ = slack.post_as_user(DEFENDER, channel, "Can the county clerk share the intake backlog numbers?")
    view = on_message(slack, bot, DEFENDER, channel, ts, callback)
    assert view is not None
    slack.delete_as_user(DEFENDER, channel, ts)
    bot.settle()
    before = stored(bot)
    answer = submit(slack, bot, DEFENDER, view, {}, channel)
    ref = ref_in(answer, prefix)
    assert (
        f"The message it was made from was deleted meanwhile, so {ref} keeps no link to it and Liaison "
        "posted no answer in its thread."
    ) in answer, answer
    table = {"A": "advocacy", "C": "consult"}[prefix]
    assert stored(bot)[table] == before[table] + 1
    assert card_link(slack, ref, channel) and thread(slack, channel, ts) == []
    shown = typed(slack, bot, DEFENDER, OFFICE_CHANNEL, command, f"show {ref}")
    assert "The message it was made from" not in shown and "Open the card" in shown, shown


def test_a_form_slack_was_too_slow_to_open_says_so_and_what_to_do(slack: Sandbox, bot: Bot) -> None:
    """A rate limit on the channel's look-up holds the shortcut 4 s; its trigger_id was good for 3."""
    ts, _ = slack.post_as_user(DEFENDER, SHARED_CHANNEL, "Can the clinic see a client on Thursday?")
    bot.settle()
    before, seen = stored(bot), len(slack.ephemerals(DEFENDER, SHARED_CHANNEL))
    views = len(slack.calls("views.open"))
    slack.fail("conversations.info", status=429, retry_after=4)
    delivery = slack.message_shortcut(DEFENDER, SHARED_CHANNEL, ts, ASK, via=bot.via)
    assert delivery.acked and delivery.problems == [], delivery
    told = slack.wait_for(
        lambda: slack.ephemerals(DEFENDER, SHARED_CHANNEL)[seen:], timeout=15, message="the answer"
    )
    bot.settle()
    assert [visible_text(t) for t in told] == [TOO_LATE.format(again="use the shortcut again")]
    assert [c for c in slack.calls("views.open")[views:] if c.ok] == [] and stored(bot) == before


def test_a_form_that_cannot_open_in_time_from_the_menu_or_a_command_says_so(slack: Sandbox, bot: Bot) -> None:
    before, dms = stored(bot), len(slack.dms(DEFENDER))
    slack.fail("views.open", status=200, error="expired_trigger_id")
    assert from_menu(slack, bot, DEFENDER, NEW_ACTION) is None
    told = slack.wait_for(lambda: slack.dms(DEFENDER)[dms:], message="a direct message")
    assert visible_text(told[-1]) == TOO_LATE.format(again="use the shortcut again")

    slack.fail("views.open", status=200, error="expired_trigger_id")
    answer = typed(slack, bot, DEFENDER, SHARED_CHANNEL, "/referral", "")  # alone: it opens the form
    assert answer == TOO_LATE.format(again="type `/referral` again"), answer
    assert stored(bot) == before
