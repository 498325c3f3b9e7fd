"""The payloads Slack sends to an app, built from the workspace with the fields Slack's own requests carry
(facts/payloads.json, derived from Slack's examples; tests/test_sandbox.py checks each kind against it).

Also what a person can and cannot do in Slack's client: a click names an element that is really on the
message or view, a choice is one of the options offered, and a modal submits only with every required
input filled (else NotPossibleInSlack).
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from .errors import NotPossibleInSlack
from .workspace import JSON, Channel, Ephemeral, Message, User, View, Workspace

VERIFICATION_TOKEN = "sandbox-verification-token"  # the deprecated `token` field every payload still has

# Per element type: the key its value takes in state.values and in block_actions, and where a preset
# (initial) value sits on the element.
VALUE_KEYS: dict[str, tuple[str, str]] = {
    "plain_text_input": ("value", "initial_value"),
    "number_input": ("value", "initial_value"),
    "email_text_input": ("value", "initial_value"),
    "url_text_input": ("value", "initial_value"),
    "static_select": ("selected_option", "initial_option"),
    "external_select": ("selected_option", "initial_option"),
    "radio_buttons": ("selected_option", "initial_option"),
    "overflow": ("selected_option", "initial_option"),
    "multi_static_select": ("selected_options", "initial_options"),
    "multi_external_select": ("selected_options", "initial_options"),
    "checkboxes": ("selected_options", "initial_options"),
    "users_select": ("selected_user", "initial_user"),
    "multi_users_select": ("selected_users", "initial_users"),
    "conversations_select": ("selected_conversation", "initial_conversation"),
    "multi_conversations_select": ("selected_conversations", "initial_conversations"),
    "channels_select": ("selected_channel", "initial_channel"),
    "multi_channels_select": ("selected_channels", "initial_channels"),
    "datepicker": ("selected_date", "initial_date"),
    "timepicker": ("selected_time", "initial_time"),
    "datetimepicker": ("selected_date_time", "initial_date_time"),
}
OPTION_KEYS = {"selected_option", "selected_options"}
MULTI_KEYS = {"selected_options", "selected_users", "selected_conversations", "selected_channels"}
FREE_OPTIONS = {"external_select", "multi_external_select"}  # options come from the app, not the element


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def find_element(blocks: list[JSON], action_id: str) -> tuple[str, JSON]:
    """The block_id and element with this action_id, or NotPossibleInSlack when nothing on screen has it."""
    for block in blocks:
        candidates = [block.get("accessory"), block.get("element"), *(block.get("elements") or [])]
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return str(block.get("block_id")), element
    shown = sorted(
        str(e.get("action_id"))
        for b in blocks
        for e in [b.get("accessory"), b.get("element"), *(b.get("elements") or [])]
        if isinstance(e, dict) and e.get("action_id")
    )
    raise NotPossibleInSlack(f"no element with action_id {action_id!r} is shown; shown: {shown}")


def _options(element: JSON) -> list[JSON]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return options


def _option(element: JSON, value: Any) -> JSON:
    if element["type"] in FREE_OPTIONS:
        return {"text": {"type": "plain_text", "text": str(value)}, "value": str(value)}
    for option in _options(element):
        if option.get("value") == value:
            return option
    offered = [o.get("value") for o in _options(element)]
    raise NotPossibleInSlack(f"{value!r} is not among the options of {element.get('action_id')!r}: {offered}")


def element_value(element: JSON, given: Any, *, has_given: bool) -> JSON:
    """The element's entry in state.values: {"type": ..., <value key>: ...}, from what the person chose
    (option values are looked up on the element) or else the element's preset value."""
    kind = str(element.get("type"))
    if kind not in VALUE_KEYS:
        raise NotPossibleInSlack(f"{kind} elements hold no value")
    key, initial_key = VALUE_KEYS[kind]
    multiple = key in MULTI_KEYS
    if not has_given:
        value = element.get(initial_key)
        return {"type": kind, key: value if value is not None else ([] if multiple else None)}
    if key in OPTION_KEYS:
        value = [_option(element, v) for v in given] if multiple else _option(element, given)
    else:
        value = list(given) if multiple else given
    return {"type": kind, key: value}


