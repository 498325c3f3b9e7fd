"""The real bot as a process, over HTTP and over Socket Mode (each on one of the databases), signed as Slack
signs: every check of tests/test_commands.py (which runs them in the bot in this process, on both
databases), a form opened by a command's trigger_id among them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.sandbox import Sandbox
from tests import test_commands as fast
from tests.office import RunningBot, running_bot

pytestmark = pytest.mark.e2e


@pytest.fixture(
    scope="module", params=[("http", "postgresql"), ("socket", "sqlite")], ids=lambda p: f"{p[0]}-{p[1]}"
)
def bot(
    request: pytest.FixtureRequest, slack: Sandbox, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningBot]:
    via, backend = request.param
    with running_bot(slack, tmp_path_factory.mktemp(f"{via}-{backend}"), backend, via) as running:
        yield running


def test_every_command_check_over_the_wire(slack: Sandbox, bot: RunningBot) -> None:
    """Each of tests/test_commands.py's checks, one after the other, to the bot as a process."""
    fast.test_liaison_help_lists_all_four_commands_privately(slack, bot)
    for name in fast.COMMANDS:
        fast.test_every_command_answers_help_with_its_usage(slack, bot, name)
    for name in [c.name for c in fast.CATALOG if not c.empty_is_default]:
        fast.test_every_command_answers_empty_text_with_its_usage(slack, bot, name)
    for name in ("/referral", "/consult"):
        fast.test_a_new_item_typed_alone_before_any_partner_exists_says_how_to_add_one(slack, bot, name)
    fast.test_an_action_item_typed_alone_opens_its_form(slack, bot)
    fast.test_an_unknown_subcommand_names_the_closest_valid_one(slack, bot)
    fast.test_malformed_text_gets_the_usage(slack, bot)
    fast.test_home_staff_see_their_role(slack, bot)
    fast.test_a_user_of_a_slack_connect_team_is_not_mistaken_for_home_staff(slack, bot)
