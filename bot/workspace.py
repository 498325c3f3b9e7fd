"""The Slack side of what command handlers need (commands.invocation.Slack): facts about people and
channels, cached for a few minutes, and posting cards.

users.info and conversations.info are rate-limited (tiers 4 and 3) and change rarely; a stale answer is
refreshed on events that change it (someone joining a channel)."""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot import door, notify, render
from bot.door import GuardRefused
from bot.slack_client import LiaisonWebClient
from commands.cards import Button, Card, Home, Image
from commands.invocation import GUARD_REFUSED, SlackRefused
from storage.disclosure import Permit
from storage.errors import InvalidInput
from storage.permissions import ChannelKind, Place

T = TypeVar("T")
log = logging.getLogger("liaison")
UNIDENTIFIED_TEAM = "unidentified"
# Slack would unfurl a link in someone's words into a preview (a profile's name and photo, a page's
# title) in front of every organization in the channel: what Liaison posts never unfurls.
NO_PREVIEWS: dict[str, Any] = {"unfurl_links": False, "unfurl_media": False}
TTL_SECONDS = 600.0
FEW = 20  # people looked up one by one (users.info); beyond that, the whole office at once (users.list)
CARD_TRIES = 3  # a card's post, and the two retries slack_sdk would otherwise make blindly
CARD_BACKOFF = 0.5  # seconds before the first retry, doubling
HISTORY_PAGE = 200


_UNSEEN = "Liaison can't see <#{}>: invite it with `/invite @liaison`, then try again."
# A direct message between people takes no app: nothing to invite Liaison to.
_UNSEEN_DM = (
    "Liaison can't see a direct message between other people, and can't be added to one: use a channel "
    "Liaison is in instead."
)


