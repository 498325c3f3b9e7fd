"""Who is acting, read from a Slack payload the way Slack Connect really delivers it.

In a shared channel the payload's `team_id` may be the installing workspace or the actor's own; the
person's own team is in `user.team_id` (clicks and submissions) or `event.user_team` / `event.team`
(events, which Bolt resolves into context.actor_team_id). See docs/slack-facts.md.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext

from storage.audit import Actor


def actor_of(body: dict[str, Any], context: BoltContext) -> Actor | None:
    """The person acting, or None when the payload does not say safely who it is (treat as unknown)."""
    user = body.get("user")
    if isinstance(user, dict) and user.get("id"):
        # No team on the user: unknown, never the installing team (that would make a stranger home staff).
        return _actor(user["id"], user.get("team_id"))
    if body.get("type") == "event_callback":
        # Bolt resolves these by Slack's own Slack Connect payload rules (tests/test_identity.py),
        # and leaves them unset for events whose payload cannot tell the actor's team.
        return _actor(context.actor_user_id, context.actor_team_id)
    return _actor(body.get("user_id") or context.user_id, body.get("team_id"))


def _actor(user_id: Any, team_id: Any) -> Actor | None:
    """An actor from IDs as Slack writes them (strings); anything else says nobody safely."""
    if not isinstance(user_id, str) or not user_id or not isinstance(team_id, str | None):
        return None
    return Actor(user_id=user_id, team_id=team_id)


def command_actor(body: dict[str, Any]) -> Actor | None:
    """Who typed a slash command, from Slack's request alone (a kept command has no Bolt context)."""
    return _actor(body.get("user_id"), body.get("team_id"))
