"""The four slash commands, typed by people in the stand-in workspace, answered by the real bot in this
process on SQLite and PostgreSQL. The same over HTTP and over Socket Mode to the bot as a process:
tests/test_e2e_commands.py."""

from __future__ import annotations

import pytest

from bot.sandbox import Sandbox
from commands import catalog
from commands.kinds import standard
from tests.inprocess import InProcessBot
from tests.office import (
    ADMIN,
    DEFENDER,
    OFFICE_CHANNEL,
    PARTNER_TEAM,
    PARTNER_USER,
    SHARED_CHANNEL,
    Bot,
    command,
)

CATALOG = catalog(standard())

COMMANDS = tuple(c.name for c in CATALOG)


@pytest.fixture(scope="module")
def bot(in_process: InProcessBot) -> InProcessBot:
    return in_process


def test_liaison_help_lists_all_four_commands_privately(slack: Sandbox, bot: Bot) -> None:
    channel_before = len(slack.messages(OFFICE_CHANNEL))
    answer = command(slack, bot, DEFENDER, OFFICE_CHANNEL, "/liaison", "help")
    for name in COMMANDS:
        assert f"`{name} help`" in answer
    assert "`/liaison whoami`" in answer
    assert "key:value" in answer
    assert len(slack.messages(OFFICE_CHANNEL)) == channel_before, "help must not be posted to the channel"


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_answers_help_with_its_usage(slack: Sandbox, bot: Bot, name: str) -> None:
    answer = command(slack, bot, DEFENDER, OFFICE_CHANNEL, name, "help")
    assert answer.startswith(f"*{name}*:")
    assert f"`{name} help`: show this help." in answer


@pytest.mark.parametrize("name", [c.name for c in CATALOG if not c.empty_is_default])
def test_every_command_answers_empty_text_with_its_usage(slack: Sandbox, bot: Bot, name: str) -> None:
    answer = command(slack, bot, DEFENDER, OFFICE_CHANNEL, name)
    assert answer.startswith(f"*{name}*:")
    assert f"`{name} help`: show this help." in answer


@pytest.mark.parametrize("name", ["/referral", "/consult"])
def test_a_new_item_typed_alone_before_any_partner_exists_says_how_to_add_one(
    slack: Sandbox, bot: Bot, name: str
) -> None:
    """Typed alone, `/referral` and `/consult` open their form; with no partner to choose from, a form
    would be useless, so the person is told what is missing instead."""
    noun = name.removeprefix("/")
    answer = command(slack, bot, DEFENDER, OFFICE_CHANNEL, name)
    assert f"No partner can receive {noun}s yet. An admin adds one with `/liaison partner add" in answer
    assert not slack.open_views(DEFENDER)


def test_an_action_item_typed_alone_opens_its_form(slack: Sandbox, bot: Bot) -> None:
    """Action items need no partner: the form opens, with the person who typed it as its owner."""
    before = len(slack.open_views(DEFENDER))
    delivery = slack.slash_command(DEFENDER, OFFICE_CHANNEL, "/advocacy", "", via=bot.via)
    assert delivery.acked and not delivery.problems, delivery
    view = slack.wait_for(lambda: slack.open_views(DEFENDER)[before:], message="the action item form")[-1]
    owners = next(b for b in view.blocks if b.get("block_id") == "owners")["element"]
    assert owners["initial_users"] == [DEFENDER]
    slack.close_view(DEFENDER, view.id)


def test_an_unknown_subcommand_names_the_closest_valid_one(slack: Sandbox, bot: Bot) -> None:
    answer = command(slack, bot, DEFENDER, OFFICE_CHANNEL, "/liaison", "whoam")
    assert "`/liaison whoam` is not something Liaison knows. Did you mean `/liaison whoami`?" in answer


def test_malformed_text_gets_the_usage(slack: Sandbox, bot: Bot) -> None:
    answer = command(slack, bot, DEFENDER, OFFICE_CHANNEL, "/liaison", 'whoami "please')
    assert '`/liaison whoami` does not take `"please`.\nUsage: `/liaison whoami`' in answer


def test_home_staff_see_their_role(slack: Sandbox, bot: Bot) -> None:
    assert "with the role *defender*" in command(slack, bot, DEFENDER, OFFICE_CHANNEL, "/liaison", "whoami")
    assert "with the role *admin*" in command(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", "whoami")


def test_a_user_of_a_slack_connect_team_is_not_mistaken_for_home_staff(slack: Sandbox, bot: Bot) -> None:
    answer = command(slack, bot, PARTNER_USER, SHARED_CHANNEL, "/liaison", "whoami")
    assert f"from an organization Liaison does not know (team `{PARTNER_TEAM}`)" in answer
    assert "role" not in answer
