"""An offline stand-in for Slack that the real bot talks to, checked against Slack's own material.

    with Sandbox() as sb:
        sb.add_user("U1", "ana")
        sb.add_channel("C1", "intake", members=["U1"])
        client = WebClient(token=sb.bot_token, base_url=sb.api_url)   # the bot's Web API client
        sb.bot_url = "http://127.0.0.1:3000/slack/events"             # where Slack's requests go
        d = sb.slash_command("U1", "C1", "/liaison", "help")
        sb.wait_for(lambda: sb.ephemerals("U1"))

See workspace.py (the model), webapi.py and methods.py (the Web API), socket_mode.py, driver.py and
payloads.py (what Slack sends the app), blockkit.py (Block Kit limits), visible.py (what people read),
manifest.py (scopes, events and commands from the app's manifest: sb.apply_manifest("manifest.yml")).
"""

from __future__ import annotations

import re
import secrets
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from .driver import Delivery, Driver, SignedCommand, slack_signature
from .errors import NotPossibleInSlack
from .manifest import AppConfig, read_manifest
from .methods import WebApiMethods
from .payloads import PayloadBuilder
from .socket_mode import SocketModeServer
from .visible import visible_text
from .webapi import CallRecord, Fault, WebApi, WebApiServer
from .workspace import JSON, Channel, Clock, Ephemeral, Message, Team, UploadedFile, User, View, Workspace

__all__ = [
    "CallRecord",
    "Delivery",
    "Ephemeral",
    "Message",
    "NotPossibleInSlack",
    "Sandbox",
    "SignedCommand",
    "View",
    "slack_signature",
    "visible_text",
]

T = TypeVar("T")


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "team"


