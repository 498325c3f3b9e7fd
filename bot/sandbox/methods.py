"""The Web API methods the stand-in serves, each answering like Slack's reference page for it.

Handlers run under `workspace.lock` (webapi.py takes it), get the call's arguments after the token and
required-argument checks, and either return the success body or raise `ApiError` with a code that the
method's reference documents (facts/web_api.json; tests/test_sandbox.py checks that by reading this
file).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import Any

from . import blockkit, reference
from .errors import ApiError, NotServed
from .workspace import (
    JSON,
    MODAL_STACK_LIMIT,
    Channel,
    Message,
    TriggerCheck,
    UploadedFile,
    User,
    View,
    Workspace,
)

IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")  # png, jpg, gif

Handler = Callable[["WebApiMethods", JSON], JSON]
HANDLERS: dict[str, Handler] = {}

REACTION_NAME = re.compile(r"^[a-z0-9_+'-]+$")


def serves(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[name] = handler
        return handler

    return register


def truthy(value: Any) -> bool:
    """Slack's boolean arguments arrive as JSON booleans or as form strings."""
    return value is True or str(value).lower() in ("true", "1")


def page(items: list[Any], args: JSON, default_limit: int) -> tuple[list[Any], str]:
    """One page of a cursor-paginated list, and the next cursor ("" when there is no more)."""
    try:
        limit = int(args.get("limit") or default_limit)
        start = (
            int(base64.b64decode(args["cursor"]).decode().removeprefix("offset:"))
            if args.get("cursor")
            else 0
        )
    except (ValueError, UnicodeDecodeError):
        raise ApiError("invalid_cursor") from None
    end = start + max(limit, 1)
    next_cursor = base64.b64encode(f"offset:{end}".encode()).decode() if end < len(items) else ""
    return items[start:end], next_cursor


def _timestamp(value: Any, default: float) -> float | None:
    """A message timestamp argument (`oldest`, `latest`) as a number; None when it is not one."""
    if value is None or value == "":
        return default
    try:
        return float(str(value))
    except ValueError:
        return None


