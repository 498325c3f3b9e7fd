"""Does text look like it identifies a client? Checked before anything is posted where another
organization reads it (DESIGN: Confidentiality). Conservative: a false alarm costs an edit; a miss
cannot be taken back from a partner's workspace."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

CASE_NUMBER = "a case number"  # never posted, whatever the consent: it is the office's internal reference
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a social security number", re.compile(r"\b\d{3}-\d{2}-\d{4}\b")),
    ("a date of birth", re.compile(r"\b(dob|d\.o\.b\.|born|date of birth)\b[:\s]*\S+", re.IGNORECASE)),
    ("a phone number", re.compile(r"(?<!\d)(\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}(?!\d)")),
    ("an email address", re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")),
    (
        "a street address",
        re.compile(
            r"\b\d{1,6}\s+\w+(\s\w+)?\s+(st|street|ave|avenue|rd|road|blvd|lane|ln|dr|drive)\b", re.IGNORECASE
        ),
    ),
    (CASE_NUMBER, re.compile(r"\b\d{2}[\s/-][A-Z]{1,4}[\s/-]\d{3,}\b", re.IGNORECASE)),
)


@dataclass(frozen=True)
class Finding:
    what: str
    start: int
    end: int


DO_NOT_POST = "a name on the do-not-post list"
_office: list[tuple[str, re.Pattern[str]]] = []  # the office's own rules, set once at start by configure()


def configure(case_number_pattern: str | None, do_not_post: Sequence[str]) -> None:
    """The office's own rules (LIAISON_CASE_NUMBER_PATTERN, LIAISON_DO_NOT_POST), for this process: its case
    numbers as it writes them, and names that must never be posted (a client in the news, a witness)."""
    rules = []
    if case_number_pattern:
        rules.append((CASE_NUMBER, re.compile(case_number_pattern, re.IGNORECASE)))
    for name in do_not_post:
        words = [re.escape(w) for w in name.split()]
        rules.append((DO_NOT_POST, re.compile(r"\b" + r"\s+".join(words) + r"\b", re.IGNORECASE)))
    _office[:] = rules


def findings(text: str, case_number: str | None = None) -> list[Finding]:
    """What in `text` looks identifying; `case_number` (the item's own) is found however it is written."""
    rules = [*_PATTERNS, *_office]
    found = [Finding(what, m.start(), m.end()) for what, pattern in rules for m in pattern.finditer(text)]
    if case_number:
        found += [Finding(CASE_NUMBER, m.start(), m.end()) for m in _loosely(case_number).finditer(text)]
    return sorted(found, key=lambda f: f.start)


def case_key(case_number: str) -> str:
    """A case number as consents and holds are kept: `24-cr-0113`, `24 CR 0113` and `24CR0113` are one."""
    return re.sub(r"[^0-9A-Za-z]", "", case_number).upper()


def _loosely(case_number: str) -> re.Pattern[str]:
    """`24-CR-0113` also as `24 cr 0113`, `24CR0113`, `24/cr/0113`."""
    parts = [re.escape(c) for c in re.sub(r"[^0-9A-Za-z]", "", case_number)]
    return re.compile(r"[\s./_-]*".join(parts), re.IGNORECASE)


def masked(text: str, found: list[Finding]) -> str:
    """The text with each finding replaced by ▇ blocks, so the explanation does not repeat it."""
    out, last = [], 0
    for finding in found:
        if finding.start < last:
            continue
        out += [text[last : finding.start], "▇" * max(3, finding.end - finding.start)]
        last = finding.end
    return "".join([*out, text[last:]])