class Sandbox:
    """The stand-in: a workspace, its Web API and Socket Mode servers, and the driver that acts as people."""

    def __init__(
        self, signing_secret: str | None = None, bot_token: str | None = None, app_token: str | None = None
    ) -> None:
        """Fresh random credentials unless given (a demo may want to print or fix them)."""
        bot_default = f"xoxb-{secrets.randbelow(10**12)}-{secrets.randbelow(10**12)}-{secrets.token_hex(12)}"
        self.signing_secret = signing_secret or secrets.token_hex(16)
        self.bot_token = bot_token or bot_default
        self.app_token = app_token or f"xapp-1-A0LIAISON-{secrets.randbelow(10**12)}-{secrets.token_hex(32)}"
        if not self.bot_token.startswith("xoxb-") or not self.app_token.startswith("xapp-"):
            raise ValueError("the bot token starts with xoxb- and the app-level token with xapp-")
        home = Team("T0HOME", "Defender Office", "defender-office")
        bot = User("U0BOT", "liaison", home.id, real_name="Liaison", is_bot=True, bot_id="B0BOT")
        self.clock = Clock()
        self.workspace = Workspace(home, bot, "A0LIAISON", self.clock)
        self.socket = SocketModeServer(self.workspace.app_id)
        self.web_api = WebApi(
            self.workspace,
            WebApiMethods(self.workspace, self.socket.issue_url),
            self.bot_token,
            self.app_token,
        )
        self._http = WebApiServer(self.web_api)
        self.payloads = PayloadBuilder(self.workspace, f"{self._http.base_url}/response/")
        self.web_api.methods.upload_base = f"{self._http.base_url}/upload/"
        self.driver = Driver(self.workspace, self.payloads, self.socket, self.signing_secret)
        # Slack Connect partners have been seen to get "not a valid command" for the home app's commands
        # unless the app is installed on their side too (slack-facts.md, bolt-python#767). False makes the
        # stand-in refuse them like that; True (the default) lets them through, as with a two-sided install.
        self.commands_for_partners = True
        self._started = False

    # ---- lifecycle ----------------------------------------------------------------------------------

    def start(self) -> Sandbox:
        if not self._started:
            self._http.start()
            self.socket.start()
            self._started = True
        return self

    def stop(self) -> None:
        """Stop serving and free the ports (bound when the Sandbox was made, so api_url is known early)."""
        self.socket.stop()
        self._http.stop()
        self._started = False

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def apply_manifest(self, manifest: dict[str, Any] | str | Path) -> AppConfig:
        """Behave as Slack does for the app this manifest describes: only its bot scopes are granted
        (missing_scope otherwise), only its bot_events are delivered, only its commands reach it, and its
        App Home settings decide what people can open and write."""
        self.workspace.app = read_manifest(manifest)
        return self.workspace.app

    @property
    def app(self) -> AppConfig:
        return self.workspace.app

    @property
    def api_url(self) -> str:
        """The base_url for slack_sdk's WebClient."""
        return f"{self._http.base_url}/api/"

    @property
    def bot_url(self) -> str:
        return self.driver.bot_url

    @bot_url.setter
    def bot_url(self, url: str) -> None:
        self.driver.bot_url = url

    @property
    def home_team_id(self) -> str:
        return self.workspace.home.id

    @property
    def bot_user_id(self) -> str:
        return self.workspace.bot.id

    @property
    def bot_id(self) -> str:
        return str(self.workspace.bot.bot_id)

    @property
    def app_id(self) -> str:
        return self.workspace.app_id

    # ---- setting up the workspace -------------------------------------------------------------------

    def add_team(self, team_id: str, name: str, domain: str | None = None) -> Team:
        return self.workspace.add_team(Team(team_id, name, domain or _slug(name)))

    def add_user(
        self,
        user_id: str,
        name: str,
        team_id: str | None = None,
        tz: str = "America/New_York",
        real_name: str | None = None,
        is_bot: bool = False,
        visible: bool = True,
    ) -> User:
        """A person (team_id None: the home team). visible=False makes users.info answer user_not_visible."""
        user = User(
            user_id, name, team_id or self.home_team_id, tz, real_name or name, is_bot, visible=visible
        )
        return self.workspace.add_user(user)

    def add_channel(
        self,
        channel_id: str,
        name: str,
        members: Iterable[str] = (),
        is_private: bool = False,
        is_ext_shared: bool | None = None,
        bot_member: bool = True,
    ) -> Channel:
        """A channel; it is Slack Connect (ext-shared) when it has members of other teams, unless pinned."""
        people = [self.bot_user_id] if bot_member else []
        people += [m for m in members if m not in people]
        channel = Channel(channel_id, name, people, is_private, ext_shared_override=is_ext_shared)
        return self.workspace.add_channel(channel)

    def add_group_dm(self, channel_id: str, members: Iterable[str]) -> Channel:
        """A group DM (an MPIM) of these people and the bot; Slack Connect when they are of several teams."""
        people = [self.bot_user_id, *(m for m in members if m != self.bot_user_id)]
        name = "mpdm-" + "--".join(self.workspace.users[m].name for m in people) + "-1"
        channel = Channel(channel_id, name, people, is_private=True, is_mpim=True)
        return self.workspace.add_channel(channel)

    def add_member(self, channel_id: str, user_id: str) -> None:
        self.workspace.add_member(channel_id, user_id)

    def remove_member(self, channel_id: str, user_id: str) -> None:
        """Someone leaves the channel (quietly: no member_left_channel event)."""
        self.workspace.remove_member(channel_id, user_id)

    # ---- faults, limits, time -------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        status: int | None = 429,
        retry_after: int = 1,
        times: int | None = 1,
        error: str | None = None,
        hold: float = 0.0,
        after: bool = False,
        where: Callable[[JSON], bool] | None = None,
    ) -> None:
        """The next `times` calls of `method` fail: 429 with Retry-After (body {"ok": false, "error":
        "ratelimited"}), a 5xx with internal_error, or (status 200) a documented `error` of the method;
        after `hold` seconds, when given (a Slack that sits on a request and then does nothing with it).
        `after`: Slack does what was asked first, and only its answer fails (or, with status None, comes
        `hold` seconds late): the post Slack took whose answer was lost. `where`: only the calls whose
        arguments it says yes to (one post among others the app may be making meanwhile)."""
        self.web_api.add_fault(
            method,
            Fault(
                status=status,
                retry_after=retry_after,
                error=error,
                times=times,
                delay=hold,
                after=after,
                where=where,
            ),
        )

    def slow(self, method: str, seconds: float, times: int | None = None) -> None:
        self.web_api.add_fault(method, Fault(delay=seconds, times=times))

    def clear_faults(self) -> None:
        self.web_api.clear_faults()

    def enforce_rate_limits(self, enabled: bool = True) -> None:
        """Answer 429 when the app exceeds Slack's tiers (off by default)."""
        self.web_api.rate_limiter.enabled = enabled

    def advance_time(self, seconds: float) -> None:
        """Move the stand-in's clock (trigger_id and response_url expiry, rate windows) without sleeping."""
        self.clock.advance(seconds)

    def wait_for_socket(self, timeout: float = 10) -> None:
        if not self.socket.wait_for_connection(timeout):
            raise AssertionError(f"the app opened no Socket Mode connection within {timeout} s")

    def drop_connections(self) -> None:
        self.socket.drop_connections()

    def send_disconnect(self, reason: str = "refresh_requested") -> None:
        self.socket.send_disconnect(reason)

    # ---- people acting ----------------------------------------------------------------------------------

    def _person(self, user_id: str) -> User:
        user = self.workspace.user(user_id)
        if user is None:
            raise ValueError(f"unknown user {user_id}")
        return user

    def _place(self, user: User, channel_id: str) -> Channel:
        """A channel the person is in: nobody acts in a channel they are not a member of."""
        channel = self.workspace.channel(channel_id)
        if channel is None:
            raise ValueError(f"unknown channel {channel_id}")
        if user.id not in channel.members:
            raise NotPossibleInSlack(f"{user.id} is not a member of {channel_id}")
        return channel

    def slash_command(
        self, user_id: str, channel_id: str, command: str, text: str = "", via: str = "http"
    ) -> Delivery:
        user, channel, fields = self._command_fields(user_id, channel_id, command, text)
        delivery = self.driver.deliver("command", fields, via)
        self.driver.apply_command_ack(delivery, user.id, channel, command)
        return delivery

    def signed_slash_command(
        self, user_id: str, channel_id: str, command: str, text: str = ""
    ) -> SignedCommand:
        """A command as Slack would send it over HTTP, signed now, for another process to send (the
        benchmark's load generator, so that what this process does meanwhile does not hold up its clock);
        `answered` then records what came back, as slash_command would have."""
        user, channel, fields = self._command_fields(user_id, channel_id, command, text)
        body, headers = self.driver.signed_command(fields)
        return SignedCommand(body, headers, fields, user.id, channel, command)

    def answered(
        self,
        sent: SignedCommand,
        status: int | None,
        body: str,
        headers: dict[str, str],
        seconds: float,
        *,
        timed_out: bool = False,
    ) -> Delivery:
        """Record the app's answer to a command sent elsewhere (`status` None: no answer; `timed_out`:
        none in time), and show its ack, or Slack's error, as Slack would."""
        delivery = self.driver.record_http(sent.fields, status, body, headers, seconds, timed_out=timed_out)
        delivery.sent = (sent.body, dict(sent.headers))
        self.driver.apply_command_ack(delivery, sent.user_id, sent.channel, sent.command)
        return delivery

    def _command_fields(
        self, user_id: str, channel_id: str, command: str, text: str
    ) -> tuple[User, Channel, dict[str, str]]:
        user = self._person(user_id)
        channel = self._place(user, channel_id)
        declared = self.app.commands
        if declared is not None and command not in declared:
            raise NotPossibleInSlack(
                f"{command} is not a valid command: the manifest declares {sorted(declared)}"
            )
        if user.team_id != self.home_team_id and not self.commands_for_partners:
            raise NotPossibleInSlack(
                f"{command} is not a valid command for {user.id} of another organization"
            )
        with self.workspace.lock:
            return user, channel, self.payloads.slash_command(user, channel, command, text)

    def click(
        self,
        user_id: str,
        channel_id: str,
        message_ts: str,
        action_id: str,
        value: Any = None,
        via: str = "http",
    ) -> Delivery:
        """Click a button (or choose `value` in a select, overflow, ...) on a message or an ephemeral."""
        user = self._person(user_id)
        channel = self._place(user, channel_id)
        with self.workspace.lock:
            item: Message | Ephemeral | None = self.workspace.message(channel.id, message_ts)
            if item is None:
                item = self.workspace.ephemeral(channel.id, message_ts)
                if item is not None and item.user != user.id:
                    raise NotPossibleInSlack(f"the ephemeral {message_ts} is shown only to {item.user}")
            if item is None or item.deleted:
                raise NotPossibleInSlack(f"no message {message_ts} in {channel_id}")
            payload = self.payloads.message_click(user, channel, item, action_id, value, value is not None)
        return self.driver.deliver("interactive", payload, via)

    def _declared_shortcut(self, callback_id: str, kind: str) -> None:
        """Only a shortcut the manifest declares is in Slack's menus, and in the menu of its type."""
        declared = self.app.shortcuts
        if declared is not None and declared.get(callback_id) != kind:
            raise NotPossibleInSlack(
                f"no {kind} shortcut {callback_id!r}: the manifest declares {sorted(declared.items())}"
            )

    def message_shortcut(
        self, user_id: str, channel_id: str, message_ts: str, callback_id: str, via: str = "http"
    ) -> Delivery:
        """Use a message shortcut on a message (or a reply) the person sees, in a channel they are in,
        whether or not the app is in it; the app's ack shows nothing, a late or failed one an error."""
        user = self._person(user_id)
        channel = self._place(user, channel_id)
        self._declared_shortcut(callback_id, "message")
        with self.workspace.lock:
            message = self.workspace.message(channel.id, message_ts)
            if message is None or message.deleted:
                raise NotPossibleInSlack(f"no message {message_ts} in {channel_id}")
            payload = self.payloads.message_shortcut(user, channel, message, callback_id)
        return self._shortcut_delivered(self.driver.deliver("interactive", payload, via))

    def global_shortcut(self, user_id: str, callback_id: str, via: str = "http") -> Delivery:
        """Use a shortcut from the shortcuts menu (the lightning bolt by the message box)."""
        user = self._person(user_id)
        self._declared_shortcut(callback_id, "global")
        with self.workspace.lock:
            payload = self.payloads.global_shortcut(user, callback_id)
        return self._shortcut_delivered(self.driver.deliver("interactive", payload, via))

    def _shortcut_delivered(self, delivery: Delivery) -> Delivery:
        if not delivery.acked:  # Slack's client shows the person that the shortcut failed
            delivery.problems.append("the shortcut shows an error: the app did not acknowledge within 3 s")
        return delivery

    def _open_view(self, user: User, view_id: str) -> View:
        view = self.workspace.views.get(view_id)
        if view is None or not view.is_open or view.user != user.id:
            raise NotPossibleInSlack(f"view {view_id} is not open for {user.id}")
        if view.type == "modal" and self.workspace.modal_stack(user.id)[-1].id != view.id:
            raise NotPossibleInSlack(f"view {view_id} is covered by a view pushed on top of it")
        return view

    def click_in_view(
        self, user_id: str, view_id: str, action_id: str, value: Any = None, via: str = "http"
    ) -> Delivery:
        user = self._person(user_id)
        with self.workspace.lock:
            view = self._open_view(user, view_id)
            payload = self.payloads.view_click(user, view, action_id, value, value is not None)
        return self.driver.deliver("interactive", payload, via)

    def submit_view(
        self, user_id: str, view_id: str, values: dict[str, dict[str, Any]] | None = None, via: str = "http"
    ) -> Delivery:
        """Fill the modal's inputs ({block_id: {action_id: value}}; option values for selects, user IDs for
        user selects, "YYYY-MM-DD" for dates) and press submit; the app's ack then changes the modal."""
        user = self._person(user_id)
        with self.workspace.lock:
            view = self._open_view(user, view_id)
            if view.type != "modal" or not view.spec.get("submit"):
                raise NotPossibleInSlack(f"view {view_id} has no submit button")
            state = self.payloads.state_values(view, values or {})
            view.state_values = state
            payload = self.payloads.view_submission(user, view, state)
        delivery = self.driver.deliver("interactive", payload, via)
        self.driver.apply_view_ack(delivery, view)
        return delivery

    def close_view(self, user_id: str, view_id: str, via: str = "http") -> Delivery | None:
        """Press the modal's close button; the app hears of it only with notify_on_close."""
        user = self._person(user_id)
        with self.workspace.lock:
            view = self._open_view(user, view_id)
            clear = bool(view.spec.get("clear_on_close"))
            self.workspace.close_modal(view, clear=clear)
            if not view.spec.get("notify_on_close"):
                return None
            payload = self.payloads.view_closed(user, view, is_cleared=clear)
        return self.driver.deliver("interactive", payload, via)

    def send_event(
        self,
        event: JSON,
        event_id: str | None = None,
        retry_num: int = 0,
        retry_reason: str = "",
        via: str = "http",
    ) -> Delivery:
        """Deliver an Events API event (wrapped in Slack's envelope); a retry re-sends the same event_id."""
        with self.workspace.lock:
            envelope = self.payloads.event_callback(event, event_id)
        return self.driver.deliver("event", envelope, via, retry_num=retry_num, retry_reason=retry_reason)

    def _app_hears(self, event_type: str, channel: Channel | None = None) -> bool:
        """Whether Slack delivers this event: the app subscribes to it (message events per conversation
        type: message.channels, message.groups, message.im) and, in a channel, the bot is a member."""
        if channel is not None and self.bot_user_id not in channel.members:
            return False
        if event_type == "message" and channel is not None:
            event_type = f"message.{self.workspace.scope_family(channel)}"
        return event_type in self.app.events

    def post_as_user(
        self,
        user_id: str,
        channel_id: str,
        text: str,
        thread_ts: str | None = None,
        reply_broadcast: bool = False,
        via: str = "http",
    ) -> tuple[str, Delivery | None]:
        """Post as a person; the app gets the message event (and app_mention when mentioned) when it is in
        the channel and subscribed. Returns the message ts and the first delivery (None if none)."""
        user = self._person(user_id)
        channel = self._place(user, channel_id)
        with_the_app = self.bot_user_id in channel.members  # else a direct message between two people
        if channel.is_im and with_the_app and self.app.messages_tab_read_only:
            raise NotPossibleInSlack("the app's Messages tab is read-only (messages_tab_read_only_enabled)")
        with self.workspace.lock:
            if thread_ts is not None:
                parent = self.workspace.message(channel.id, thread_ts)
                if parent is None or parent.deleted or parent.is_reply:
                    raise NotPossibleInSlack(f"{thread_ts} is not a top-level message in {channel_id}")
            message = self.workspace.add_message(
                Message(
                    ts=self.workspace.next_ts(),
                    channel=channel.id,
                    user=user.id,
                    team=user.team_id,
                    text=text,
                    blocks=[_rich_text(text)],
                    thread_ts=thread_ts,
                    reply_broadcast=reply_broadcast and bool(thread_ts),
                    client_msg_id=str(uuid.uuid4()),
                )
            )
            events = []
            if self._app_hears("message", channel):
                events.append(self.payloads.message_event(message, channel))
            mentioned = f"<@{self.bot_user_id}>" in text and not channel.is_im
            if mentioned and self._app_hears("app_mention", channel):
                events.append(self.payloads.app_mention_event(message, channel))
        deliveries = [self.send_event(event, via=via) for event in events]
        return message.ts, deliveries[0] if deliveries else None

    def share_file_as_user(self, user_id: str, channel_id: str, filename: str, content: bytes) -> str:
        """A person shares a file alone in a channel, with no words: a message whose text is empty. (The
        app's file_share message event is not sent: nothing the stand-in serves reads one.) Returns its ts."""
        user = self._person(user_id)
        channel = self._place(user, channel_id)
        with self.workspace.lock:
            file_id = f"F{uuid.uuid4().hex[:10].upper()}"
            self.workspace.files[file_id] = UploadedFile(
                file_id, filename, len(content), content, filename, completed=True
            )
            message = Message(
                ts=self.workspace.next_ts(),
                channel=channel.id,
                user=user.id,
                team=user.team_id,
                text="",
                files=[file_id],
                client_msg_id=str(uuid.uuid4()),
            )
            return self.workspace.add_message(message).ts

    def _authored(self, user: User, channel_id: str, ts: str) -> tuple[Channel, Message]:
        channel = self._place(user, channel_id)
        message = self.workspace.message(channel.id, ts)
        if message is None or message.deleted:
            raise NotPossibleInSlack(f"no message {ts} in {channel_id}")
        if message.user != user.id:  # and in Slack Connect only the sending organization can change it
            raise NotPossibleInSlack(f"{user.id} cannot change {ts}: only its author can")
        return channel, message

    def edit_as_user(
        self, user_id: str, channel_id: str, ts: str, text: str, via: str = "http"
    ) -> Delivery | None:
        user = self._person(user_id)
        with self.workspace.lock:
            channel, message = self._authored(user, channel_id, ts)
            previous = self.workspace.message_json(message)
            self.workspace.edit(message, text, [_rich_text(text)])
            event = self.payloads.message_changed_event(message, previous, channel)
        return self._deliver_message_event(channel, event, via)

    def delete_as_user(self, user_id: str, channel_id: str, ts: str, via: str = "http") -> Delivery | None:
        user = self._person(user_id)
        with self.workspace.lock:
            channel, message = self._authored(user, channel_id, ts)
            previous = self.workspace.message_json(message)
            message.deleted = True
            event = self.payloads.message_deleted_event(message, previous, channel)
        return self._deliver_message_event(channel, event, via)

    def _deliver_message_event(self, channel: Channel, event: JSON, via: str) -> Delivery | None:
        if not self._app_hears("message", channel):
            return None
        return self.send_event(event, via=via)

    def open_app_home(self, user_id: str, tab: str = "home", via: str = "http") -> Delivery | None:
        """The person opens the app's Home (or Messages) tab: app_home_opened."""
        user = self._person(user_id)
        if user.team_id != self.home_team_id:
            raise NotPossibleInSlack("only people of the installing workspace have the app's Home")
        if tab == "home" and not self.app.home_tab:
            raise NotPossibleInSlack("the app has no Home tab (home_tab_enabled is false)")
        if not self._app_hears("app_home_opened"):
            return None
        with self.workspace.lock:
            event = self.payloads.app_home_opened_event(user, tab)
        return self.send_event(event, via=via)

    def join_channel(
        self, user_id: str, channel_id: str, inviter_id: str | None = None, via: str = "http"
    ) -> Delivery | None:
        """A person joins (or is added to) a channel: member_joined_channel when the app is in it."""
        user = self._person(user_id)
        with self.workspace.lock:
            self.workspace.add_member(channel_id, user.id)
            channel = self.workspace.channels[channel_id]
            inviter = self._person(inviter_id) if inviter_id else None
            if not self._app_hears("member_joined_channel", channel):
                return None
            event = self.payloads.member_joined_event(user, channel, inviter)
        return self.send_event(event, via=via)

    def react_as_user(
        self, user_id: str, channel_id: str, ts: str, name: str, via: str = "http"
    ) -> Delivery | None:
        """A person adds an emoji reaction to a message: reaction_added when the app hears it."""
        user = self._person(user_id)
        channel = self._place(user, channel_id)
        with self.workspace.lock:
            message = self.workspace.message(channel.id, ts)
            if message is None or message.deleted:
                raise NotPossibleInSlack(f"no message {ts} in {channel_id}")
            reacted = message.reactions.setdefault(name, [])
            if user.id in reacted:
                raise NotPossibleInSlack(f"{user.id} already reacted with :{name}:")
            reacted.append(user.id)
            if not self._app_hears("reaction_added", channel):
                return None
            event = self.payloads.reaction_added_event(user, message, name)
        return self.send_event(event, via=via)

    def post_raw(self, body: bytes, headers: dict[str, str]) -> Delivery:
        return self.driver.post_raw(body, headers)

    def replay(self, delivery: Delivery) -> Delivery:
        """Send an HTTP delivery again, byte for byte with its signature (as someone who captured it
        could within the signature's five minutes; Slack itself never retries commands or clicks)."""
        if delivery.sent is None:
            raise ValueError("only a delivery made over HTTP can be replayed")
        body, headers = delivery.sent
        return self.driver.post_raw(body, headers, delivery.payload)

    # ---- what people see ------------------------------------------------------------------------------

    def messages(self, channel_id: str, thread_ts: str | None = None) -> list[Message]:
        """The channel's top-level messages (with replies also sent to the channel), or a thread's replies
        (without its parent). Deleted messages are left out, as Slack hides them."""
        with self.workspace.lock:
            if thread_ts is None:
                found = self.workspace.top_level(channel_id)
            else:
                found = self.workspace.replies(channel_id, thread_ts)
            return [m for m in found if not m.deleted]

    def ephemerals(self, user_id: str, channel_id: str | None = None) -> list[Ephemeral]:
        with self.workspace.lock:
            return [
                e
                for e in self.workspace.ephemerals
                if e.user == user_id and not e.deleted and (channel_id is None or e.channel == channel_id)
            ]

    def open_views(self, user_id: str) -> list[View]:
        """The person's open modal stack, bottom first (the last one is on screen)."""
        return self.workspace.modal_stack(user_id)

    def home_view(self, user_id: str) -> View | None:
        with self.workspace.lock:
            return self.workspace.views.get(self.workspace.home_views.get(user_id, ""))

    def file(self, file_id: str) -> UploadedFile | None:
        """A file the app uploaded: its name, title and bytes."""
        with self.workspace.lock:
            return self.workspace.files.get(file_id)

    def dms(self, user_id: str) -> list[Message]:
        """Messages the bot sent the person in their direct-message channel."""
        with self.workspace.lock:
            channel = self.workspace.find_im(user_id)
            return [m for m in self.messages(channel.id) if m.user == self.bot_user_id] if channel else []

    def calls(self, method: str | None = None) -> list[CallRecord]:
        return self.web_api.calls(method)

    @property
    def deliveries(self) -> list[Delivery]:
        with self.workspace.lock:
            return list(self.driver.deliveries)

    def socket_acks(self) -> list[JSON]:
        return self.socket.acks()

    def wait_until_quiet(self, timeout: float = 5.0) -> None:
        """Wait until nothing is under way between the app and the stand-in: every request sent to the app
        has come back, and no call of the app's (Web API, response_url, upload) is being answered. What the
        app did with what it was sent is then all recorded; it may still be at work without a call out, which
        only it can tell (tests/inprocess.py `settle` asks the bot in the test's process)."""

        def quiet() -> bool:
            with self.workspace.lock:
                delivering = self.driver.delivering
            return delivering == 0 and self.web_api.idle()

        self.wait_for(quiet, timeout, message="the app and the stand-in to be quiet")

    def wait_for(self, predicate: Callable[[], T], timeout: float = 15.0, message: str = "") -> T:
        """Poll until `predicate()` is truthy and return it; on timeout fail with what the app did. The
        timeout is a ceiling for a machine busy with other tests, not a measure: a passing wait ends as
        soon as its condition holds, and how fast things happen is measured in bench/."""
        deadline = time.monotonic() + timeout
        while True:
            seen = self.workspace.generation()
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                recent = [f"{c.method}: {'ok' if c.ok else c.error}" for c in self.calls()[-10:]]
                raise AssertionError(
                    f"{message or 'condition'} not met within {timeout} s; last Web API calls: {recent}"
                )
            # Looked at again as soon as the app's next request or answer is in, and at least every 20 ms
            # (the predicate may look at what changes without one: a database, a log).
            self.workspace.wait_for_news(seen, 0.02)

    def visible_text(self, item: Message | Ephemeral | View | JSON | list[Any]) -> str:
        return visible_text(item)


def _rich_text(text: str) -> JSON:
    """The rich_text block Slack's client attaches to what a person types."""
    return {
        "type": "rich_text",
        "block_id": secrets.token_urlsafe(3),
        "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
    }
