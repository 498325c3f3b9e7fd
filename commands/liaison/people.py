"""`/liaison`: the office's own settings and a look at how Liaison sees you."""

from __future__ import annotations

from commands.invocation import Invocation, Reply
from commands.registry import SlashCommand, Subcommand
from storage import roles


def whoami(inv: Invocation) -> Reply:
    who = f"<@{inv.actor.user_id}>"
    if not inv.is_home_staff:
        return Reply(
            f"You are {who}, from another organization's Slack workspace (team `{inv.actor.team_id}`). "
            "You can act on Liaison's cards addressed to your organization with their buttons and by "
            "replying in their threads."
        )
    with inv.deps.db.session() as session:
        role = roles.role_of(session, inv.actor.user_id, inv.deps.admins)
    return Reply(f"You are {who}, home staff of this office's workspace, with the role *{role.value}*.")


COMMAND = SlashCommand(
    name="/liaison",
    description="Liaison's settings, and how Liaison sees you.",
    subcommands=(
        Subcommand("whoami", "show how Liaison sees you: your organization and your role.", whoami),
    ),
)
