"""The stand-in's model of a Slack workspace: teams, people, channels, messages, ephemerals and views.

One re-entrant lock guards everything, because the Web API server, the response_url endpoint, the Socket
Mode server and the test thread all read and change the same workspace at once. Callers that check and
then change (the Web API handlers) hold `workspace.lock` across both.
"""

from __future__ import annotations

import json
import secrets
import string
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from .manifest import AppConfig

JSON = dict[str, Any]

TRIGGER_LIFETIME_SECONDS = 3.0  # slack-facts.md: a trigger_id expires 3 s after the click or command
RESPONSE_URL_USES = 5  # a response_url works up to 5 times ...
RESPONSE_URL_LIFETIME_SECONDS = 30 * 60  # ... within 30 minutes
MODAL_STACK_LIMIT = 3  # views.push answers push_limit_reached past three views in one modal

# Slack's users.info gives tz_label as the zone's long name; zoneinfo only knows abbreviations.
_TZ_LABELS = {
    "EST": "Eastern Standard Time",
    "EDT": "Eastern Daylight Time",
    "CST": "Central Standard Time",
    "CDT": "Central Daylight Time",
    "MST": "Mountain Standard Time",
    "MDT": "Mountain Daylight Time",
    "PST": "Pacific Standard Time",
    "PDT": "Pacific Daylight Time",
    "AKST": "Alaska Standard Time",
    "AKDT": "Alaska Daylight Time",
    "HST": "Hawaii-Aleutian Standard Time",
    "GMT": "Greenwich Mean Time",
    "BST": "British Summer Time",
    "UTC": "Coordinated Universal Time",
}


def random_id(prefix: str, length: int = 10) -> str:
    """An ID shaped like Slack's (a type letter, then upper-case letters and digits)."""
    alphabet = string.ascii_uppercase + string.digits
    return prefix + "".join(secrets.choice(alphabet) for _ in range(length))


class Clock:
    """Monotonic time plus an offset that tests advance, so the stand-in's expiry rules (trigger_id after
    3 s, response_url after 30 min, rate windows) can be exercised without sleeping."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return time.monotonic() + self._offset

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += seconds


@dataclass
class Team:
    id: str
    name: str
    domain: str


@dataclass
class User:
    id: str
    name: str
    team_id: str
    tz: str = "America/New_York"
    real_name: str = ""
    is_bot: bool = False
    bot_id: str | None = None
    # False makes users.info answer user_not_visible, as Slack does for some people of other organizations.
    visible: bool = True

    def tz_fields(self) -> JSON:
        now = datetime.now(ZoneInfo(self.tz))
        offset = now.utcoffset()
        abbreviation = now.tzname() or self.tz
        return {
            "tz": self.tz,
            "tz_label": _TZ_LABELS.get(abbreviation, abbreviation),
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
        }


@dataclass
class Channel:
    id: str
    name: str
    members: list[str]
    is_private: bool = False
    is_im: bool = False
    is_mpim: bool = False  # a group DM: private, its members fixed, no name people chose
    # None: derived from the members' teams, as Slack Connect does; True/False pins it for a test.
    ext_shared_override: bool | None = None
    im_user: str | None = None
    created: int = field(default_factory=lambda: int(time.time()))


@dataclass
class Revision:
    """A message's content before an edit, with the time of the edit."""

    text: str
    blocks: list[JSON] | None
    edited_ts: str


@dataclass
class Message:
    ts: str
    channel: str
    user: str
    team: str
    text: str
    blocks: list[JSON] | None = None
    bot_id: str | None = None
    app_id: str | None = None
    thread_ts: str | None = None
    reply_broadcast: bool = False
    client_msg_id: str | None = None
    history: list[Revision] = field(default_factory=list)
    deleted: bool = False
    reactions: dict[str, list[str]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)  # IDs of files shared with the message
    metadata: JSON | None = None  # message metadata the app posted: {"event_type": ..., "event_payload": ...}

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts


@dataclass
class UploadedFile:
    """A file uploaded in Slack's two steps: an upload URL is handed out, the bytes POSTed to it, and
    files.completeUploadExternal shares it (or keeps it private)."""

    id: str
    filename: str
    length: int
    content: bytes | None = None  # None until the bytes arrive
    title: str | None = None
    completed: bool = False


