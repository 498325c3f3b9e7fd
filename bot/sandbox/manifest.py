"""What the app's manifest tells Slack, and so the stand-in: granted bot scopes, subscribed events, slash
commands, shortcuts, and whether people may write in the app's Messages tab.

Without a manifest the stand-in is permissive (every scope but chat:write.public, the usual events, any
command, any shortcut); with one it refuses what Slack would refuse for that app.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DEFAULT_EVENTS = frozenset(
    {
        "message.channels",
        "message.groups",
        "message.im",
        "app_mention",
        "app_home_opened",
        "member_joined_channel",
        "reaction_added",
    }
)


@dataclass
class AppConfig:
    scopes: frozenset[str] | None = None  # None: every scope is granted (chat:write.public excepted)
    events: frozenset[str] = DEFAULT_EVENTS
    commands: frozenset[str] | None = None  # None: any command reaches the app
    shortcuts: dict[str, str] | None = None  # callback_id -> "message" or "global"; None: any shortcut
    home_tab: bool = True
    messages_tab_read_only: bool = False

    def grants(self, scope: str) -> bool:
        if self.scopes is None:
            return scope != "chat:write.public"  # posting without joining must be granted explicitly
        return scope in self.scopes


def read_manifest(manifest: dict[str, Any] | str | Path) -> AppConfig:
    """An AppConfig from a manifest dict or a manifest.yml path."""
    data = manifest if isinstance(manifest, dict) else yaml.safe_load(Path(manifest).read_text("utf-8"))
    features = data.get("features") or {}
    home = features.get("app_home") or {}
    settings = data.get("settings") or {}
    return AppConfig(
        scopes=frozenset((data.get("oauth_config") or {}).get("scopes", {}).get("bot") or []),
        events=frozenset((settings.get("event_subscriptions") or {}).get("bot_events") or []),
        commands=frozenset(c["command"] for c in features.get("slash_commands") or []),
        shortcuts={s["callback_id"]: s["type"] for s in features.get("shortcuts") or []},
        home_tab=bool(home.get("home_tab_enabled", False)),
        messages_tab_read_only=bool(home.get("messages_tab_read_only_enabled", False)),
    )
