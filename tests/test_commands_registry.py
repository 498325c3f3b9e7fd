"""The command registry: help is generated from what is parsed, and mistakes name the fix."""

from __future__ import annotations

import pytest

from commands import catalog
from commands.grammar import UsageError
from commands.kinds import standard
from commands.registry import SlashCommand

CATALOG = catalog(standard())


def by_name(name: str) -> SlashCommand:
    return next(command for command in CATALOG if command.name == name)


def test_every_command_has_help_listing_its_subcommands_and_all_six_commands() -> None:
    names = {command.name for command in CATALOG}
    assert names == {"/referral", "/consult", "/advocacy", "/resource", "/training", "/liaison"}
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
        sub = command.resolve(text)[0]
        if command.empty_is_default and not text.strip():
            assert sub is command.default  # `/referral` alone opens its form
        else:
            assert sub is None


def test_an_unknown_subcommand_names_the_closest_valid_one() -> None:
    liaison = by_name("/liaison")
    assert liaison is not None
    with pytest.raises(UsageError) as near:
        liaison.resolve("whoam")
    assert "Did you mean `/liaison whoami`?" in near.value.message
    with pytest.raises(UsageError) as far:
        liaison.resolve("xyzzy")
    assert "Try one of: `help`, `whoami`, `partner list`," in far.value.message


def test_a_group_word_alone_lists_its_actions_and_a_typo_in_it_is_matched() -> None:
    liaison = by_name("/liaison")
    assert liaison is not None
    with pytest.raises(UsageError) as bare:
        liaison.resolve("partner")
    assert (
        bare.value.message == "`/liaison partner` needs one of: `list`, `show`, `add`, `edit`, `deactivate`."
    )
    with pytest.raises(UsageError) as typo:
        liaison.resolve("partner ad legal-aid")
    assert "Did you mean `/liaison partner add`?" in typo.value.message
    sub, args = liaison.resolve('Partner Add legal-aid name:"Legal Aid" team:T1 team:T2')
    assert sub is not None and sub.name == "partner add"
    assert args.words == ["legal-aid"] and args.options["team"] == ["T1", "T2"]


def test_text_a_subcommand_does_not_take_is_refused_with_its_usage() -> None:
    liaison = by_name("/liaison")
    assert liaison is not None
    with pytest.raises(UsageError) as caught:
        liaison.resolve("whoami please")
    assert caught.value.message == "`/liaison whoami` does not take `please`.\nUsage: `/liaison whoami`"
