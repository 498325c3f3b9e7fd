"""What a command handler receives and returns. Plain data: no Slack client, no blocks."""

from __future__ import annotations

from dataclasses import dataclass

from commands.grammar import Arguments
from storage.audit import Actor
from storage.db import Database


@dataclass(frozen=True)
class Deps:
    """Long-lived things a handler may use, built once when the app starts."""

    db: Database
    home_team_id: str  # the workspace that installed Liaison: its users are home staff
    admins: frozenset[str]  # LIAISON_ADMINS
    timezone: str  # LIAISON_TIMEZONE, the fallback for people without a Slack time zone


@dataclass(frozen=True)
class Invocation:
    deps: Deps
    actor: Actor
    channel_id: str | None
    args: Arguments

    @property
    def is_home_staff(self) -> bool:
        return self.actor.team_id == self.deps.home_team_id


@dataclass(frozen=True)
class Reply:
    """What to show the person who typed the command, privately (mrkdwn text)."""

    text: str
