"""An entry as typed (a form, a command, an imported row), read field by field: every problem is noted
with what to do about it, so a form can show each beside its field and an import can report each line."""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from storage.library_tables import (
    DEFAULT_REVIEW_MONTHS,
    LIMITS,
    REVIEW_MONTHS,
    REVIEW_RANGE,
    Audience,
    CourtLevel,
    ResourceKind,
)

# What a person types for an entry (a form's fields, a command's keys), in the order forms and files
# show them.
TYPED = (
    "kind",
    "title",
    "summary",
    "link",
    "topics",
    "jurisdiction",
    "court_level",
    "audience",
    "partners",
    "review_months",
)


@dataclass
class Draft:
    """An entry as typed, checked field by field: `problems` maps a field to what is wrong with it."""

    kind: str = ""
    title: str = ""
    summary: str = ""
    link: str | None = None
    topics: list[str] = field(default_factory=list)
    jurisdiction: str | None = None
    court_level: str = CourtLevel.any
    audience: str = Audience.agreement
    readers: list[str] = field(default_factory=list)  # partner handles, for Audience.partners
    review_months: int | None = None
    expertise: str | None = None
    contact: str | None = None
    testimony: str | None = None
    problems: dict[str, str] = field(default_factory=dict)

    def texts(self) -> dict[str, str]:
        """Every free-text field, for the identifier guard."""
        fields = ("title", "summary", "link", "jurisdiction", "expertise", "contact", "testimony")
        return {name: str(getattr(self, name)) for name in fields if getattr(self, name)}


def review_months_for(kind: str, months: int | None) -> int:
    return months or REVIEW_MONTHS.get(ResourceKind(kind), DEFAULT_REVIEW_MONTHS)


def review_due(verified: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has fewer days)."""
    years, month = divmod(verified.month - 1 + months, 12)
    year = verified.year + years
    return verified.replace(
        year=year, month=month + 1, day=min(verified.day, calendar.monthrange(year, month + 1)[1])
    )


def draft(values: dict[str, str | None], topics: Sequence[str]) -> Draft:
    """Read an entry's fields (from a form, a command or an imported row), noting every problem."""
    found = Draft()
    problems = found.problems

    def text(name: str, *, required: bool = False) -> str | None:
        value = (values.get(name) or "").strip()
        if not value:
            if required:
                problems[name] = f"An entry needs its {name}."
            return None
        if len(value) > LIMITS[name]:
            problems[name] = f"The {name} is {len(value)} characters; keep it to {LIMITS[name]}."
        return value

    kind = (values.get("kind") or "").strip().lower()
    if kind not in ResourceKind.__members__.values():
        choices = ", ".join(k.value for k in ResourceKind)
        problems["kind"] = (
            f"`{kind}` is not a kind of entry; use one of {choices}."
            if kind
            else (f"Choose the kind of entry: {choices}.")
        )
    found.kind = kind
    found.title = text("title", required=True) or ""
    found.summary = text("summary", required=True) or ""
    found.jurisdiction = text("jurisdiction")
    found.expertise = text("expertise", required=kind == ResourceKind.expert)
    found.contact = text("contact")
    found.testimony = text("testimony")
    found.link = _link(values.get("link"), problems, required=kind not in ("", ResourceKind.expert))
    found.topics = _topics(values.get("topics"), topics, problems)
    level = (values.get("court_level") or CourtLevel.any).strip().lower()
    if level not in CourtLevel.__members__.values():
        problems["court_level"] = f"`{level}` is not a court level; use one of {', '.join(CourtLevel)}."
    found.court_level = level
    audience = (values.get("audience") or Audience.agreement).strip().lower()
    if audience not in Audience.__members__.values():
        problems["audience"] = f"`{audience}` is not an audience; use one of {', '.join(Audience)}."
    found.audience = audience
    found.readers = [
        h.strip().lower() for h in re.split(r"[,\s]+", values.get("partners") or "") if h.strip()
    ]
    if audience == Audience.partners and not found.readers:
        problems["partners"] = "Name the partners who may see it (their handles, comma-separated)."
    found.review_months = _months(values.get("review_months"), problems)
    return found


def _link(value: str | None, problems: dict[str, str], *, required: bool) -> str | None:
    link = (value or "").strip().strip("<>")
    if not link:
        if required:
            problems["link"] = "An entry needs a link: an https address, or a Slack file's link."
        return None
    try:
        parts = urlsplit(link)
    except ValueError:  # `https://[abc/x.pdf`: a bracket Python reads as the start of an IPv6 address
        parts = urlsplit("")
    if (
        parts.scheme.lower() != "https"
        or not parts.netloc
        or any(c.isspace() for c in link)
        or len(link) > 2000
    ):
        problems["link"] = (
            f"`{link[:80]}` is not an https link; paste the document's https address (a Slack file's "
            "link starts with https:// too)."
        )
        return None
    return link


def _topics(value: str | None, known: Sequence[str], problems: dict[str, str]) -> list[str]:
    typed = [t.strip().lower() for t in re.split(r"[,;]+", value or "") if t.strip()]
    unknown = [t for t in typed if t not in known]
    if unknown:
        problems["topics"] = (
            f"Not topics Liaison knows: {', '.join(f'`{t}`' for t in unknown)}. "
            f"Use some of: {', '.join(known)}."
        )
    return list(dict.fromkeys(t for t in typed if t in known))


def _months(value: str | None, problems: dict[str, str]) -> int | None:
    typed = (value or "").strip().lower().removesuffix("months").removesuffix("month").strip()
    if not typed:
        return None
    if not re.fullmatch(r"[0-9]{1,3}", typed) or int(typed) not in REVIEW_RANGE:  # ASCII: not `²`
        problems["review_months"] = (
            f"`{value}` is not a review interval; give a number of months from {REVIEW_RANGE.start} to "
            f"{REVIEW_RANGE.stop - 1}."
        )
        return None
    return int(typed)
