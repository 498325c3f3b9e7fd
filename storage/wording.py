"""What the domain's messages name that only a front end knows how to write: a command to type, and a
person. Storage marks them (`command("liaison partner add")`, `person("U123")`); the Slack side spells
them as `/liaison partner add` and a mention (bot/render.slack_words), what is stored as words (as_words).

The marks are two characters of Unicode's private use area, which nobody's text carries: commands/format
drops them from people's own words, so no one can make a mark of their own."""

from __future__ import annotations

import re
from collections.abc import Callable

OPEN, CLOSE = "\ue000", "\ue001"
_MARKED = re.compile(f"{OPEN}(command|person) ([^{CLOSE}]*){CLOSE}")


def command(words: str) -> str:
    """A command to type, without its front end's spelling: "liaison partner edit legal-aid"."""
    return f"{OPEN}command {words}{CLOSE}"


def person(user_id: str) -> str:
    return f"{OPEN}person {user_id}{CLOSE}"


def spelled(text: str, command: Callable[[str], str], person: Callable[[str], str]) -> str:
    """`text` with its marks written out by the front end's own `command` and `person`."""
    return _MARKED.sub(lambda m: command(m[2]) if m[1] == "command" else person(m[2]), text)


def unmarked(text: str) -> str:
    """Someone's own words, with any mark character dropped."""
    return text.replace(OPEN, "").replace(CLOSE, "")


def as_words(text: str) -> str:
    """For what is stored (history notes, audit reasons), the command line and logs: commands as the
    slash command a person types, `/liaison ...`, people by their IDs."""
    return spelled(text, lambda words: f"`/{words}`", lambda user_id: user_id)
