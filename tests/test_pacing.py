"""The bot's own rate budgets (bot/pacing.py) against Slack's method catalog, and the pacer's arithmetic
on a clock the test moves."""

from __future__ import annotations

import pytest

from bot import pacing
from bot.manifest import BOT_METHODS
from bot.sandbox import reference


@pytest.mark.parametrize("method", BOT_METHODS)
def test_every_method_the_bot_calls_is_paced_at_its_catalog_tier(method: str) -> None:
    doc = reference.method_doc(method)
    assert doc is not None
    tier = doc.rate_tier
    if tier == "t5":  # "special": chat.postMessage per channel; the others have no per-method tier
        assert method not in pacing.METHOD_TIERS
        return
    assert f"t{pacing.METHOD_TIERS[method]}" == tier, f"{method} is {tier} in Slack's catalog"
    limit = pacing.budget(method)
    assert limit is not None and limit.calls < reference.TIER_PER_MINUTE[tier] and limit.seconds == 60


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_calls_wait_only_when_their_budget_is_spent() -> None:
    time = FakeTime()
    pacer = pacing.Pacer(time.clock, time.sleep)
    limit = pacing.budget("conversations.info")
    assert limit is not None
    for _ in range(limit.calls):
        pacer.wait_for_room("conversations.info")  # a person's commands: counted, never held back
    with pacer.bulk():
        pacer.wait_for_room("users.info")
        pacer.wait_for_room("auth.test")
        assert time.slept == [], "other methods, and unlimited ones, are not held up"
        time.now += 10
        pacer.wait_for_room("conversations.info")
    assert time.slept == [50.0], "the next bulk call waits until the oldest leaves the minute"
    pacer.wait_for_room("conversations.info")
    assert time.slept == [50.0], "outside bulk, nothing waits"


def test_posts_are_paced_per_channel() -> None:
    time = FakeTime()
    pacer = pacing.Pacer(time.clock, time.sleep)
    with pacer.bulk():
        for _ in range(pacing.POSTS_PER_CHANNEL):
            pacer.wait_for_room("chat.postMessage", "C1")
        pacer.wait_for_room("chat.postMessage", "C2")
        assert time.slept == []
        pacer.wait_for_room("chat.postMessage", "C1")
    assert time.slept == [pacing.POST_WINDOW]
    assert pacer.waited == pacing.POST_WINDOW