class WebApiMethods:
    """The handlers, bound to one workspace."""

    def __init__(self, workspace: Workspace, socket_url: Callable[[], str]) -> None:
        self.ws = workspace
        self.socket_url = socket_url
        self.upload_base = ""  # where uploads go (`<base><file id>`); set once the HTTP server runs

    def call(self, method: str, args: JSON) -> JSON:
        handler = HANDLERS.get(method)
        if handler is None:
            raise NotServed(method)
        return handler(self, args)

    def needed_scope(self, method: str, args: JSON) -> str | None:
        """The bot scope this call needs that the app was not granted, if any. Methods that list several
        scopes need the one for the conversation's type (channels:read for a public channel, im:write to
        open a direct message)."""
        doc = reference.method_doc(method)
        scopes = doc.bot_scopes if doc else ()
        if len(scopes) > 1:
            channel = self.ws.channel(str(args.get("channel") or ""))
            family = self.ws.scope_family(channel) if channel else "im" if args.get("users") else None
            scopes = tuple(s for s in scopes if family and s.startswith(f"{family}:"))
        return next((s for s in scopes if not self.ws.app.grants(s)), None)

    # ---- lookups shared by several methods ----------------------------------------------------------

    def _visible_channel(self, ref: str) -> Channel:
        """A channel the bot can see: public channels, and private ones and direct messages it is in."""
        channel = self.ws.channel(ref)
        hidden = channel is not None and (channel.is_private or channel.is_im)
        if channel is None or (hidden and self.ws.bot.id not in channel.members):
            raise ApiError("channel_not_found")
        return channel

    def _message(self, channel: Channel, ts: str) -> Message:
        message = self.ws.message(channel.id, ts)
        if message is None or message.deleted:
            raise ApiError("message_not_found")
        return message

    def _visible_user(self, user_id: str) -> User:
        user = self.ws.user(user_id)
        if user is None or not self.ws.is_visible_to_home(user):
            raise ApiError("user_not_found")
        if not user.visible:
            raise ApiError("user_not_visible")
        return user

    def _content(self, args: JSON) -> tuple[str, list[JSON] | None]:
        """A message's text and blocks, checked against Block Kit's and Slack's text limits."""
        text = str(args.get("text") or "")
        blocks = args.get("blocks")
        if isinstance(blocks, str):  # a form field whose JSON did not parse
            raise ApiError("invalid_blocks_format")
        if blocks is not None:
            problems = blockkit.check_message_blocks(blocks) or self._unknown_images(blocks)
            if problems:
                raise ApiError("invalid_blocks", messages=problems)
        if not text and not blocks:
            raise ApiError("no_text")
        if len(text) > blockkit.MESSAGE_TEXT:
            raise ApiError("msg_too_long")
        return text, blocks or None

    def _view_spec(self, args: JSON, expected_type: str | None = None) -> JSON:
        view = args.get("view")
        problems = blockkit.check_view(view, expected_type=expected_type)
        if not problems and isinstance(view, dict):
            problems = self._unknown_images(view.get("blocks") or [])
        if problems:
            raise ApiError("invalid_arguments", messages=problems)
        return dict(view)  # type: ignore[arg-type]  # check_view guarantees a dict

    def _unknown_images(self, blocks: list[JSON]) -> list[str]:
        """An image block's `slack_file` must be a file uploaded in full, and an image (Slack takes png,
        jpg and gif)."""
        problems = []
        for i, block in enumerate(blocks):
            source = block.get("slack_file") if block.get("type") == "image" else None
            if not isinstance(source, dict) or "id" not in source:
                continue
            upload = self.ws.files.get(str(source["id"]))
            content = upload.content if upload is not None and upload.completed else None
            if content is None or not content.startswith(IMAGE_SIGNATURES):
                problems.append(f"[ERROR] invalid slack_file: no uploaded image [json-pointer:/blocks/{i}]")
        return problems

    def _exchange_trigger(self, args: JSON) -> str:
        """Use the call's trigger_id: issued by an interaction less than 3 s ago and not used before."""
        trigger_id = str(args.get("trigger_id") or args.get("interactivity_pointer") or "")
        if not trigger_id:
            raise ApiError("invalid_arguments", messages=["invalid `trigger_id`"])
        check, user_id = self.ws.exchange_trigger(trigger_id)
        if check is TriggerCheck.UNKNOWN or user_id is None:
            raise ApiError("invalid_trigger_id")
        if check is TriggerCheck.EXPIRED:
            raise ApiError("expired_trigger_id")
        if check is TriggerCheck.USED:
            raise ApiError("exchanged_trigger_id")
        return user_id

    def _unique_external_id(self, spec: JSON, keep: View | None = None) -> None:
        external_id = spec.get("external_id")
        if external_id:
            holder = self.ws.view_by_external_id(str(external_id))
            if holder is not None and holder is not keep:
                raise ApiError("duplicate_external_id")

    def _check_hash(self, view: View, args: JSON) -> None:
        if args.get("hash") and args["hash"] != view.hash:
            raise ApiError("hash_conflict")

    def _permalink(self, channel: Channel, message: Message) -> str:
        base = f"https://{self.ws.home.domain}.slack.com/archives/{channel.id}/p{message.ts.replace('.', '')}"
        if message.is_reply:
            return f"{base}?thread_ts={message.thread_ts}&cid={channel.id}"
        return base

    def _metadata(self, args: JSON) -> JSON | None:
        """The call's message metadata, checked as chat.postMessage's page describes it: a JSON object
        (a URL-encoded string in a form) with a string event_type and an object event_payload."""
        metadata = args.get("metadata")
        if metadata is None or metadata == "":
            return None
        if isinstance(metadata, str):
            raise ApiError("invalid_metadata_format")  # a form field that did not parse as JSON
        if not isinstance(metadata, dict):
            raise ApiError("invalid_metadata_format")
        if metadata and (
            not isinstance(metadata.get("event_type"), str)
            or not metadata["event_type"]
            or not isinstance(metadata.get("event_payload"), dict)
        ):
            raise ApiError("invalid_metadata_schema")
        return dict(metadata)

    def _channel_json(self, channel: Channel, args: JSON) -> JSON:
        ws = self.ws
        if channel.is_mpim:  # as Slack describes a group DM: private, neither a channel nor a group
            out: JSON = {
                "id": channel.id,
                "name": channel.name,
                "is_channel": False,
                "is_group": False,
                "is_im": False,
                "is_mpim": True,
                "is_private": True,
                "created": channel.created,
                "is_archived": False,
                "is_shared": False,
                "is_ext_shared": ws.is_ext_shared(channel),
                "is_org_shared": False,
                "is_pending_ext_shared": False,
                "is_member": ws.bot.id in channel.members,
                "context_team_id": ws.home.id,
                "shared_team_ids": ws.channel_team_ids(channel),
            }
        elif channel.is_im:
            out = {
                "id": channel.id,
                "created": channel.created,
                "is_im": True,
                "is_org_shared": False,
                "user": channel.im_user,
                "is_open": True,
                "is_member": True,
            }
        else:
            teams = ws.channel_team_ids(channel)
            ext_shared = ws.is_ext_shared(channel)
            out = {
                "id": channel.id,
                "name": channel.name,
                "name_normalized": channel.name,
                "is_channel": not channel.is_private,
                "is_group": channel.is_private,
                "is_im": False,
                "is_mpim": False,
                "is_private": channel.is_private,
                "created": channel.created,
                "is_archived": False,
                "is_general": False,
                "is_shared": ext_shared,
                "is_ext_shared": ext_shared,
                "is_org_shared": False,
                "is_pending_ext_shared": False,
                "pending_shared": [],
                "is_member": ws.bot.id in channel.members,
                "context_team_id": ws.home.id,
                "conversation_host_id": ws.home.id,
                "shared_team_ids": teams,
                "connected_team_ids": teams if ext_shared else [],
                "internal_team_ids": [],
            }
        if truthy(args.get("include_num_members")):
            out["num_members"] = len(channel.members)
        return out

    # ---- auth and Socket Mode -----------------------------------------------------------------------

    @serves("auth.test")
    def auth_test(self, args: JSON) -> JSON:
        ws = self.ws
        return {
            "ok": True,
            "url": f"https://{ws.home.domain}.slack.com/",
            "team": ws.home.name,
            "user": ws.bot.name,
            "team_id": ws.home.id,
            "user_id": ws.bot.id,
            "bot_id": ws.bot.bot_id,
            "is_enterprise_install": False,
        }

    @serves("apps.connections.open")
    def apps_connections_open(self, args: JSON) -> JSON:
        return {"ok": True, "url": self.socket_url()}

    # ---- messages -----------------------------------------------------------------------------------

    @serves("chat.postMessage")
    def chat_post_message(self, args: JSON) -> JSON:
        ref = str(args["channel"])
        user = self.ws.user(ref)
        if user is not None:  # a user ID posts into the app's direct messages with that person
            if not self.ws.is_visible_to_home(user):
                raise ApiError("channel_not_found")
            channel = self.ws.im_with(user.id)
        else:
            channel = self._visible_channel(ref)
        public = not channel.is_private and self.ws.app.grants("chat:write.public")
        if self.ws.bot.id not in channel.members and not public:
            raise ApiError("not_in_channel")
        if args.get("markdown_text") and (args.get("text") or args.get("blocks")):
            raise ApiError("markdown_text_conflict")
        if args.get("markdown_text"):
            args = {**args, "text": args["markdown_text"]}
        text, blocks = self._content(args)
        thread_ts = args.get("thread_ts") or None
        if thread_ts:
            parent = self.ws.message(channel.id, str(thread_ts))
            if parent is None or parent.deleted or parent.is_reply:
                raise ApiError(
                    "cannot_reply_to_message",
                    messages=[f"[ERROR] thread_ts {thread_ts} is not a top-level message in {channel.id}"],
                )
        metadata = self._metadata(args)
        message = self.ws.post_as_bot(
            channel.id, text, blocks, thread_ts=thread_ts, reply_broadcast=truthy(args.get("reply_broadcast"))
        )
        message.metadata = metadata or None
        return {"ok": True, "channel": channel.id, "ts": message.ts, "message": self.ws.message_json(message)}

    @serves("chat.update")
    def chat_update(self, args: JSON) -> JSON:
        channel = self._visible_channel(str(args["channel"]))
        message = self._message(channel, str(args["ts"]))
        if message.user != self.ws.bot.id:
            raise ApiError("cant_update_message")
        text, blocks = self._content(args)
        metadata = self._metadata(args)
        self.ws.edit(message, text, blocks)
        if metadata is not None:  # left out: the message keeps its metadata; {} removes it
            message.metadata = metadata or None
        return {
            "ok": True,
            "channel": channel.id,
            "ts": message.ts,
            "text": text,
            "message": self.ws.message_json(message),
        }

    @serves("chat.delete")
    def chat_delete(self, args: JSON) -> JSON:
        channel = self._visible_channel(str(args["channel"]))
        message = self._message(channel, str(args["ts"]))
        if message.user != self.ws.bot.id:
            raise ApiError("cant_delete_message")
        message.deleted = True
        return {"ok": True, "channel": channel.id, "ts": message.ts}

    @serves("chat.postEphemeral")
    def chat_post_ephemeral(self, args: JSON) -> JSON:
        channel = self._visible_channel(str(args["channel"]))
        if self.ws.bot.id not in channel.members:
            raise ApiError("not_in_channel")
        user_id = str(args["user"])
        if user_id not in channel.members:
            raise ApiError("user_not_in_channel")
        text, blocks = self._content(args)
        ephemeral = self.ws.post_ephemeral(
            user_id, channel.id, text, blocks, source="postEphemeral", thread_ts=args.get("thread_ts") or None
        )
        return {"ok": True, "message_ts": ephemeral.ts}

    @serves("chat.getPermalink")
    def chat_get_permalink(self, args: JSON) -> JSON:
        channel = self._visible_channel(str(args["channel"]))
        message = self._message(channel, str(args["message_ts"]))
        return {"ok": True, "channel": channel.id, "permalink": self._permalink(channel, message)}

    @serves("reactions.add")
    def reactions_add(self, args: JSON) -> JSON:
        channel = self._visible_channel(str(args["channel"]))
        message = self._message(channel, str(args["timestamp"]))
        name = str(args["name"])
        if not REACTION_NAME.match(name):
            raise ApiError("invalid_name")
        users = message.reactions.setdefault(name, [])
        if self.ws.bot.id in users:
            raise ApiError("already_reacted")
        users.append(self.ws.bot.id)
        return {"ok": True}

    # ---- conversations and users --------------------------------------------------------------------

    @serves("conversations.info")
    def conversations_info(self, args: JSON) -> JSON:
        channel = self._visible_channel(str(args["channel"]))
        return {"ok": True, "channel": self._channel_json(channel, args)}

    @serves("conversations.members")
    def conversations_members(self, args: JSON) -> JSON:
        channel = self._visible_channel(str(args["channel"]))
        members, next_cursor = page(list(channel.members), args, default_limit=100)
        return {"ok": True, "members": members, "response_metadata": {"next_cursor": next_cursor}}

    @serves("conversations.replies")
    def conversations_replies(self, args: JSON) -> JSON:
        channel = self._visible_channel(str(args["channel"]))
        message = self.ws.message(channel.id, str(args["ts"]))
        if message is None or (message.deleted and not self.ws.replies(channel.id, message.ts)):
            raise ApiError("thread_not_found")
        # Asked for a reply, Slack answers the reply's whole thread, parent first.
        parent = self.ws.message(channel.id, message.thread_ts or "") if message.is_reply else message
        parent = parent or message
        thread = [parent, *self.ws.replies(channel.id, parent.ts)]
        messages, next_cursor = page([self.ws.message_json(m) for m in thread], args, default_limit=1000)
        return {
            "ok": True,
            "messages": messages,
            "has_more": bool(next_cursor),
            "response_metadata": {"next_cursor": next_cursor},
        }

    @serves("conversations.history")
    def conversations_history(self, args: JSON) -> JSON:
        """The channel's messages, newest first: top-level ones and replies also sent to the channel, none
        deleted; their metadata only with include_all_metadata. A page is `limit` messages (100 unless
        said, 999 at most) between `oldest` and `latest`."""
        channel = self._visible_channel(str(args["channel"]))
        if self.ws.bot.id not in channel.members:
            raise ApiError("not_in_channel")
        oldest, latest = _timestamp(args.get("oldest"), 0.0), _timestamp(args.get("latest"), float("inf"))
        if oldest is None:
            raise ApiError("invalid_ts_oldest")
        if latest is None:
            raise ApiError("invalid_ts_latest")
        inclusive = truthy(args.get("inclusive"))
        shown = [
            m
            for m in reversed(self.ws.top_level(channel.id))
            if not m.deleted
            and (oldest <= float(m.ts) if inclusive else oldest < float(m.ts))
            and (float(m.ts) <= latest if inclusive else float(m.ts) < latest)
        ]
        metadata = truthy(args.get("include_all_metadata"))
        try:
            limit = min(int(args.get("limit") or 100), 999)
        except ValueError:
            raise ApiError("invalid_arguments", messages=["`limit` must be a number"]) from None
        listed = [self.ws.message_json(m, with_metadata=metadata) for m in shown]
        messages, next_cursor = page(listed, {**args, "limit": limit}, default_limit=100)
        return {
            "ok": True,
            "messages": messages,
            "has_more": bool(next_cursor),
            "pin_count": 0,
            "channel_actions_ts": None,
            "channel_actions_count": 0,
            "response_metadata": {"next_cursor": next_cursor},
        }

    @serves("conversations.open")
    def conversations_open(self, args: JSON) -> JSON:
        if args.get("channel"):
            channel = self._visible_channel(str(args["channel"]))
        else:
            users = [u for u in str(args.get("users") or "").split(",") if u]
            if not users:
                raise ApiError("users_list_not_supplied")
            if len(users) > 1:
                raise NotServed("conversations.open with several users (a group DM)")
            channel = self.ws.im_with(self._visible_user(users[0]).id)
        if truthy(args.get("return_im")):
            return {"ok": True, "channel": self._channel_json(channel, args)}
        return {"ok": True, "channel": {"id": channel.id}}

    @serves("users.info")
    def users_info(self, args: JSON) -> JSON:
        return {"ok": True, "user": self._user_json(self._visible_user(str(args["user"])))}

    @serves("users.list")
    def users_list(self, args: JSON) -> JSON:
        """The workspace's own people (not other organizations'), a page at a time as Slack pages them:
        `limit` (Slack suggests 200 at most) and an opaque `cursor`, empty on the last page."""
        with self.ws.lock:
            people = sorted(
                (u for u in self.ws.users.values() if u.team_id == self.ws.home.id), key=lambda u: u.id
            )
        try:
            start = int(base64.b64decode(str(args.get("cursor") or "")).decode() or 0)
            limit = int(args.get("limit") or 200)
        except ValueError as exc:
            raise ApiError("invalid_cursor") from exc
        page = people[start : start + max(1, min(limit, 1000))]
        after = start + len(page)
        cursor = base64.b64encode(str(after).encode()).decode() if after < len(people) else ""
        return {
            "ok": True,
            "members": [self._user_json(u) for u in page],
            "cache_ts": 1_700_000_000,
            "response_metadata": {"next_cursor": cursor},
        }

    def _user_json(self, user: User) -> JSON:
        team = self.ws.teams[user.team_id]
        real_name = user.real_name or user.name
        out: JSON = {
            "id": user.id,
            "team_id": user.team_id,
            "name": user.name,
            "deleted": False,
            "real_name": real_name,
            **user.tz_fields(),
            "profile": {
                "real_name": real_name,
                "real_name_normalized": real_name,
                "display_name": user.name,
                "display_name_normalized": user.name,
                "team": team.id,
            },
            "is_admin": False,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": user.is_bot,
            "is_app_user": False,
            "updated": 1_700_000_000,
        }
        if user.team_id != self.ws.home.id:
            out["is_stranger"] = False
        if user.bot_id:
            out["profile"]["bot_id"] = user.bot_id
        return out

    # ---- views --------------------------------------------------------------------------------------

    @serves("views.open")
    def views_open(self, args: JSON) -> JSON:
        spec = self._view_spec(args, expected_type="modal")
        self._unique_external_id(spec)
        user_id = self._exchange_trigger(args)
        view = self.ws.new_view(user_id, spec)
        self.ws.open_modal(view)
        return {"ok": True, "view": self.ws.view_json(view)}

    @serves("views.push")
    def views_push(self, args: JSON) -> JSON:
        spec = self._view_spec(args, expected_type="modal")
        self._unique_external_id(spec)
        user_id = self._exchange_trigger(args)
        stack = self.ws.modal_stack(user_id)
        if not stack:
            raise ApiError("not_found")
        if len(stack) >= MODAL_STACK_LIMIT:
            raise ApiError("push_limit_reached")
        view = self.ws.new_view(user_id, spec, root_view_id=stack[0].id)
        self.ws.push_modal(view)
        return {"ok": True, "view": self.ws.view_json(view)}

    @serves("views.update")
    def views_update(self, args: JSON) -> JSON:
        if args.get("view_id"):
            view = self.ws.views.get(str(args["view_id"]))
        elif args.get("external_id"):
            view = self.ws.view_by_external_id(str(args["external_id"]))
        else:
            raise ApiError("invalid_arguments", messages=["[ERROR] view_id or external_id is required"])
        if view is None or not view.is_open:
            raise ApiError("not_found")
        spec = self._view_spec(args, expected_type=view.type)
        self._unique_external_id(spec, keep=view)
        self._check_hash(view, args)
        self.ws.replace_view(view, spec)
        return {"ok": True, "view": self.ws.view_json(view)}

    @serves("files.getUploadURLExternal")
    def files_get_upload_url_external(self, args: JSON) -> JSON:
        try:
            length = int(args["length"])
        except (TypeError, ValueError):
            raise ApiError("invalid_arguments", messages=["`length` must be a number"]) from None
        if length <= 0:
            raise ApiError("invalid_arguments", messages=["`length` must be positive"])
        with self.ws.lock:
            file_id = f"F{len(self.ws.files) + 1:08d}"
            self.ws.files[file_id] = UploadedFile(file_id, str(args["filename"]), length)
        return {"ok": True, "upload_url": f"{self.upload_base}{file_id}", "file_id": file_id}

    @serves("files.completeUploadExternal")
    def files_complete_upload_external(self, args: JSON) -> JSON:
        wanted = args["files"]
        if isinstance(wanted, str):
            try:
                wanted = json.loads(wanted)
            except ValueError:
                raise ApiError("invalid_arguments", messages=["`files` must be a JSON array"]) from None
        channel = self._visible_channel(str(args["channel_id"])) if args.get("channel_id") else None
        done = []
        with self.ws.lock:
            for entry in wanted:
                upload = self.ws.files.get(str(entry.get("id")))
                if upload is None or upload.content is None or len(upload.content) != upload.length:
                    raise ApiError("file_not_found")  # never uploaded, or not the length announced
                upload.title, upload.completed = entry.get("title") or upload.filename, True
                done.append({"id": upload.id, "title": upload.title, "name": upload.filename})
            if channel is not None:
                message = self.ws.post_as_bot(channel.id, str(args.get("initial_comment") or ""), None)
                message.files = [f["id"] for f in done]
        return {"ok": True, "files": done}

    @serves("views.publish")
    def views_publish(self, args: JSON) -> JSON:
        user = self.ws.user(str(args["user_id"]))
        if user is None or user.team_id != self.ws.home.id:  # App Home belongs to the installing workspace
            raise ApiError("invalid_arguments", messages=["invalid `user_id`"])
        spec = self._view_spec(args, expected_type="home")
        current = self.ws.views.get(self.ws.home_views.get(user.id, ""))
        self._unique_external_id(spec, keep=current)
        if current is None:
            view = self.ws.new_view(user.id, spec)
            self.ws.home_views[user.id] = view.id
        else:
            self._check_hash(current, args)
            self.ws.replace_view(current, spec)
            view = current
        return {"ok": True, "view": self.ws.view_json(view)}
