"""The slash commands: one per kind of item (commands/kinds/) and `/liaison` for the office's settings.
`catalog` is the single list the bot and the manifest use."""

from __future__ import annotations

from commands.kinds.spec import Specs
from commands.registry import SlashCommand


def catalog(specs: Specs) -> tuple[SlashCommand, ...]:
    from commands import liaison

    return (*specs.commands, liaison.COMMAND)
