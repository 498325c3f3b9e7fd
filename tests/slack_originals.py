"""Slack's own files, for the few tests that check the project's derived facts against them.

They are not in the repository: they are read from LIAISON_SLACK_ORACLES (default `shared/oracles` beside
the repository), and the tests that need them are skipped, with the reason shown, where they are absent.
Every other test runs on the facts in bot/sandbox/facts/ (docs/slack-facts.md).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tools import derive_slack_facts
from tools.derive_slack_facts import ORACLES_VARIABLE, oracles_folder

ORACLES = oracles_folder()

needs_slack_files = pytest.mark.skipif(
    not ORACLES.is_dir(),
    reason=f"checks against Slack's original files, which are not at {ORACLES} (set {ORACLES_VARIABLE})",
)


def original(name: str) -> Any:
    """One of Slack's files, by its path in the folder (`payloads/block_actions.json`)."""
    return json.loads((ORACLES / name).read_text(encoding="utf-8"))


def examples(name: str) -> list[dict[str, Any]]:
    """Every complete example request in one of Slack's payload files (`block_actions`)."""
    return list(derive_slack_facts.examples(ORACLES, name))
