"""`/consult`: ask a partner for input on a case, with a deadline, answered in the card's thread."""

from __future__ import annotations

from commands.registry import SlashCommand

COMMAND = SlashCommand(
    name="/consult",
    description="Ask a partner organization for input on a case, with a deadline; they answer in the thread.",
)