class SlackWorkspace:
    def __init__(
        self,
        client: LiaisonWebClient,
        home_team_id: str,
        url: str = "",
        ttl: float = TTL_SECONDS,
        bot_user_id: str | None = None,
    ) -> None:
        self._client = client
        self._bot_user_id = bot_user_id  # whose cards are Liaison's (another app could copy the metadata)
        self._home = home_team_id
        self._url = url or "https://slack.com/"  # the workspace's address, from auth.test
        self._ttl = ttl
        self._cache: dict[tuple[str, str], tuple[float, Any]] = {}
        self._lock = threading.Lock()
        self._home_viewers: set[str] = set()  # only their Home tabs are redrawn when items change

    def team_of(self, user_id: str) -> str | None:
        return self._user(user_id).get("team_id")

    def timezone_of(self, user_id: str) -> str | None:
        return self._user(user_id).get("tz")

    def bulk(self) -> AbstractContextManager[None]:
        return self._client.pacer.bulk()

    def learn_people(self, user_ids: Collection[str]) -> None:
        """Before many `team_of`/`timezone_of` calls (the tick's reminders and digests): when more than a
        few of these people are not cached, read the office's people a page at a time (users.list), a few
        calls instead of a users.info each. Partner staff are not in that list: they are looked up one
        by one, as before."""
        with self._lock:
            unknown = [u for u in user_ids if not self._fresh(("user", u))]
        if len(unknown) <= FEW:
            return
        try:
            self._read_people()
        except (SlackApiError, SlackClientError, OSError) as exc:  # then one by one, as without it
            log.warning("could not read the office's people in bulk (%s); looking them up one by one", exc)

    def _read_people(self) -> None:
        cursor = ""
        while True:
            page = self._client.users_list(limit=200, cursor=cursor or None)
            now = time.monotonic()
            with self._lock:
                for person in page.get("members") or []:
                    self._cache[("user", person["id"])] = (now, dict(person))
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or ""
            if not cursor:
                return

    def post_card(
        self, channel_id: str, card: Card, permit: Permit, *, posted_since: datetime | None = None
    ) -> str:
        """Post the card once. When it may be there already (`posted_since`: a retry after a lost answer
        or a process killed mid-post), and before each retry here, the channel is searched for it by its
        metadata: one found is redrawn and adopted. If the search itself fails, nothing is posted."""
        since = posted_since
        for attempt in range(CARD_TRIES):
            if since is not None:
                found = self._find_card(channel_id, card, since)
                if found is not None:
                    log.info("found the card of %s already in %s; using it", card.ref, channel_id)
                    self.update_card(channel_id, found, card, permit)
                    return found
            started = datetime.now(UTC)
            try:
                with _refusals(), door.permitting(permit):
                    posted = _without_server_retries(self._client).chat_postMessage(
                        channel=channel_id, **NO_PREVIEWS, **render.card(card)
                    )
                    return str(posted["ts"])
            except SlackRefused as refused:
                if not refused.transient or attempt == CARD_TRIES - 1 or not card.ref:
                    raise
                log.warning("no answer to the card of %s (%s): looking for it", card.ref, refused.code)
                since = since or started
                time.sleep(CARD_BACKOFF * 2**attempt)
        raise AssertionError("unreachable: the last try raises or returns")

    def _find_card(self, channel_id: str, card: Card, since: datetime) -> str | None:
        """The ts of the item's card in the channel, posted since `since` (by the machine's clock, which
        Slack's timestamps follow), if Liaison posted one."""
        cursor = ""
        with _refusals():
            while True:
                page = self._client.conversations_history(
                    channel=channel_id,
                    oldest=f"{since.timestamp() - 60:.6f}",  # a minute's leeway for clocks
                    include_all_metadata=True,
                    limit=HISTORY_PAGE,
                    cursor=cursor or None,
                )
                for message in page.get("messages") or []:
                    mine = self._bot_user_id is None or message.get("user") == self._bot_user_id
                    if mine and render.is_card_of(message, card):
                        return str(message["ts"])
                cursor = (page.get("response_metadata") or {}).get("next_cursor") or ""
                if not cursor:
                    return None

    def update_card(self, channel_id: str, ts: str, card: Card, permit: Permit) -> None:
        with _refusals(), door.permitting(permit):
            self._client.chat_update(channel=channel_id, ts=ts, **render.card(card))

    def post_in_thread(
        self,
        channel_id: str,
        thread_ts: str,
        text: str,
        permit: Permit,
        buttons: tuple[Button, ...] = (),
    ) -> None:
        with _refusals(), door.permitting(permit):
            # A plain line is sent as text (it is short); buttons need blocks.
            shown = render.message(text, buttons) if buttons else {"text": render.slack_words(text)}
            self._client.chat_postMessage(
                channel=channel_id, thread_ts=thread_ts, reply_broadcast=False, **NO_PREVIEWS, **shown
            )

    def delete_card(self, channel_id: str, ts: str) -> None:
        with _refusals():
            self._client.chat_delete(channel=channel_id, ts=ts)

    def tell(self, user_id: str, text: str) -> bool:
        return notify.dm(self._client, user_id, text)

    def send_dm(
        self, user_id: str, text: str, buttons: tuple[Button, ...] = (), images: tuple[Image, ...] = ()
    ) -> None:
        first, *rest = render.messages(text, buttons, images)
        with _refusals():  # a person's ID as the channel posts in the app's direct messages with them
            self._client.chat_postMessage(channel=user_id, **first)
        for part in rest:
            # Once a part went, nothing raises: a caller trying the whole again would send it twice.
            try:
                with _refusals():
                    self._client.chat_postMessage(channel=user_id, **part)
            except SlackRefused as refused:
                log.warning("a long direct message was cut short: Slack refused a part (%s)", refused.code)
                with suppress(SlackRefused), _refusals():
                    cut = f"Slack refused the rest of this message ({refused.code}), so it ends here."
                    self._client.chat_postMessage(channel=user_id, text=cut)
                return

    def upload_image(self, filename: str, content: bytes, readable: str) -> str:
        with _refusals():
            try:
                return self._client.upload(None, filename, content, readable, "")
            except httpx.HTTPError as exc:  # Slack's upload address would not take the bytes
                raise SlackRefused("upload_failed") from exc

    def send_file(
        self, user_id: str, filename: str, content: str | bytes, comment: str, readable: str = ""
    ) -> None:
        data, text = (content, readable) if isinstance(content, bytes) else (content.encode("utf-8"), content)
        with _refusals():
            channel = self._client.conversations_open(users=user_id)["channel"]["id"]
            try:
                self._client.upload(channel, filename, data, text, comment)
            except httpx.HTTPError as exc:  # Slack's upload address would not take the bytes
                raise SlackRefused("upload_failed") from exc

    def publish_home(self, user_id: str, home: Home) -> None:
        with _refusals():
            self._client.views_publish(user_id=user_id, view=render.home(home))

    def saw_home(self, user_id: str) -> None:
        with self._lock:
            self._home_viewers.add(user_id)

    def has_seen_home(self, user_id: str) -> bool:
        with self._lock:
            return user_id in self._home_viewers

    def link(self, channel_id: str, ts: str) -> str:
        return f"{self._url}archives/{channel_id}/p{ts.replace('.', '')}"

    def permalink(self, channel_id: str, ts: str) -> str:
        with _refusals():  # a deleted message is `message_not_found`, for the caller to decide on
            return str(self._client.chat_getPermalink(channel=channel_id, message_ts=ts)["permalink"])

    def _user(self, user_id: str) -> dict[str, Any]:
        def lookup() -> dict[str, Any]:
            try:
                return dict(self._client.users_info(user=user_id)["user"])
            except SlackApiError as exc:
                # A person of another organization may be invisible to us: Slack then will not say.
                if exc.response.get("error") in ("user_not_found", "user_not_visible"):
                    return {}
                raise

        return self._cached(("user", user_id), lookup)

    def teams_reading(self, channel_id: str, max_age: float | None = None) -> frozenset[str]:
        """Every team whose people read the channel, the home team included (for the door); `max_age`: an
        answer older than this many seconds is asked again."""
        return self.place(channel_id, max_age=max_age).external_teams | {self._home}

    def place(self, channel_id: str, *, fresh: bool = False, max_age: float | None = None) -> Place:
        if fresh:
            with self._lock:
                self._cache.pop(("channel", channel_id), None)
        return self._cached(("channel", channel_id), lambda: self._place(channel_id), max_age)

    def _place(self, channel_id: str) -> Place:
        try:
            info = self._client.conversations_info(channel=channel_id)["channel"]
        except SlackApiError as exc:
            if exc.response.get("error") in ("channel_not_found", "not_in_channel", "missing_scope"):
                raise InvalidInput(
                    _UNSEEN_DM if channel_id.startswith("D") else _UNSEEN.format(channel_id)
                ) from exc
            if is_transient(exc):
                raise SlackRefused(str(exc.response.get("error")), transient=True) from exc
            raise
        except (SlackClientError, OSError) as exc:
            raise SlackRefused("unreachable", transient=True) from exc
        teams: set[str] = (
            set(info.get("shared_team_ids") or [])
            | set(info.get("connected_team_ids") or [])
            | set(info.get("pending_connected_team_ids") or [])  # an invitation may be accepted any moment
        )
        if info.get("is_im"):
            kind = ChannelKind.dm
            teams.add(self.team_of(info["user"]) or "")
        else:
            kind = (
                ChannelKind.private if info.get("is_private") or info.get("is_group") else ChannelKind.public
            )
        if info.get("conversation_host_id"):
            teams.add(info["conversation_host_id"])
        external = teams - {self._home, ""}
        if not external and (info.get("is_ext_shared") or info.get("is_pending_ext_shared")):
            external = {UNIDENTIFIED_TEAM}  # shared, but Slack did not say with whom: assume a stranger
        # Slack says is_member of channels; of a DM it is reading, Liaison is one end.
        member = bool(info.get("is_member", True))
        return Place(channel_id=channel_id, kind=kind, external_teams=frozenset(external), member=member)

    def _fresh(self, key: tuple[str, str], max_age: float | None = None) -> bool:
        """Whether the cache holds an answer younger than the cache's time to live, or than `max_age`
        (call with the lock held)."""
        hit = self._cache.get(key)
        age = self._ttl if max_age is None else min(self._ttl, max_age)
        return hit is not None and time.monotonic() - hit[0] < age

    def _cached(self, key: tuple[str, str], lookup: Callable[[], T], max_age: float | None = None) -> T:
        now = time.monotonic()
        with self._lock:
            if self._fresh(key, max_age):
                return self._cache[key][1]
        value = lookup()  # outside the lock: a slow Slack call must not hold up other threads
        with self._lock:
            self._cache[key] = (now, value)
        return value


def _without_server_retries(client: LiaisonWebClient) -> LiaisonWebClient:
    """The same client (its door, its pacer), retrying only 429s, where Slack did nothing and says when to
    come back. A card's post is retried by post_card, after looking for the card, never blindly: a 5xx or
    a dropped connection may come after Slack took the message, and a blind retry posts a second card."""
    once = copy.copy(client)
    once.retry_handlers = [h for h in client.retry_handlers if isinstance(h, RateLimitErrorRetryHandler)]
    return once


# Errors Slack answers when it is itself in trouble; a later call may succeed.
TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


def is_transient(exc: SlackApiError) -> bool:
    status = exc.response.status_code if exc.response is not None else 0
    return status == 429 or status >= 500 or exc.response.get("error") in TRANSIENT_ERRORS


@contextmanager
def _refusals() -> Iterator[None]:
    try:
        yield
    except GuardRefused as exc:
        raise SlackRefused(GUARD_REFUSED, explanation=exc.explanation) from exc
    except SlackApiError as exc:
        raise SlackRefused(str(exc.response.get("error") or "unknown"), transient=is_transient(exc)) from exc
    except (SlackClientError, OSError) as exc:  # Slack unreachable even after the client's retries
        raise SlackRefused("unreachable", transient=True) from exc