@dataclass
class Ephemeral:
    """A message only `user` sees; `source` says how it came: postEphemeral, response_url or the ack."""

    ts: str
    user: str
    channel: str
    text: str
    blocks: list[JSON] | None
    source: str
    thread_ts: str | None = None
    deleted: bool = False
    history: list[Revision] = field(default_factory=list)


@dataclass
class View:
    id: str
    type: str
    user: str
    team_id: str
    spec: JSON  # title, blocks, submit, close, callback_id, private_metadata, external_id, ...
    hash: str
    root_view_id: str
    previous_view_id: str | None = None
    is_open: bool = True
    errors: dict[str, str] = field(default_factory=dict)  # response_action=errors, as shown to the person
    state_values: JSON = field(default_factory=dict)  # what the person last entered

    @property
    def blocks(self) -> list[JSON]:
        return list(self.spec.get("blocks") or [])

    @property
    def callback_id(self) -> str:
        return str(self.spec.get("callback_id") or "")

    @property
    def private_metadata(self) -> str:
        return str(self.spec.get("private_metadata") or "")

    @property
    def external_id(self) -> str:
        return str(self.spec.get("external_id") or "")


class TriggerCheck(Enum):
    VALID = "valid"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"


@dataclass
class Trigger:
    user: str
    issued_at: float
    used: bool = False


@dataclass
class ResponseUrl:
    """One response_url: where its messages go and how often it was used (5 uses in 30 minutes)."""

    token: str
    kind: str  # "command", "action" or "shortcut" (a message shortcut's)
    user: str
    channel: str
    issued_at: float
    source_ts: str | None = None  # the message clicked (actions only)
    source_is_ephemeral: bool = False
    thread_ts: str | None = None
    uses: int = 0


def stored_blocks(blocks: list[JSON] | None) -> list[JSON] | None:
    """Blocks as Slack stores them: a copy in which every block has a block_id and every interactive
    element an action_id (Slack fills in random ones), so payloads can name them."""
    if blocks is None:
        return None
    copied: list[JSON] = json.loads(json.dumps(blocks))
    for block in copied:
        if isinstance(block, dict):
            block.setdefault("block_id", secrets.token_urlsafe(3))
            elements = [block.get("accessory"), block.get("element"), *(block.get("elements") or [])]
            for element in elements:
                if (
                    isinstance(element, dict)
                    and "type" in element
                    and element["type"] not in _NOT_INTERACTIVE
                ):
                    element.setdefault("action_id", secrets.token_urlsafe(4))
    return copied


_NOT_INTERACTIVE = frozenset(
    {
        "plain_text",
        "mrkdwn",
        "image",
        "rich_text_section",
        "rich_text_list",
        "rich_text_preformatted",
        "rich_text_quote",
    }
)


def new_view_hash() -> str:
    return f"{int(time.time())}.{secrets.token_hex(4)}"