class PayloadBuilder:
    def __init__(self, ws: Workspace, response_url_base: str) -> None:
        self.ws = ws
        self.response_url_base = response_url_base

    # ---- who and where --------------------------------------------------------------------------------

    def _user(self, user: User) -> JSON:
        return {"id": user.id, "username": user.name, "name": user.name, "team_id": user.team_id}

    def _team(self, user: User) -> JSON:
        team = self.ws.teams[user.team_id]
        return {"id": team.id, "domain": team.domain}

    def _channel_name(self, channel: Channel) -> str:
        return "directmessage" if channel.is_im else channel.name

    def _response_url(self, kind: str, user: User, channel: Channel, **source: Any) -> str:
        url = self.ws.issue_response_url(kind, user.id, channel.id, **source)
        return self.response_url_base + url.token

    def _interaction(self, kind: str, user: User) -> JSON:
        """The fields every interactivity payload opens with."""
        return {
            "type": kind,
            "user": self._user(user),
            "api_app_id": self.ws.app_id,
            "token": VERIFICATION_TOKEN,
            "trigger_id": self.ws.issue_trigger(user.id),
            "team": self._team(user),
            "enterprise": None,
            "is_enterprise_install": False,
        }

    # ---- commands and interactivity -----------------------------------------------------------------

    def slash_command(self, user: User, channel: Channel, command: str, text: str) -> dict[str, str]:
        team = self.ws.teams[user.team_id]
        return {
            "token": VERIFICATION_TOKEN,
            "team_id": team.id,
            "team_domain": team.domain,
            "channel_id": channel.id,
            "channel_name": self._channel_name(channel),
            "user_id": user.id,
            "user_name": user.name,
            "command": command,
            "text": escaped_as_slack_does(text),
            "api_app_id": self.ws.app_id,
            "is_enterprise_install": "false",
            "response_url": self._response_url("command", user, channel),
            "trigger_id": self.ws.issue_trigger(user.id),
        }

    def _shortcut(self, kind: str, user: User, callback_id: str) -> JSON:
        """What a shortcut opens with: as Slack's own examples show it, without api_app_id (and a global
        shortcut's user without `name`)."""
        person = self._user(user)
        if kind == "shortcut":
            del person["name"]
        return {
            "type": kind,
            "token": VERIFICATION_TOKEN,
            "action_ts": f"{time.time():.6f}",
            "team": self._team(user),
            "user": person,
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": self.ws.issue_trigger(user.id),
        }

    def global_shortcut(self, user: User, callback_id: str) -> JSON:
        """A shortcut from the shortcuts menu: no channel, no message, no response_url."""
        return self._shortcut("shortcut", user, callback_id)

    def message_shortcut(self, user: User, channel: Channel, message: Message, callback_id: str) -> JSON:
        """A shortcut on a message: the message as Slack shows it, and a response_url for answers in the
        message's channel (in its thread when it is a reply)."""
        payload = self._shortcut("message_action", user, callback_id)
        payload["channel"] = {"id": channel.id, "name": self._channel_name(channel)}
        payload["response_url"] = self._response_url("shortcut", user, channel, thread_ts=message.thread_ts)
        payload["message_ts"] = message.ts
        payload["message"] = self.ws.message_json(message)
        return payload

    def _action(self, block_id: str, element: JSON, value: Any, has_value: bool) -> JSON:
        action: JSON = {"action_id": element["action_id"], "block_id": block_id}
        if element["type"] == "button":
            action.update(text=element.get("text"), type="button")
            if "value" in element:
                action["value"] = element["value"]
            if "style" in element:
                action["style"] = element["style"]
        else:
            if not has_value:
                raise NotPossibleInSlack(f"choosing in {element['action_id']!r} needs a value")
            action.update(element_value(element, value, has_given=True))
        action["action_ts"] = f"{time.time():.6f}"
        return action

    def message_click(
        self,
        user: User,
        channel: Channel,
        item: Message | Ephemeral,
        action_id: str,
        value: Any,
        has_value: bool,
    ) -> JSON:
        block_id, element = find_element(item.blocks or [], action_id)
        ephemeral = isinstance(item, Ephemeral)
        container: JSON = {
            "type": "message",
            "message_ts": item.ts,
            "channel_id": channel.id,
            "is_ephemeral": ephemeral,
        }
        if item.thread_ts:
            container["thread_ts"] = item.thread_ts
        payload = self._interaction("block_actions", user)
        payload["container"] = container
        payload["channel"] = {"id": channel.id, "name": self._channel_name(channel)}
        if isinstance(item, Message):  # Slack leaves the message out for ephemeral ones
            payload["message"] = self.ws.message_json(item)
        payload["state"] = {"values": {}}
        payload["response_url"] = self._response_url(
            "action",
            user,
            channel,
            source_ts=item.ts,
            source_is_ephemeral=ephemeral,
            thread_ts=item.thread_ts,
        )
        payload["actions"] = [self._action(block_id, element, value, has_value)]
        return payload

    def view_click(self, user: User, view: View, action_id: str, value: Any, has_value: bool) -> JSON:
        block_id, element = find_element(view.blocks, action_id)
        action = self._action(block_id, element, value, has_value)
        if element["type"] in VALUE_KEYS:  # a choice in a modal is kept in the view's state
            view.state_values.setdefault(block_id, {})[action_id] = element_value(
                element, value, has_given=True
            )
        payload = self._interaction("block_actions", user)
        payload["container"] = {"type": "view", "view_id": view.id}
        payload["view"] = self.ws.view_json(view)
        payload["actions"] = [action]
        return payload

    def state_values(self, view: View, entered: dict[str, dict[str, Any]]) -> JSON:
        """state.values of a submission: every input block (entered, kept from earlier choices, preset or
        empty) and any other element the person set; a required input left empty cannot be submitted."""
        earlier = view.state_values  # what the person chose before, for elements still on the view
        values: JSON = {}
        known: set[tuple[str, str]] = set()
        for block in view.blocks:
            block_id = str(block.get("block_id"))
            elements = [block.get("element")] if block.get("type") == "input" else []
            elements += [e for e in [block.get("accessory"), *(block.get("elements") or [])] if e]
            for element in elements:
                if not isinstance(element, dict) or element.get("type") not in VALUE_KEYS:
                    continue
                action_id = str(element.get("action_id"))
                known.add((block_id, action_id))
                given = entered.get(block_id, {})
                if action_id in given:
                    entry = element_value(element, given[action_id], has_given=True)
                elif action_id in earlier.get(block_id, {}):
                    entry = earlier[block_id][action_id]
                elif block.get("type") == "input":
                    entry = element_value(element, None, has_given=False)
                else:
                    continue
                values.setdefault(block_id, {})[action_id] = entry
                key = VALUE_KEYS[str(element["type"])][0]
                if block.get("type") == "input" and not block.get("optional") and is_empty(entry[key]):
                    raise NotPossibleInSlack(f"required input {block_id}/{action_id} is empty")
        unknown = [(b, a) for b, acts in entered.items() for a in acts if (b, a) not in known]
        if unknown:
            raise NotPossibleInSlack(f"no such inputs in view {view.id}: {unknown}")
        return values

    def view_submission(self, user: User, view: View, values: JSON) -> JSON:
        view_json = self.ws.view_json(view)
        view_json["state"] = {"values": values}
        payload = self._interaction("view_submission", user)
        payload["view"] = view_json
        payload["response_urls"] = []
        return payload

    def view_closed(self, user: User, view: View, is_cleared: bool) -> JSON:
        payload = self._interaction("view_closed", user)
        del payload["trigger_id"]  # closing gives no trigger
        payload["view"] = self.ws.view_json(view)
        payload["is_cleared"] = is_cleared
        return payload

    # ---- events -------------------------------------------------------------------------------------

    def event_callback(self, event: JSON, event_id: str | None = None) -> JSON:
        """The Events API envelope. In a Slack Connect channel it is shaped like Slack's own examples of
        an external person's events: context_team_id and authorizations[0] name the installation;
        for a message by a partner's person team_id is that person's team, while app_mention and other
        events keep the installing team there (app_mention names the actor's team in event.user_team)."""
        ws = self.ws
        actor = ws.user(str(event.get("user") or event.get("user_id") or ""))
        channel_ref = (
            event.get("channel") or event.get("channel_id") or (event.get("item") or {}).get("channel")
        )
        channel = ws.channel(str(channel_ref or ""))
        shared = channel is not None and ws.is_ext_shared(channel)
        team_id = ws.home.id
        if shared and actor is not None and event.get("type") == "message":  # as Slack's examples show
            team_id = actor.team_id
        envelope: JSON = {"token": VERIFICATION_TOKEN, "team_id": team_id, "api_app_id": ws.app_id}
        if shared:
            envelope.update(context_team_id=ws.home.id, context_enterprise_id=None)
        envelope.update(
            event=event,
            type="event_callback",
            event_id=event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
            event_time=int(time.time()),
            authorizations=[
                {
                    "enterprise_id": None,
                    "team_id": ws.home.id,
                    "user_id": ws.bot.id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            is_ext_shared_channel=shared,
        )
        if channel is not None:
            envelope["event_context"] = f"1-{event.get('type')}-{ws.home.id}-{channel.id}"
        return envelope

    def _typed(self, message: Message, kind: str, team_fields: JSON) -> JSON:
        """The fields a message or app_mention event opens with, and its blocks."""
        event: JSON = {
            "client_msg_id": message.client_msg_id,
            "type": kind,
            "text": message.text,
            "user": message.user,
            "ts": message.ts,
            **team_fields,
        }
        if message.blocks is not None:
            event["blocks"] = message.blocks
        return event

    def message_event(self, message: Message, channel: Channel) -> JSON:
        """A message event; event.team, and in Slack Connect channels user_team/source_team, name the
        author's team."""
        team_id = self.ws.users[message.user].team_id
        broadcast = message.is_reply and message.reply_broadcast
        teams: JSON = {} if broadcast else {"team": team_id}  # Slack's broadcasts show no event.team
        if self.ws.is_ext_shared(channel):
            teams.update(user_team=team_id, source_team=team_id)
        event = self._typed(message, "message", teams)
        if message.is_reply:
            parent = self.ws.message(channel.id, message.thread_ts or "")
            event["thread_ts"] = message.thread_ts
            if broadcast:
                event["subtype"] = "thread_broadcast"
                event["root"] = self.ws.message_json(parent) if parent else None
            else:
                event["parent_user_id"] = parent.user if parent else message.user
        event.update(channel=channel.id, event_ts=message.ts, channel_type=self.ws.channel_type(channel))
        return event

    def app_mention_event(self, message: Message, channel: Channel) -> JSON:
        """An app_mention: event.team is the installing team; in Slack Connect channels user_team,
        source_team and user_profile.team name the author's team (as Slack's examples show)."""
        team_id = self.ws.users[message.user].team_id
        teams: JSON = {"team": self.ws.home.id}
        if self.ws.is_ext_shared(channel):
            teams.update(user_team=team_id, source_team=team_id, user_profile={"team": team_id})
        event = self._typed(message, "app_mention", teams)
        if message.is_reply:
            event["thread_ts"] = message.thread_ts
        event.update(channel=channel.id, event_ts=message.ts)
        return event

    def message_changed_event(self, message: Message, previous: JSON, channel: Channel) -> JSON:
        event_ts = self.ws.next_ts()
        return {
            "type": "message",
            "subtype": "message_changed",
            "message": self.ws.message_json(message),
            "previous_message": previous,
            "channel": channel.id,
            "hidden": True,
            "ts": event_ts,
            "event_ts": event_ts,
            "channel_type": self.ws.channel_type(channel),
        }

    def message_deleted_event(self, message: Message, previous: JSON, channel: Channel) -> JSON:
        event_ts = self.ws.next_ts()
        return {
            "type": "message",
            "subtype": "message_deleted",
            "hidden": True,
            "deleted_ts": message.ts,
            "channel": channel.id,
            "previous_message": previous,
            "ts": event_ts,
            "event_ts": event_ts,
            "channel_type": self.ws.channel_type(channel),
        }

    def app_home_opened_event(self, user: User, tab: str) -> JSON:
        event: JSON = {
            "type": "app_home_opened",
            "user": user.id,
            "channel": self.ws.im_with(user.id).id,
            "tab": tab,
            "event_ts": f"{time.time():.6f}",
        }
        home = self.ws.views.get(self.ws.home_views.get(user.id, ""))
        if tab == "home" and home is not None:
            event["view"] = self.ws.view_json(home)
        return event

    def reaction_added_event(self, user: User, message: Message, name: str) -> JSON:
        return {
            "type": "reaction_added",
            "user": user.id,
            "reaction": name,
            "item": {"type": "message", "channel": message.channel, "ts": message.ts},
            "event_ts": self.ws.next_ts(),
        }

    def member_joined_event(self, user: User, channel: Channel, inviter: User | None) -> JSON:
        event: JSON = {
            "type": "member_joined_channel",
            "user": user.id,
            "channel": channel.id,
            "channel_type": "G" if channel.is_private else "C",
            "team": user.team_id,
        }
        if inviter is not None:
            event["inviter"] = inviter.id
        event["event_ts"] = f"{time.time():.6f}"
        return event


# Slack's own markup in what a test types stands for what Slack would have made of a person's typing (a
# mention picked from the list, a pasted link): it is sent as it is. The rest is escaped as Slack escapes a
# slash command's text (`&`, `<`, `>`), since the manifest asks for escaping (should_escape).
_SLACK_MARKUP = re.compile(r"<(?:[@#!][^<>]*|https?://[^\s<>]*)>")


def escaped_as_slack_does(text: str) -> str:
    out, last = [], 0
    for token in _SLACK_MARKUP.finditer(text):
        out += [_escape(text[last : token.start()]), token[0]]
        last = token.end()
    return "".join([*out, _escape(text[last:])])


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
