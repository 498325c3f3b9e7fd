"""Does a text identify a client? The one detector behind every check: what people type is screened
with it before anything is stored, and the guard at the door screens every outbound write with it.

It reads the text normalized (storage/normalize.py), so other spellings of the same characters are the
same text, and then looks for each class of identifier with a maintained library where there is one:
phone numbers with Google's libphonenumber (`phonenumbers`), street suffixes from the USPS table in
`pyap`, do-not-post names with rapidfuzz (storage/names.py); the rest with patterns tested on the
labelled corpus in bench/corpus/. Conservative: a false alarm costs an edit, a miss cannot be taken
back from a partner's workspace.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher, PhoneNumberType

from storage import patterns
from storage.names import NameList
from storage.normalize import Normalized, normalize
from storage.patterns import Span


class Identifier(StrEnum):
    """The classes of identifier, as a person is told of them."""

    ssn = "a social security number"
    birth_date = "a date of birth"
    phone = "a phone number"
    email = "an email address"
    address = "a street address"
    a_number = "an immigration A-number"
    case_number = "a case number"
    do_not_post = "a name on the do-not-post list"


# Never posted where another organization reads, whatever the consent: the office's own reference for
# the case, and the people it has said must never be named.
NEVER_SHARED = frozenset({Identifier.case_number, Identifier.do_not_post})


@dataclass(frozen=True)
class Finding:
    what: Identifier
    start: int  # in the text as typed
    end: int


class Detector:
    """The office's detector: the common classes, plus its own case-number pattern and do-not-post names
    (LIAISON_CASE_NUMBER_PATTERN, LIAISON_DO_NOT_POST). Built once at start and passed to whoever screens."""

    def __init__(self, case_number_pattern: str | None = None, do_not_post: Sequence[str] = ()) -> None:
        self._office_cases = re.compile(case_number_pattern, re.IGNORECASE) if case_number_pattern else None
        self._names = NameList(do_not_post)

    def findings(self, text: str, case_number: str | None = None) -> list[Finding]:
        """What in `text` looks identifying, in the order it appears; `case_number` (the item's own) is
        found however it is written. Where two classes claim the same characters, the one that may never
        be shared wins."""
        if not text:
            return []
        norm = normalize(text)
        found = patterns.scan(norm.text)
        cases = found.case_number
        if self._office_cases is not None:
            cases += [m.span() for m in self._office_cases.finditer(norm.text)]
        if case_number:
            cases += [m.span() for m in patterns.loosely(case_number).finditer(norm.text)]
        spans: list[tuple[Identifier, int, int]] = [
            *((Identifier.ssn, *s) for s in found.ssn),
            *((Identifier.birth_date, *s) for s in found.birth_date),
            *((Identifier.email, *s) for s in found.email),
            *((Identifier.address, *s) for s in found.address),
            *((Identifier.a_number, *s) for s in found.a_number),
            *((Identifier.case_number, *s) for s in cases),
            *((Identifier.phone, *s) for s in [*found.phone, *_phones(norm.text, found.phone_runs, cases)]),
            *((Identifier.do_not_post, *s) for s in self._names.find(norm.text)),
        ]
        return _resolved(norm, spans)

    def masked(self, text: str, found: Sequence[Finding] | None = None) -> str:
        """The text with each finding replaced by ▇ blocks, so an explanation does not repeat it."""
        found = self.findings(text) if found is None else found
        out, last = [], 0
        for finding in sorted(found, key=lambda f: f.start):
            if finding.start < last:
                continue
            out += [text[last : finding.start], "▇" * max(3, min(12, finding.end - finding.start))]
            last = finding.end
        return "".join([*out, text[last:]])


def _phones(
    text: str, runs: Sequence[tuple[int, int]], case_numbers: Sequence[tuple[int, int]]
) -> list[Span]:
    """Personal phone numbers: what libphonenumber reads as a possible number with its area code (US by
    default, any country with a +), valid or made up (`555-123-4567` is written to be called), except
    toll-free and other service numbers a referral names to help (hotlines, agencies). Seven digits
    alone are left to patterns.local_phones, which asks for a word saying it is a number. The matcher is
    slow, so it reads only the runs of digits the scan found."""
    found = []
    for run_start, run_end in runs:
        for match in PhoneNumberMatcher(text[run_start:run_end], "US", leniency=Leniency.POSSIBLE):
            start, end = run_start + match.start, run_start + match.end
            if any(s <= start < e for s, e in case_numbers):
                continue  # `2024-001234` is a case number first
            if len(str(match.number.national_number)) < 8:
                continue
            if phonenumbers.number_type(match.number) in _SERVICE_NUMBERS:
                continue
            found.append((start, end))
    return found


_SERVICE_NUMBERS = frozenset({PhoneNumberType.TOLL_FREE, PhoneNumberType.PREMIUM_RATE, PhoneNumberType.UAN})


def _resolved(norm: Normalized, spans: list[tuple[Identifier, int, int]]) -> list[Finding]:
    """Findings in the typed text, overlaps settled in favour of the classes never shared."""
    ordered = sorted(spans, key=lambda s: (s[1], s[0] not in NEVER_SHARED, -(s[2] - s[1])))
    kept: list[tuple[Identifier, int, int]] = []
    for what, start, end in ordered:
        if kept and start < kept[-1][2]:
            last = kept[-1]
            if what in NEVER_SHARED and last[0] not in NEVER_SHARED:
                kept[-1] = (what, last[1], max(end, last[2]))
            else:
                kept[-1] = (last[0], last[1], max(end, last[2]))
            continue
        kept.append((what, start, end))
    return [Finding(what, *norm.span(start, end)) for what, start, end in kept]


def case_key(case_number: str) -> str:
    """A case number as consents and holds are kept: `24-cr-0113`, `24 CR 0113`, `24–CR–0113` and
    `２４CR0113` are one."""
    return re.sub(r"[^0-9A-Za-z]", "", normalize(case_number).text).upper()
