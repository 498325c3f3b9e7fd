"""`/referral`: refer a client's need to a partner organization and follow it to an outcome."""

from __future__ import annotations

from commands.registry import SlashCommand

COMMAND = SlashCommand(
    name="/referral",
    description="Refer a client's need to a partner organization and follow it to an outcome.",
)
