"""The command registry: help is generated from what is parsed, and mistakes name the fix."""

from __future__ import annotations

import pytest

from commands import CATALOG, by_name
from commands.grammar import UsageError


def test_every_command_has_help_listing_its_subcommands_and_all_four_commands() -> None:
    names = {command.name for command in CATALOG}
    assert names == {"/referral", "/consult", "/advocacy", "/liaison"}
    for command in CATALOG:
        sub, _ = command.resolve("help")
        assert sub is None
        text = command.help(CATALOG).text
        for name in command.subcommand_names:
            assert f"`{command.name} {name}" in text
        for other in names:
            assert f"`{other} help`" in text


@pytest.mark.parametrize("text", ["", "   ", "help", "HELP extra words"])
def test_empty_text_and_help_both_mean_help(text: str) -> None:
    for command in CATALOG:
        assert command.resolve(text)[0] is None


def test_an_unknown_subcommand_names_the_closest_valid_one() -> None:
    liaison = by_name("/liaison")
    assert liaison is not None
    with pytest.raises(UsageError) as near:
        liaison.resolve("whoam")
    assert "Did you mean `/liaison whoami`?" in near.value.message
    with pytest.raises(UsageError) as far:
        liaison.resolve("xyzzy")
    assert "Try one of: `help`, `whoami`." in far.value.message


def test_text_a_subcommand_does_not_take_is_refused_with_its_usage() -> None:
    liaison = by_name("/liaison")
    assert liaison is not None
    with pytest.raises(UsageError) as caught:
        liaison.resolve("whoami please")
    assert caught.value.message == "`/liaison whoami` does not take `please`.\nUsage: `/liaison whoami`"
