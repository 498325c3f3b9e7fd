"""Liaison's Home tab through the stand-in, the bot in this process on SQLite and PostgreSQL: what it shows
the viewer (their open items, overdue first, what awaits them; per-partner counts for coordinators), that
it follows changes, and its buttons. Through the bot as a process: tests/test_e2e_journeys.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox import Sandbox, View, visible_text
from tests.databases import BACKENDS
from tests.inprocess import InProcessBot, in_process_bot
from tests.office import (
    ADMIN,
    CIVIL_TEAM,
    CIVIL_USER,
    DEFENDER,
    OFFICE_CHANNEL,
    Bot,
    office,
)
from tests.office import command as typed

CIVIL_CHANNEL = "C0CIVIL"


def workspace(slack: Sandbox) -> None:
    """The module's own people and channels, beyond the office's."""
    slack.add_channel(CIVIL_CHANNEL, "civil-shared", members=[DEFENDER, ADMIN, CIVIL_USER])


@pytest.fixture
def slack() -> Iterator[Sandbox]:
    with office() as sandbox:
        workspace(sandbox)
        yield sandbox


def set_up(slack: Sandbox, bot: Bot) -> None:
    for text in (
        f'partner add civil-rights name:"Civil Rights Org" kind:civil_rights team:{CIVIL_TEAM} '
        "scope:consult,referral",
        f"channel link <#{CIVIL_CHANNEL}|civil> civil-rights",
    ):
        assert "Sorry" not in typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", text)


@pytest.fixture(params=BACKENDS)
def bot(request: pytest.FixtureRequest, slack: Sandbox, tmp_path: Path) -> Iterator[InProcessBot]:
    """Each test on a database of its own: the Home tab counts all there is."""
    with in_process_bot(slack, tmp_path, request.param) as running:
        set_up(slack, running)
        yield running


def text_of(view: View) -> str:
    return "\n".join(b["text"]["text"] for b in view.blocks if b["type"] == "section")


def opened(slack: Sandbox, user: str, expected: str) -> str:
    """Open the Home tab and return what it shows once it shows `expected`."""
    slack.open_app_home(user)
    return slack.wait_for(
        lambda: (view := slack.home_view(user)) is not None and expected in text_of(view) and text_of(view),
        message=f"{user}'s Home tab to show {expected!r}",
    )


def test_the_home_tab_shows_the_viewers_items_and_follows_their_changes(slack: Sandbox, bot: Bot) -> None:
    soon = typed(slack, bot, DEFENDER, CIVIL_CHANNEL, "/consult", "due:2026-12-18 Is the stop report public?")
    sooner = typed(slack, bot, DEFENDER, CIVIL_CHANNEL, "/consult", "due:2026-12-11 Any rulings?")
    first, second = soon.split("*")[1], sooner.split("*")[1]
    home = opened(slack, DEFENDER, second)
    assert home.index(f"*{second}*") < home.index(f"*{first}*"), "soonest due first"
    assert "Civil Rights Org, open, due <!date^" in home
    assert "Open items by partner" not in home, "per-partner counts are for coordinators"
    buttons = [
        e["text"]["text"]
        for b in slack.home_view(DEFENDER).blocks
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert buttons == ["New referral", "New consult", "New action item"]

    card = [m for m in slack.messages(CIVIL_CHANNEL) if m.text.startswith(f"{second} · Consult")][-1]
    slack.post_as_user(CIVIL_USER, CIVIL_CHANNEL, "Yes, two this year.", thread_ts=card.ts)
    slack.wait_for(
        lambda: f"*waiting on you* · *{second}*" in text_of(slack.home_view(DEFENDER)),
        message="the answered consult to await its requester, without reopening the tab",
    )
    assert "Open items by partner* (open, overdue)\n• Civil Rights Org: 2, 0 overdue" in opened(
        slack, ADMIN, "Open items by partner"
    )


def test_a_consult_started_from_the_home_tab_asks_where_to_post(slack: Sandbox, bot: Bot) -> None:
    opened(slack, DEFENDER, "Your open items")
    home = slack.home_view(DEFENDER)
    assert home is not None
    delivery = slack.click_in_view(DEFENDER, home.id, "home.new.consult")
    assert delivery.acked and not delivery.problems
    form = slack.wait_for(lambda: [v for v in slack.open_views(DEFENDER) if v.type == "modal"])[-1]
    assert [b["block_id"] for b in form.blocks if b["type"] == "input"][:2] == ["channel", "to"]
    posted = len(slack.messages(CIVIL_CHANNEL))
    slack.submit_view(
        DEFENDER,
        form.id,
        {
            "channel": {"value": CIVIL_CHANNEL},
            "to": {"value": "civil-rights"},
            "question": {"value": "Started from Home: who handles bail appeals?"},
        },
    )
    card = slack.wait_for(lambda: slack.messages(CIVIL_CHANNEL)[posted:], message="the consult's card")[-1]
    assert " · Consult with Civil Rights Org" in card.text
    assert "Started from Home: who handles bail appeals?" in visible_text(card)
