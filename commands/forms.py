"""A form (Slack modal) as plain data: commands describe what to ask, bot/render.py draws it. Used when a
command lacks what it needs, and for reasons and outcomes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from commands.grammar import UsageError

TEXT_INPUT_LIMIT = 3000  # Slack's longest plain-text input


class FieldKind(StrEnum):
    text = "text"
    long_text = "long_text"
    choice = "choice"
    checkbox = "checkbox"
    people = "people"  # several Slack users; `values` holds the ones already chosen
    channel = "channel"  # one channel (a form opened from the Home tab asks where to post)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Field:
    key: str  # block_id; the submission's values come back under it
    label: str
    kind: FieldKind = FieldKind.text
    value: str | None = None  # pre-filled with what the person already typed
    optional: bool = False
    choices: tuple[Choice, ...] = ()
    hint: str | None = None
    max_length: int | None = None  # Slack's client stops typing there, before anything is refused
    values: tuple[str, ...] = ()  # for people: the user IDs already chosen

    @property
    def limit(self) -> int | None:
        """How many characters a text field takes (None for other kinds)."""
        if self.kind not in (FieldKind.text, FieldKind.long_text):
            return None
        return min(self.max_length or TEXT_INPUT_LIMIT, TEXT_INPUT_LIMIT)

    def fitted(self) -> Field:
        """Pre-filled with at most what the field takes (a /referral typed at length opens its form with
        the text cut to fit, rather than a form Slack refuses), its hint saying so."""
        limit = self.limit
        if limit is None or self.value is None or len(self.value) <= limit:
            return self
        said = (
            f"What you typed was {len(self.value):,} characters; this takes {limit:,}, so it was cut to "
            "fit: check its end before sending."
        )
        return replace(self, value=self.value[:limit], hint=f"{said} {self.hint or ''}".strip())


@dataclass(frozen=True)
class Form:
    callback_id: str
    title: str  # at most 24 characters
    submit: str
    fields: tuple[Field, ...]
    metadata: str = ""  # carried back with the submission (at most 3,000 characters)
    notes: tuple[str, ...] = field(default_factory=tuple)


_WORDS = ("poor", "fair", "good", "very good", "excellent")
RATINGS = tuple(Choice(str(n), f"{n} · {word}") for n, word in enumerate(_WORDS, 1))  # every "How did it go?"


def rating(key: str = "rating", label: str = "Your rating") -> Field:
    return Field(key, label, FieldKind.choice, choices=RATINGS)


def rated(values: Mapping[str, object], key: str = "rating") -> int:
    """The rating chosen under `key`; a UsageError when there is none (a form sent by hand)."""
    said = values.get(key)
    if not isinstance(said, str) or said not in {c.value for c in RATINGS}:
        raise UsageError("Choose a rating from 1 to 5.")
    return int(said)


def remark(key: str = "comment", label: str = "Anything to add (optional)") -> Field:
    """An optional free-text answer beside a rating (screened by whoever takes it)."""
    return Field(key, label, FieldKind.long_text, optional=True, max_length=1000)
