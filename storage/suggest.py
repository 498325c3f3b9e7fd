""" "Did you mean ...?" for names people type: subcommands, partner handles."""

from __future__ import annotations

import difflib
from collections.abc import Collection


def closest(word: str, choices: Collection[str]) -> str | None:
    """The choice most like `word`, if any is reasonably close."""
    close = difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.5)
    return close[0] if close else None
