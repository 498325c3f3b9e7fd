"""`/advocacy`: policy-advocacy action items shared across organizations."""

from __future__ import annotations

from commands.registry import SlashCommand

COMMAND = SlashCommand(
    name="/advocacy",
    description=(
        "Track policy-advocacy action items (comments, testimony, letters) with owners in any organization."
    ),
)
