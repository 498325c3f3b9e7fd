"""The one door: every Web API call that writes passes here, right before it leaves for Slack.

Reads (auth.test, users.info, conversations.info...) are listed; every other method is a write, whatever
its name, so a method added later is guarded before anyone thinks of it. For a write the door asks who
will read it: a channel's organizations (conversations.info, cached), a person's own organization for a
direct message, an ephemeral or a Home tab, the person a form is opened for. If only the office reads it,
it goes. Otherwise every piece of text in the call (message text, blocks, fields, form values, metadata,
file contents) is read by the identifier detector, and text that identifies a client goes only under a
`Permit`: the disclosure the sender's code decided for that item (the partner's agreement allows
identifying details and a consent for the case and that partner is on record), and only to that
partner's teams. A case number or a do-not-post name never goes, permit or not.

A refusal is audited (`door.refused`, naming the classes, never the text), logged without the text, and
raised as `GuardRefused`, a `SlackApiError` with the error `liaison_guard_refused`, so that every path
that already handles Slack refusing a call handles it, and the person is told.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
from slack_bolt.context.respond import Respond
from slack_bolt.context.respond.internals import _build_message
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web import SlackResponse
from slack_sdk.webhook import WebhookResponse

from bot.writes import RESPONSE_URL, as_read, channel_written
from storage.disclosure import Permit
from storage.identifiers import NEVER_SHARED, Detector, Finding

log = logging.getLogger("liaison")

# Methods that only read: they carry no text anyone else will see.
READS = frozenset(
    {
        "api.test",
        "apps.connections.open",
        "auth.test",
        "bots.info",
        "chat.getPermalink",
        "conversations.history",
        "conversations.info",
        "conversations.list",
        "conversations.members",
        "conversations.replies",
        "team.info",
        "users.conversations",
        "users.info",
        "users.list",
        "users.lookupByEmail",
        "users.profile.get",
    }
)
REFUSED = "liaison_guard_refused"
UNKNOWN_READER = "unknown"  # a write whose readers the door cannot tell: treated as strangers
# Who reads a channel comes from a cache (bot/workspace.py), refreshed by the membership events this
# process hears. Another process (a worker) may have heard of a change this one has not, and Slack's events
# come late: before anything identifying goes where the cache says only the office, or only the permitted
# partners, read, the door asks Slack again unless its answer is this young.
CONFIRM_SECONDS = 10.0


@dataclass(frozen=True)
class Refusal:
    method: str
    channel_id: str | None
    ref: str | None
    classes: tuple[str, ...]
    readers: frozenset[str]


class GuardRefused(SlackApiError):
    """The door kept a write from Slack. `explanation` is for the person (classes named, values masked)."""

    def __init__(self, refusal: Refusal, explanation: str) -> None:
        response = SlackResponse(
            client=None,
            http_verb="POST",
            api_url=refusal.method,
            req_args={},
            data={"ok": False, "error": REFUSED},
            headers={},
            status_code=200,
        )
        super().__init__(f"Liaison's guard refused {refusal.method}", response)
        self.refusal = refusal
        self.explanation = explanation


class Readers(Protocol):
    """Who reads where (bot/workspace.py answers from Slack, cached)."""

    def teams_reading(self, channel_id: str, max_age: float | None = None) -> frozenset[str]:
        """`max_age`: an answer older than this many seconds is asked again (None: the cache's own)."""
        ...

    def team_of(self, user_id: str) -> str | None: ...


_permit: ContextVar[Permit | None] = ContextVar("liaison_permit", default=None)
_viewer: ContextVar[str | None] = ContextVar("liaison_viewer", default=None)


@contextmanager
def permitting(permit: Permit | None) -> Iterator[None]:
    """Writes inside carry `permit` (about one item)."""
    token = _permit.set(permit)
    try:
        yield
    finally:
        _permit.reset(token)


@contextmanager
def viewed_by(user_id: str) -> Iterator[None]:
    """Forms opened or updated inside are seen by `user_id` (views.open names no user, only a trigger)."""
    token = _viewer.set(user_id)
    try:
        yield
    finally:
        _viewer.reset(token)


class Door:
    def __init__(
        self,
        detector: Detector,
        home_team_id: str,
        readers: Readers,
        record: Callable[[Refusal], None] = lambda _refusal: None,
        confirm_seconds: float = CONFIRM_SECONDS,
    ) -> None:
        self._detector = detector
        self._home = home_team_id
        self._readers = readers
        self._record = record
        self._confirm_seconds = confirm_seconds
        self._checked_files: set[str] = set()

    def check(self, method: str, args: Mapping[str, Any]) -> None:
        """Let the call go, or raise GuardRefused (audited). Reads always go."""
        if method in READS:
            return
        if method == "files.completeUploadExternal":
            self._check_files(args)
        channel = channel_written(method, args)
        readers = self._readers_of(method, args) - {self._home, ""}
        if not readers and channel is None:
            return  # only the office reads it (a person of the office): home staff see case numbers
        found = self._findings(args)
        if not found:
            return
        if channel is not None and not self._blocked(found, readers):  # about to go: make sure who reads
            readers = self._channel_readers(channel, self._confirm_seconds) - {self._home, ""}
        if readers:
            self._decide(method, args, readers, found)

    def screen(self, method: str, args: Mapping[str, Any], readers: frozenset[str]) -> None:
        found = self._findings(args)
        if found:
            self._decide(method, args, readers, found)

    def _findings(self, args: Mapping[str, Any]) -> list[Finding]:
        permit = _permit.get()
        case_number = permit.case_number if permit else None
        return [f for text in as_read(args) for f in self._detector.findings(text, case_number)]

    def _blocked(self, found: list[Finding], readers: frozenset[str]) -> list[Finding]:
        """What in `found` may not go where `readers` (other than the office) read."""
        if not readers:
            return []
        permit = _permit.get()
        allowed = permit is not None and readers <= permit.teams
        return [f for f in found if f.what in NEVER_SHARED or not allowed]

    def _decide(
        self, method: str, args: Mapping[str, Any], readers: frozenset[str], found: list[Finding]
    ) -> None:
        permit = _permit.get()
        blocked = self._blocked(found, readers)
        if not blocked:
            return
        channel = args.get("channel") or args.get("channel_id") or args.get("user_id") or args.get("user")
        refusal = Refusal(
            method=method,
            channel_id=str(channel) if channel else None,
            ref=permit.ref if permit else None,
            classes=tuple(sorted({f.what.value for f in blocked})),
            readers=readers,
        )
        self._refuse(refusal, self.explanation(blocked, refusal))

    def _refuse(self, refusal: Refusal, explanation: str) -> None:
        """Log (without the text), audit, and raise: a refusal is never silent."""
        log.warning(
            "the guard refused %s to %s%s: it held %s",
            refusal.method,
            refusal.channel_id or "an unnamed reader",
            f" about {refusal.ref}" if refusal.ref else "",
            ", ".join(refusal.classes),
        )
        try:
            self._record(refusal)
        except Exception:  # the refusal stands whether or not the audit row could be written
            log.exception("could not audit the guard's refusal of %s", refusal.method)
        raise GuardRefused(refusal, explanation)

    def checked_file(self, file_id: str, content: str, channel_id: str | None) -> None:
        """A file's text was screened for `channel_id` before its bytes went to Slack's upload address;
        only files screened so may then be shared (files.completeUploadExternal). A file shared with no
        one (None) is read by the office alone until a message shows it, and that message is screened."""
        if channel_id is None:
            self._checked_files.add(file_id)
            return
        readers = self._readers_of("files.upload", {"channel_id": channel_id}) - {self._home, ""}
        if readers:
            self.screen("files.upload", {"channel_id": channel_id, "content": content}, readers)
        self._checked_files.add(file_id)

    def _check_files(self, args: Mapping[str, Any]) -> None:
        """Only files whose text `checked_file` screened may be shared (the client reads the `files`
        argument's JSON text into a list before the door sees it)."""
        files = args.get("files")
        ids = [str(f.get("id")) for f in files if isinstance(f, Mapping)] if isinstance(files, list) else []
        if not ids or any(i not in self._checked_files for i in ids):
            channel = args.get("channel_id")
            refusal = Refusal(
                "files.completeUploadExternal",
                str(channel) if channel else None,
                None,
                ("a file whose contents were not screened",),
                frozenset(),
            )
            self._refuse(
                refusal, "Liaison shares only files whose contents it has screened. Nothing was sent."
            )

    def _readers_of(self, method: str, args: Mapping[str, Any]) -> frozenset[str]:
        """The teams whose people will read what the call writes."""
        if method == RESPONSE_URL and args.get("response_type") != "in_channel":
            user = args.get("user")  # an answer through response_url is seen by the person who acted
            return self._team_of(str(user)) if user else frozenset({UNKNOWN_READER})
        if method.startswith("views."):
            user = args.get("user_id") or _viewer.get()
            return self._team_of(str(user)) if user else frozenset({UNKNOWN_READER})
        if method == "chat.postEphemeral":
            user = args.get("user")
            return self._team_of(str(user)) if user else frozenset({UNKNOWN_READER})
        channel = args.get("channel") or args.get("channel_id")
        if isinstance(channel, str) and channel:
            if channel[0] in "UW":  # a person's ID as the channel: the app's direct messages with them
                return self._team_of(channel)
            return self._channel_readers(channel)
        return frozenset({UNKNOWN_READER})

    def _channel_readers(self, channel: str, max_age: float | None = None) -> frozenset[str]:
        try:
            return self._readers.teams_reading(channel, max_age)
        except Exception:  # Slack would not say who reads it: assume strangers do
            log.warning("the guard could not tell who reads %s; treating them as strangers", channel)
            return frozenset({UNKNOWN_READER})

    def _team_of(self, user_id: str) -> frozenset[str]:
        try:
            team = self._readers.team_of(user_id)
        except Exception:
            team = None
        return frozenset({team or UNKNOWN_READER})

    def explanation(self, blocked: list[Finding], refusal: Refusal) -> str:
        about = f" about {refusal.ref}" if refusal.ref else ""
        never = {f.what for f in blocked} & NEVER_SHARED
        why = (
            "which never goes to another organization"
            if never
            else "and no consent for the client and that partner allows it"
        )
        return (
            f"Liaison's guard stopped a message{about}: it would have shown {', '.join(refusal.classes)} "
            f"where another organization reads, {why}. Nothing was sent."
        )


class GuardedRespond(Respond):
    """Bolt's respond() through the door: an answer through response_url is a write too. Fitted to every
    request by the door middleware (bot/listeners/guard.py)."""

    def __init__(
        self,
        respond: Respond,
        door: Door,
        user_id: str | None,
        channel_id: str | None,
        http: httpx.Client | None = None,
    ) -> None:
        """`http`: the Web API client's kept-alive connections, to answer over (a new one each otherwise)."""
        super().__init__(response_url=respond.response_url, proxy=respond.proxy, ssl=respond.ssl)
        self._door, self._user, self._channel, self._http = door, user_id, channel_id, http

    # Respond's own signature lists every keyword it passes on; this one takes them all through **kwargs
    # to build the same message, so it is wider, which mypy counts as an override.
    def __call__(  # type: ignore[override]
        self, text: str | dict[str, Any] = "", **kwargs: Any
    ) -> WebhookResponse:
        message = _build_message(**text) if isinstance(text, dict) else _build_message(text=text, **kwargs)
        self._door.check(RESPONSE_URL, {**message, "user": self._user, "channel": self._channel})
        if self._http is None or self.response_url is None:
            return super().__call__(text, **kwargs)
        try:
            answer = self._http.post(self.response_url, json=message)
        except httpx.HTTPError as exc:  # Slack unreachable: what the person's answers say of it
            raise SlackRequestError(f"could not answer through response_url ({type(exc).__name__})") from None
        return WebhookResponse(
            url=self.response_url,
            status_code=answer.status_code,
            body=answer.text,
            headers=dict(answer.headers),
        )