class Workspace:
    """Everything the stand-in knows about one Slack workspace and its Slack Connect partners."""

    def __init__(self, home: Team, bot: User, app_id: str, clock: Clock | None = None) -> None:
        self.lock = threading.RLock()
        self.clock = clock or Clock()
        self.app = AppConfig()  # what the installed app's manifest grants and subscribes to
        self.home = home
        self.bot = bot
        self.app_id = app_id
        self.teams: dict[str, Team] = {home.id: home}
        self.users: dict[str, User] = {bot.id: bot}
        self.channels: dict[str, Channel] = {}
        self.messages: dict[str, list[Message]] = {}
        self.ephemerals: list[Ephemeral] = []
        self.views: dict[str, View] = {}
        self.modal_stacks: dict[str, list[str]] = {}
        self.home_views: dict[str, str] = {}
        self.files: dict[str, UploadedFile] = {}  # by file ID, from files.getUploadURLExternal
        self.triggers: dict[str, Trigger] = {}
        self.response_urls: dict[str, ResponseUrl] = {}
        self._last_ts_micros = 0
        self._changes = threading.Condition()
        self._generation = 0  # how many requests between the app and the stand-in have been answered

    # ---- waiting for what the app does -------------------------------------------------------------

    def answered(self) -> None:
        """A request between the app and the stand-in was answered: what it changed is there to see."""
        with self._changes:
            self._generation += 1
            self._changes.notify_all()

    def generation(self) -> int:
        with self._changes:
            return self._generation

    def wait_for_news(self, since: int, timeout: float) -> None:
        """Until a request is answered after generation `since`, or `timeout` seconds."""
        with self._changes:
            self._changes.wait_for(lambda: self._generation != since, timeout)

    # ---- people, teams, channels -------------------------------------------------------------------

    def add_team(self, team: Team) -> Team:
        with self.lock:
            self.teams[team.id] = team
            return team

    def add_user(self, user: User) -> User:
        with self.lock:
            if user.team_id not in self.teams:
                raise ValueError(f"unknown team {user.team_id}: add_team first")
            self.users[user.id] = user
            return user

    def add_channel(self, channel: Channel) -> Channel:
        with self.lock:
            for member in channel.members:
                self._require_user(member)
            self.channels[channel.id] = channel
            self.messages.setdefault(channel.id, [])
            return channel

    def add_member(self, channel_id: str, user_id: str) -> None:
        with self.lock:
            self._require_user(user_id)
            channel = self.channels[channel_id]
            if user_id not in channel.members:
                channel.members.append(user_id)

    def remove_member(self, channel_id: str, user_id: str) -> None:
        with self.lock:
            members = self.channels[channel_id].members
            if user_id in members:
                members.remove(user_id)

    def _require_user(self, user_id: str) -> None:
        if user_id not in self.users:
            raise ValueError(f"unknown user {user_id}: add_user first")

    def user(self, user_id: str) -> User | None:
        return self.users.get(user_id)

    def channel(self, ref: str) -> Channel | None:
        """A channel by ID, or by name as Slack also accepts (`general` or `#general`)."""
        with self.lock:
            if ref in self.channels:
                return self.channels[ref]
            name = ref.removeprefix("#")
            return next((c for c in self.channels.values() if c.name == name and not c.is_im), None)

    def channel_team_ids(self, channel: Channel) -> list[str]:
        """The teams with members in the channel, home team first."""
        teams = [self.home.id]
        for member in channel.members:
            team_id = self.users[member].team_id
            if team_id not in teams:
                teams.append(team_id)
        return teams

    def is_ext_shared(self, channel: Channel) -> bool:
        if channel.ext_shared_override is not None:
            return channel.ext_shared_override
        return len(self.channel_team_ids(channel)) > 1

    def is_visible_to_home(self, user: User) -> bool:
        """People of other teams are known to the home team only through a channel they share with it."""
        if user.team_id == self.home.id:
            return True
        return any(user.id in c.members and not c.is_im for c in self.channels.values())

    def find_im(self, user_id: str) -> Channel | None:
        with self.lock:
            return next((c for c in self.channels.values() if c.is_im and c.im_user == user_id), None)

    def im_with(self, user_id: str) -> Channel:
        """The bot's direct-message channel with a person, opened on first use as conversations.open does."""
        with self.lock:
            existing = self.find_im(user_id)
            if existing is not None:
                return existing
            channel = Channel(random_id("D"), user_id, [self.bot.id, user_id], is_private=True, is_im=True)
            channel.im_user = user_id
            return self.add_channel(channel)

    def channel_type(self, channel: Channel) -> str:
        """The event field `channel_type`: channel, group (private), im or mpim (a group DM)."""
        if channel.is_im:
            return "im"
        if channel.is_mpim:
            return "mpim"
        return "group" if channel.is_private else "channel"

    def scope_family(self, channel: Channel) -> str:
        """The prefix of the scopes a conversation of this type needs (channels:read, groups:history, ...)."""
        return {"channel": "channels", "group": "groups", "im": "im", "mpim": "mpim"}[
            self.channel_type(channel)
        ]

    # ---- messages -----------------------------------------------------------------------------------

    def next_ts(self) -> str:
        """A message timestamp: wall-clock seconds with six decimals, unique and increasing like Slack's."""
        with self.lock:
            micros = max(int(time.time() * 1_000_000), self._last_ts_micros + 1)
            self._last_ts_micros = micros
            return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def add_message(self, message: Message) -> Message:
        with self.lock:
            self.messages.setdefault(message.channel, []).append(message)
            return message

    def post_as_bot(
        self,
        channel_id: str,
        text: str,
        blocks: list[JSON] | None,
        *,
        thread_ts: str | None = None,
        reply_broadcast: bool = False,
    ) -> Message:
        message = Message(
            ts=self.next_ts(),
            channel=channel_id,
            user=self.bot.id,
            team=self.home.id,
            text=text,
            blocks=stored_blocks(blocks),
            bot_id=self.bot.bot_id,
            app_id=self.app_id,
            thread_ts=thread_ts,
            reply_broadcast=reply_broadcast and thread_ts is not None,
        )
        return self.add_message(message)

    def message(self, channel_id: str, ts: str) -> Message | None:
        with self.lock:
            return next((m for m in self.messages.get(channel_id, []) if m.ts == ts), None)

    def replies(self, channel_id: str, thread_ts: str) -> list[Message]:
        with self.lock:
            return [m for m in self.messages.get(channel_id, []) if m.is_reply and m.thread_ts == thread_ts]

    def top_level(self, channel_id: str) -> list[Message]:
        """What the channel itself shows: top-level messages and replies also sent to the channel."""
        with self.lock:
            return [m for m in self.messages.get(channel_id, []) if not m.is_reply or m.reply_broadcast]

    def edit(self, item: Message | Ephemeral, text: str, blocks: list[JSON] | None) -> None:
        """Change a message's or an ephemeral's content, keeping what it said before."""
        with self.lock:
            item.history.append(Revision(item.text, item.blocks, self.next_ts()))
            item.text, item.blocks = text, stored_blocks(blocks)

    def message_json(self, message: Message, *, with_metadata: bool = False) -> JSON:
        """The message as Slack returns it (conversations.replies, block_actions `message`, events); its
        metadata only when asked for (conversations.history with include_all_metadata)."""
        out: JSON = {"type": "message", "text": message.text, "user": message.user, "ts": message.ts}
        if with_metadata and message.metadata:
            out["metadata"] = message.metadata
        if message.bot_id:
            out.update(bot_id=message.bot_id, app_id=message.app_id, bot_profile=self.bot_profile())
        if message.client_msg_id:
            out["client_msg_id"] = message.client_msg_id
        out["team"] = message.team
        if message.blocks is not None:
            out["blocks"] = message.blocks
        if message.files:
            out.update(subtype="file_share", upload=True, files=[self._file_json(f) for f in message.files])
        if message.history:
            out["edited"] = {"user": message.user, "ts": message.history[-1].edited_ts}
        replies = [] if message.is_reply else self.replies(message.channel, message.ts)
        if replies:
            reply_users = list(dict.fromkeys(r.user for r in replies))
            out.update(
                thread_ts=message.ts,
                reply_count=len(replies),
                reply_users_count=len(reply_users),
                latest_reply=replies[-1].ts,
                reply_users=reply_users,
                is_locked=False,
            )
        elif message.is_reply:
            parent = self.message(message.channel, message.thread_ts or "")
            out["thread_ts"] = message.thread_ts
            out["parent_user_id"] = parent.user if parent else message.user
            if message.reply_broadcast:
                out["subtype"] = "thread_broadcast"
        if message.reactions:
            out["reactions"] = [
                {"name": name, "users": list(users), "count": len(users)}
                for name, users in message.reactions.items()
            ]
        return out

    def _file_json(self, file_id: str) -> JSON:
        shared = self.files.get(file_id)
        name = shared.filename if shared else file_id
        return {"id": file_id, "name": name, "title": shared.title if shared else name}

    def bot_profile(self) -> JSON:
        return {
            "id": self.bot.bot_id,
            "deleted": False,
            "name": self.bot.name,
            "updated": 1_700_000_000,
            "app_id": self.app_id,
            "icons": {},
            "team_id": self.home.id,
        }

    # ---- ephemerals ---------------------------------------------------------------------------------

    def post_ephemeral(
        self,
        user_id: str,
        channel_id: str,
        text: str,
        blocks: list[JSON] | None,
        *,
        source: str,
        thread_ts: str | None = None,
    ) -> Ephemeral:
        with self.lock:
            ephemeral = Ephemeral(
                self.next_ts(), user_id, channel_id, text, stored_blocks(blocks), source, thread_ts
            )
            self.ephemerals.append(ephemeral)
            return ephemeral

    def ephemeral(self, channel_id: str, ts: str) -> Ephemeral | None:
        with self.lock:
            return next((e for e in self.ephemerals if e.channel == channel_id and e.ts == ts), None)

    # ---- views --------------------------------------------------------------------------------------

    def new_view(self, user_id: str, spec: JSON, root_view_id: str | None = None) -> View:
        with self.lock:
            view_id = random_id("V")
            view = View(
                id=view_id,
                type=str(spec.get("type", "modal")),
                user=user_id,
                team_id=self.users[user_id].team_id,
                spec={**spec, "blocks": stored_blocks(spec.get("blocks") or [])},
                hash=new_view_hash(),
                root_view_id=root_view_id or view_id,
            )
            self.views[view_id] = view
            return view

    def view_by_external_id(self, external_id: str) -> View | None:
        with self.lock:
            return next((v for v in self.views.values() if v.external_id == external_id), None)

    def modal_stack(self, user_id: str) -> list[View]:
        with self.lock:
            return [self.views[v] for v in self.modal_stacks.get(user_id, [])]

    def open_modal(self, view: View) -> None:
        """A new modal replaces whatever modal the person had open: a client shows one modal at a time."""
        with self.lock:
            for old in self.modal_stack(view.user):
                old.is_open = False
            self.modal_stacks[view.user] = [view.id]

    def push_modal(self, view: View) -> None:
        with self.lock:
            stack = self.modal_stacks.setdefault(view.user, [])
            view.previous_view_id = stack[-1] if stack else None
            stack.append(view.id)

    def close_modal(self, view: View, *, clear: bool = False) -> None:
        """Close one view (the one below shows again) or, with clear, the whole stack."""
        with self.lock:
            stack = self.modal_stacks.get(view.user, [])
            closing = list(stack) if clear else [view.id]
            for view_id in closing:
                self.views[view_id].is_open = False
                if view_id in stack:
                    stack.remove(view_id)

    def replace_view(self, view: View, spec: JSON) -> None:
        with self.lock:
            view.spec = {**spec, "type": view.type, "blocks": stored_blocks(spec.get("blocks") or [])}
            view.hash = new_view_hash()
            view.errors = {}

    def view_json(self, view: View) -> JSON:
        """A view as Slack returns it from views.* and in interaction payloads."""
        spec = view.spec
        out: JSON = {
            "id": view.id,
            "team_id": view.team_id,
            "type": view.type,
            "blocks": view.blocks,
            "private_metadata": view.private_metadata,
            "callback_id": view.callback_id,
            "state": {"values": view.state_values},
            "hash": view.hash,
            "title": spec.get("title"),
            "clear_on_close": bool(spec.get("clear_on_close", False)),
            "notify_on_close": bool(spec.get("notify_on_close", False)),
            "close": spec.get("close"),
            "submit": spec.get("submit"),
            "previous_view_id": view.previous_view_id,
            "root_view_id": view.root_view_id,
            "app_id": self.app_id,
            "external_id": view.external_id,
            "app_installed_team_id": self.home.id,
            "bot_id": self.bot.bot_id,
        }
        if view.type == "home":
            out.pop("title")
        return out

    # ---- trigger_id and response_url ----------------------------------------------------------------

    def issue_trigger(self, user_id: str) -> str:
        with self.lock:
            trigger_id = f"{secrets.randbelow(10**12)}.{secrets.randbelow(10**11)}.{secrets.token_hex(16)}"
            self.triggers[trigger_id] = Trigger(user_id, self.clock.now())
            return trigger_id

    def exchange_trigger(self, trigger_id: str) -> tuple[TriggerCheck, str | None]:
        """Use a trigger_id once, within 3 s of issue; answers the check and the person it belongs to."""
        with self.lock:
            trigger = self.triggers.get(trigger_id)
            if trigger is None:
                return TriggerCheck.UNKNOWN, None
            if trigger.used:
                return TriggerCheck.USED, trigger.user
            if self.clock.now() - trigger.issued_at > TRIGGER_LIFETIME_SECONDS:
                return TriggerCheck.EXPIRED, trigger.user
            trigger.used = True
            return TriggerCheck.VALID, trigger.user

    def issue_response_url(self, kind: str, user_id: str, channel_id: str, **source: Any) -> ResponseUrl:
        with self.lock:
            token = secrets.token_urlsafe(18)
            url = ResponseUrl(token, kind, user_id, channel_id, self.clock.now(), **source)
            self.response_urls[token] = url
            return url
