"""Slack's rate tiers, enforced only when a test switches them on (off by default, so ordinary tests are
not slowed down by retries).

Tiers come from each method's reference (facts/web_api.json): t1 1/min, t2 20/min, t3 50/min, t4 100/min,
per method per workspace. chat.postMessage (tier "special", t5) allows about one message per second per
channel with a short burst; other t5 methods are not limited here.
"""

from __future__ import annotations

import math
from collections import deque

from . import reference
from .workspace import Clock

MINUTE = 60.0
POST_WINDOW_SECONDS = 5.0  # chat.postMessage: at most POST_BURST messages per channel in this window,
POST_BURST = 5  # i.e. one per second on average with a burst of five


class RateLimiter:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.enabled = False
        self._calls: dict[tuple[str, str], deque[float]] = {}

    def _limit(self, method: str, channel: str) -> tuple[tuple[str, str], int, float] | None:
        """The bucket a call counts against, with its size and window, or None when unlimited."""
        if method == "chat.postMessage":
            return (method, channel), POST_BURST, POST_WINDOW_SECONDS
        doc = reference.method_doc(method)
        per_minute = reference.TIER_PER_MINUTE.get(doc.rate_tier if doc else "")
        return ((method, ""), per_minute, MINUTE) if per_minute else None

    def retry_after(self, method: str, channel: str = "") -> int | None:
        """Count the call; answer None when allowed, else the seconds to wait (for Retry-After)."""
        if not self.enabled:
            return None
        limit = self._limit(method, channel)
        if limit is None:
            return None
        key, size, window = limit
        now = self.clock.now()
        calls = self._calls.setdefault(key, deque())
        while calls and now - calls[0] >= window:
            calls.popleft()
        if len(calls) >= size:
            return max(1, math.ceil(window - (now - calls[0])))
        calls.append(now)
        return None
