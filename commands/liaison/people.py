"""`/liaison whoami` and `/liaison role`: who someone is to Liaison, and home staff roles."""

from __future__ import annotations

from commands.grammar import UsageError
from commands.invocation import Invocation, Reply
from storage.errors import InvalidInput
from storage.models import Role
from storage.people import Affiliation, set_role
from storage.permissions import Action, require


def whoami(inv: Invocation) -> Reply:
    with inv.deps.db.session() as session:
        me = inv.person(session)
    text = f"You are <@{me.user_id}>, {me.describe()}."
    if me.affiliation == Affiliation.partner:
        text += " You act on Liaison's cards addressed to your organization with their buttons and threads."
    return Reply(text)


def role(inv: Invocation) -> Reply:
    words = [w.lower() for w in inv.args.words]
    if len(inv.args.users) != 1 or len(words) != 1 or words[0] not in {r.value for r in Role}:
        raise UsageError(f"Mention one person and one role.\nUsage: `{inv.usage}`")
    target, new_role = inv.args.users[0], Role(words[0])
    with inv.deps.db.session() as session:
        me = inv.person(session)
        require(session, me, Action.set_role, subject=target, channel_id=inv.channel_id)
        if inv.deps.slack.team_of(target) != inv.deps.home_team_id:
            raise InvalidInput(f"<@{target}> is not in this office's workspace: only home staff have roles.")
        changed = set_role(session, me, target, new_role)
    text = f"<@{target}> is now a *{new_role}*." if changed else f"<@{target}> already was a *{new_role}*."
    if target in inv.deps.admins and new_role != Role.admin:
        text += f" Note: <@{target}> is in LIAISON_ADMINS, so stays an admin until removed from it."
    return Reply(text)
