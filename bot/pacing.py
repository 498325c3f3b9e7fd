"""Keeping bulk sends under Slack's rate limits instead of running into them: inside `bulk()` (the
scheduler's tick: a morning's digests, reminders, the outbox) each Web API call waits, if need be, until
its method (and, for chat.postMessage, its channel) has room in Slack's published budget, so they go out
at the pace Slack allows, without 429s. The few calls a person's command or click makes are never held
back: they count against the budget, and a rare 429 is waited out by the client's retry handler.

Budgets are Slack's tiers, per method per workspace (Tier 2: 20 a minute, Tier 3: 50, Tier 4: 100), and
about one chat.postMessage a second per channel with short bursts; kept at 90% so that a clock a little
off does not tip a call over. They are the app's, not a process's: the bot's front and its worker
processes, and on PostgreSQL every instance (and a `liaison tick` beside the bot), count their calls in
the database (storage/rate_budget.py); a process on its own (the tests' in-process bot, a `liaison tick`
on SQLite) counts them here."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

from storage.errors import LiaisonError

MARGIN = 0.9
TIER_PER_MINUTE = {2: 20, 3: 50, 4: 100}
# The tier of each method Liaison calls, as Slack's reference gives it (tests/test_pacing.py checks them
# against bot/sandbox/facts/web_api.json).
METHOD_TIERS = {
    "apps.connections.open": 3,
    "chat.delete": 3,
    "chat.postEphemeral": 4,
    "chat.update": 3,
    "conversations.history": 3,
    "conversations.info": 3,
    "conversations.members": 4,
    "conversations.open": 3,
    "conversations.replies": 3,
    "files.completeUploadExternal": 4,
    "files.getUploadURLExternal": 4,
    "users.info": 4,
    "users.list": 2,
    "views.open": 4,
    "views.publish": 4,
    "views.push": 4,
    "views.update": 4,
}
POSTS_PER_CHANNEL = 4  # chat.postMessage: this many per channel in any POST_WINDOW seconds
POST_WINDOW = 5.0


class Shared(Protocol):
    """A rate budget kept outside the process (storage/rate_budget.SharedBudget)."""

    def take(self, key: str, calls: int, seconds: float, *, wait_for_room: bool) -> float: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Budget:
    calls: int
    seconds: float


def budget(method: str) -> Budget | None:
    """How many calls of `method` may go in how long; None when Slack sets no per-method limit."""
    if method == "chat.postMessage":
        return Budget(POSTS_PER_CHANNEL, POST_WINDOW)
    tier = METHOD_TIERS.get(method)
    return Budget(int(TIER_PER_MINUTE[tier] * MARGIN), 60.0) if tier else None


class Pacer:
    """Sliding windows of recent calls, one per method (per method and channel for chat.postMessage)."""

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._calls: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()
        self._bulk = threading.local()
        self.waited = 0.0  # seconds spent waiting in all (tests/test_pacing.py checks the pace by it)
        self._shared: Shared | None = None

    def share(self, budget: Shared) -> None:
        """Count calls in a budget every instance shares, instead of this process's own."""
        self._shared = budget

    def close(self) -> None:
        """Before the process stops: the calls not yet counted in the shared budget are counted."""
        if self._shared is not None:
            self._shared.close()

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """Calls made by this thread inside the block wait for room."""
        self._bulk.on = True
        try:
            yield
        finally:
            self._bulk.on = False

    def wait_for_room(self, method: str, channel: str = "") -> None:
        """Count the call; in bulk, first wait until its budget has room."""
        limit = budget(method)
        if limit is None:
            return
        paced = getattr(self._bulk, "on", False)
        key = (method, channel if method == "chat.postMessage" else "")
        if self._shared is not None and self._wait_shared(key, limit, paced):
            return
        while True:
            with self._lock:
                now = self._clock()
                calls = self._calls.setdefault(key, deque())
                while calls and now - calls[0] >= limit.seconds:
                    calls.popleft()
                if len(calls) < limit.calls or not paced:
                    calls.append(now)
                    return
                wait = limit.seconds - (now - calls[0])
                self.waited += wait
            self._sleep(wait)  # outside the lock: other methods and channels go on meanwhile

    def _wait_shared(self, key: tuple[str, str], limit: Budget, paced: bool) -> bool:
        """Take a slot in the shared budget, waiting for one in bulk; False when the database can't be
        asked (the call is then paced by this process alone, rather than not at all)."""
        assert self._shared is not None
        name = ":".join(part for part in key if part)
        while True:
            try:
                wait = self._shared.take(name, limit.calls, limit.seconds, wait_for_room=paced)
            except LiaisonError:  # the database is down or busy
                return False
            if wait <= 0:
                return True
            with self._lock:
                self.waited += wait
            self._sleep(wait)
