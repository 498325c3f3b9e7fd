"""Two changes to one item close together: the card ends showing the later one, whichever of their
redraws Slack applies last."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from bot.sandbox import Message, Sandbox, visible_text
from storage.item_tables import Referral
from tests.databases import BACKENDS
from tests.inprocess import InProcessBot, in_process_bot
from tests.office import DEFENDER, PARTNER_USER, SHARED_CHANNEL, add_legal_aid, command, office


@pytest.fixture(params=BACKENDS)
def bot(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Sandbox, InProcessBot]]:
    with office() as slack, in_process_bot(slack, tmp_path, request.param) as running:
        add_legal_aid(slack, running)
        yield slack, running


def _card(slack: Sandbox) -> Message:
    return next(m for m in slack.messages(SHARED_CHANNEL) if m.text.startswith("R-1"))


def _stored(running: InProcessBot) -> str:
    with running.db.session() as session:
        return next(r.status for r in session.exec(select(Referral)).all() if r.ref == "R-1")


def _status(slack: Sandbox) -> str:
    return visible_text(_card(slack)).split("Status")[1][:24]


def test_a_redraw_that_reaches_slack_last_does_not_show_an_older_status(
    bot: tuple[Sandbox, InProcessBot],
) -> None:
    slack, running = bot
    sent = command(slack, running, DEFENDER, SHARED_CHANNEL, "/referral", "need:housing Two changes at once.")
    assert sent.startswith("Sent *R-1*"), sent
    updates = len(slack.calls("chat.update"))
    slack.slow("chat.update", 1.5, times=1)  # the accept's redraw reaches the card after the cancel's
    accepted = slack.click(PARTNER_USER, SHARED_CHANNEL, _card(slack).ts, "referral.move.accepted")
    assert accepted.acked
    slack.wait_for(lambda: _stored(running) == "accepted", message="the accept stored, its redraw held")
    # Typed while the accept's redraw is still on its way (the tests' `command` would wait for it first).
    typed = slack.slash_command(DEFENDER, SHARED_CHANNEL, "/referral", "cancel R-1 reason:duplicate")
    assert typed.acked
    slack.wait_for(lambda: _stored(running) == "cancelled", message="the cancel stored")
    # The cancel's redraw, the accept's late one, and the accept's second look, which draws it again.
    redrawn = lambda: len(slack.calls("chat.update")) >= updates + 3  # noqa: E731
    slack.wait_for(redrawn, timeout=10, message="three redraws")
    assert "cancelled" in _status(slack), visible_text(_card(slack))
