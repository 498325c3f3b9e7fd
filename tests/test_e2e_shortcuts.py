"""A message shortcut through the real bot as a process, `liaison run` over HTTP (every request signed as
Slack signs it) and over Socket Mode: Refer to a partner opens its form prefilled from the message with
what the guard found, the referral is sent from it, and the message's thread gets its ID and link. The
same check tests/test_shortcuts.py runs against the bot in this process on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import test_shortcuts
from tests.office import office, running_bot

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("backend", "via"), [("postgresql", "http"), ("sqlite", "socket")])
def test_refer_to_a_partner(tmp_path: Path, backend: str, via: str) -> None:
    module = test_shortcuts
    with office() as slack:
        module.workspace(slack)
        with running_bot(slack, tmp_path, backend, via) as bot:
            module.set_up(slack, bot)
            module.test_refer_to_a_partner_prefills_the_form_shows_the_guard_and_answers_in_the_thread(
                slack, bot
            )
