"""Events API listeners. Every event the manifest subscribes to has one: Bolt answers 404 to an event no
listener matches, and Slack redelivers what did not get a 2xx."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot import notify
from commands.invocation import Deps
from storage import audit, partners, roles

log = logging.getLogger("liaison")


def register(app: App, deps: Deps) -> None:
    @app.event("member_joined_channel")
    def on_member_joined(event: dict[str, Any], client: WebClient) -> None:
        link_partner_teams(deps, client, event["channel"])

    # Handled by later features (thread replies, App Home, reactions); acknowledged so Slack does not retry.
    @app.event("message")
    def on_message() -> None:
        pass

    @app.event("app_home_opened")
    def on_app_home_opened() -> None:
        pass

    @app.event("reaction_added")
    def on_reaction_added() -> None:
        pass


def link_partner_teams(deps: Deps, client: WebClient, channel_id: str) -> None:
    """Link the channel to every known partner whose team is in it; tell admins, once, about unknown teams."""
    place = deps.slack.place(
        channel_id, fresh=True
    )  # someone just joined: the channel may have become shared
    if not place.external_teams:
        return
    with deps.db.session() as session:
        known = [p for t in sorted(place.external_teams) if (p := partners.for_team(session, t)) is not None]
        known_teams = {t for p in known for t in partners.teams_of(session, p)}
        unknown = [
            t
            for t in sorted(place.external_teams - known_teams)
            if partners.first_notice(session, channel_id, t)
        ]
        linked = partners.link_channel(session, audit.SYSTEM, channel_id, known, how="channel.autolink")
        admins = sorted(roles.admins(session, deps.admins))
    for partner in linked:
        log.info("linked %s to %s (its team is in the channel)", channel_id, partner.handle)
    if unknown:
        teams = ", ".join(f"`{t}`" for t in unknown)
        text = (
            f"Liaison is in <#{channel_id}>, which is shared with a Slack workspace it does not know "
            f"({teams}). Client matters won't be posted there until it is known. If it is a partner, "
            f'add it with `/liaison partner add handle name:"..." kind:... team:{unknown[0]}`.'
        )
        for admin in admins:
            notify.dm(client, admin, text)
