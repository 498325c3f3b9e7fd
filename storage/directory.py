"""The partner directory's fields: one table used by `/liaison partner add|edit`, the YAML file and its
export, so the three can never disagree on a key's name or meaning."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from storage.errors import InvalidInput
from storage.models import PartnerKind, PartnerStatus

HANDLE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
_TEAM = re.compile(r"^[TE][A-Z0-9]{2,}$")
_USER = re.compile(r"^<?@?([UW][A-Z0-9]{2,})(?:\|[^>]*)?>?$")
_CHANNEL = re.compile(r"^<?#?([CG][A-Z0-9]{2,})(?:\|[^>]*)?>?$")
_CATEGORY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def check_handle(handle: str) -> str:
    if not HANDLE.match(handle):
        raise InvalidInput(
            f"`{handle}` can't be a partner handle: use 2 to 40 lowercase letters, digits and dashes, "
            "like `legal-aid`."
        )
    return handle


def _items(value: Any) -> list[str]:
    """A list from YAML, or a comma-separated string from Slack."""
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def _text(limit: int) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = str(value).strip()
        if not text or len(text) > limit:
            raise ValueError(f"needs 1 to {limit} characters")
        return text

    return parse


def _choice(enum: type[StrEnum]) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = str(value).strip().lower()
        if text not in {member.value for member in enum}:
            raise ValueError(f"must be one of {', '.join(m.value for m in enum)}")
        return text

    return parse


def _choices(enum: type[StrEnum]) -> Callable[[Any], list[str]]:
    one = _choice(enum)

    def parse(value: Any) -> list[str]:
        return sorted({one(item) for item in _items(value)})

    return parse


def _matching(pattern: re.Pattern[str], what: str) -> Callable[[Any], list[str]]:
    def parse(value: Any) -> list[str]:
        found = []
        for item in _items(value):
            match = pattern.match(item)
            if not match:
                raise ValueError(f"`{item}` is not {what}")
            found.append(match.group(1) if match.groups() else item)
        return list(dict.fromkeys(found))

    return parse


def _date(value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"`{value}` is not a date; write it as YYYY-MM-DD, like 2027-06-30") from None


def _yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("yes", "y", "true", "on"):
        return True
    if text in ("no", "n", "false", "off"):
        return False
    raise ValueError("must be yes or no")


@dataclass(frozen=True)
class DirectoryField:
    key: str  # as typed in Slack and in the YAML file
    attribute: str  # on Partner ("teams" is kept in its own table)
    label: str  # how `partner show` titles it
    meaning: str  # for help and error messages
    parse: Callable[[Any], Any]


_KINDS = ", ".join(k.value for k in PartnerKind)
FIELDS: tuple[DirectoryField, ...] = (
    DirectoryField("name", "name", "Name", "the organization's name", _text(200)),
    DirectoryField("kind", "kind", "Kind", f"one of {_KINDS}", _choice(PartnerKind)),
    DirectoryField(
        "team",
        "teams",
        "Slack teams",
        "its Slack team ID, like T0123ABC (repeat for several)",
        _matching(_TEAM, "a Slack team ID like T0123ABC"),
    ),
    DirectoryField(
        "services",
        "services",
        "Services",
        "need categories it serves, comma-separated: housing,benefits",
        _matching(_CATEGORY, "a need category (lowercase, like housing)"),
    ),
    DirectoryField(
        "channels",
        "contact_channels",
        "Contact channels",
        "its contact channels, comma-separated",
        _matching(_CHANNEL, "a channel"),
    ),
    DirectoryField(
        "contacts",
        "contacts",
        "Contacts",
        "its contact people, comma-separated @mentions",
        _matching(_USER, "a person (@mention or user ID)"),
    ),
    DirectoryField("mou", "mou_ref", "MOU", "the agreement's reference, like MOU-2025-04", _text(100)),
    DirectoryField(
        "mou_starts", "mou_starts", "MOU starts", "the day the agreement starts, YYYY-MM-DD", _date
    ),
    DirectoryField(
        "mou_expires", "mou_expires", "MOU expires", "the day the agreement ends, YYYY-MM-DD", _date
    ),
    DirectoryField(
        "scope",
        "scope",
        "May receive",
        "what it may receive, comma-separated: referral,consult,advocacy",
        lambda value: sorted({str(item).strip().lower() for item in _items(value)}),
    ),
    DirectoryField(
        "identifying",
        "identifying_allowed",
        "Identifying details may be shared",
        "yes if identifying client details may be shared with it (with consent)",
        _yes_no,
    ),
    DirectoryField("status", "status", "Status", "active or inactive", _choice(PartnerStatus)),
    DirectoryField("slack", "on_slack", "Uses Slack", "yes if the partner uses Slack", _yes_no),
)
BY_KEY = {f.key: f for f in FIELDS}
KEYS = frozenset(BY_KEY)
REQUIRED = ("name", "kind")


def parse_field(key: str, value: Any, scopes: Collection[str]) -> tuple[str, Any]:
    """(attribute, value) for one key, or InvalidInput naming the key, the problem and the fix. `scopes`
    are the kinds of item an agreement may cover (the kinds Liaison knows: commands/kinds/)."""
    field = BY_KEY.get(key)
    if field is None:
        raise InvalidInput(f"`{key}` is not a partner field; the fields are {', '.join(BY_KEY)}.", key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidInput(f"`{key}` is empty: give {field.meaning}.", key)
    try:
        parsed = field.parse(value)
        if key == "scope" and any(s not in scopes for s in parsed):
            raise ValueError(f"must be one of {', '.join(scopes)}")  # the words it always had
        return field.attribute, parsed
    except ValueError as exc:
        # Parsers explain either the rule ("must be yes or no") or the value ("`soon` is not a date ...").
        joiner = ": " if str(exc).startswith("`") else " "
        raise InvalidInput(f"`{key}`{joiner}{exc}.", key) from None


def parse_fields(values: Iterable[tuple[str, Any]], scopes: Collection[str]) -> dict[str, Any]:
    """Typed attributes from (key, value) pairs; repeated `team` keys are merged."""
    parsed: dict[str, Any] = {}
    for key, value in values:
        attribute, typed = parse_field(key, value, scopes)
        if attribute == "teams" and "teams" in parsed:
            typed = list(dict.fromkeys([*parsed["teams"], *typed]))
        parsed[attribute] = typed
    return parsed
