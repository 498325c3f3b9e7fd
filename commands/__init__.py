"""The slash commands, one module each. CATALOG is the single list the bot and the manifest use."""

from __future__ import annotations

from commands import advocacy, consult, liaison, referral
from commands.items import CardFor
from commands.registry import SlashCommand
from storage.items import ADVOCACY_ITEMS, CONSULTS, Kind

CATALOG: tuple[SlashCommand, ...] = (referral.COMMAND, consult.COMMAND, advocacy.COMMAND, liaison.COMMAND)


def by_name(name: str) -> SlashCommand | None:
    return next((command for command in CATALOG if command.name == name), None)


def card_for(kind: Kind) -> CardFor:
    """The card of a kind's items (for what acts on every kind: buttons, threads, restarts)."""
    if kind == ADVOCACY_ITEMS:
        return advocacy.card
    return consult.card if kind == CONSULTS else referral.card
