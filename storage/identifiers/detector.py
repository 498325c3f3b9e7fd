"""Does a text identify a client? The one detector behind every check: what people type is screened
with it before anything is stored, and the guard at the door screens every outbound write with it.

It reads the text as it is shown (reading.py: other spellings of the same characters are the same text;
here, a Slack link as the label drawn in its place, and other readings of a whole text),
then looks for each class of identifier: numbers.py (SSNs, A-numbers, phones with Google's
libphonenumber), births.py, places.py (addresses with the USPS street types `pyap` keeps, emails),
cases.py, names.py (do-not-post names with rapidfuzz). Conservative: a false alarm costs an edit, a
miss cannot be taken back from a partner's workspace. Recall, false alarms and time are measured on the
labelled corpus in bench/corpus/ by `make bench`.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from storage.identifiers import births, cases, numbers, places
from storage.identifiers.names import NameList
from storage.identifiers.reading import SHORTCODES, Normalized, normalize
from storage.identifiers.text import Span, lowercased


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


# A card's labels and short values (a status, a need, a priority) are screened again and again, and a
# short text typed in is screened again as its card is drawn: those are read once. Longer texts seldom
# come twice.
CACHED_CHARS = 256


class Recent:
    """The findings of the texts read most recently, by a digest of the text: no client text is kept."""

    SIZE = 4096

    def __init__(self) -> None:
        self._found: OrderedDict[bytes, tuple[Finding, ...]] = OrderedDict()
        # Keyed with a secret of this process's own: a short identifier (an SSN, a phone number) could
        # otherwise be found again from a digest by trying them all.
        self._key = os.urandom(32)
        self._lock = threading.Lock()

    def get(
        self, text: str, case_number: str | None, read: Callable[[str, str | None], list[Finding]]
    ) -> tuple[Finding, ...]:
        typed = f"{case_number or ''}\0{text}".encode(errors="surrogatepass")  # what a person typed, whole
        key = hashlib.blake2b(typed, key=self._key, digest_size=16).digest()
        with self._lock:
            found = self._found.get(key)
            if found is not None:
                self._found.move_to_end(key)
                return found
        found = tuple(read(text, case_number))
        with self._lock:
            self._found[key] = found
            if len(self._found) > self.SIZE:
                self._found.popitem(last=False)
        return found


class Detector:
    """The office's detector: the common classes, plus its own case-number pattern and do-not-post names
    (LIAISON_CASE_NUMBER_PATTERN, LIAISON_DO_NOT_POST). Built once at start and passed to whoever screens."""

    def __init__(self, case_number_pattern: str | None = None, do_not_post: Sequence[str] = ()) -> None:
        self._office_cases = cases.OfficePattern(case_number_pattern) if case_number_pattern else None
        self._names = NameList(do_not_post)
        self._recent = Recent()

    def findings(self, text: str, case_number: str | None = None) -> list[Finding]:
        """What in `text` looks identifying, in the order it appears; `case_number` (the item's own) is
        found however it is written. Where two classes claim the same characters, the one that may never
        be shared wins."""
        if not text:
            return []
        if len(text) > CACHED_CHARS:
            return self._findings(text, case_number)
        return list(self._recent.get(text, case_number, self._findings))

    def _findings(self, text: str, case_number: str | None) -> list[Finding]:
        found = self._read(text, case_number)
        also = [
            f
            for other in _other_readings(text)
            for f in self._read(other, case_number)
            if f.what is not Identifier.email  # `<!subteam^S1|@legal>` read with a space is no address
        ]
        for at, link in _links(text):
            also += [
                Finding(f.what, f.start + at, f.end + at)
                for f in self._read(link.translate(_BETWEEN_WORDS_IN_A_LINK), case_number, _FOUND_IN_LINKS)
                if f.what in _FOUND_IN_LINKS
            ]
        if also:
            spans = [(f.what, (f.start, f.end)) for f in found + also]
            found = _resolved(Normalized(text, text, None), spans)
        return found

    def _read(
        self, text: str, case_number: str | None, only: frozenset[Identifier] | None = None
    ) -> list[Finding]:
        """The findings in `text`; `only`: the classes looked for besides case numbers (a link's second
        reading keeps two). Case numbers are always read: phones leave them out, and they win an overlap."""
        norm = normalize(text)
        read, lower = norm.text, lowercased(norm.text)
        stretches = numbers.digit_runs(read)
        case_spans = cases.case_numbers(lower)
        if self._office_cases is not None:
            case_spans += cases.office_numbers(self._office_cases, lower)
        if case_number:
            case_spans += [m.span() for m in cases.loosely(case_number).finditer(read)]
        # In this order: of two findings alike in where they start and end, the first listed names them.
        readers: dict[Identifier, Callable[[], list[Span]]] = {
            Identifier.ssn: lambda: numbers.ssn_spans(read, lower, stretches),
            Identifier.a_number: lambda: numbers.a_numbers(lower, stretches),
            Identifier.phone: lambda: numbers.phones(read, lower, stretches, case_spans),
            Identifier.birth_date: lambda: births.birth_dates(lower, read),
            Identifier.email: lambda: places.emails(read, lower),
            Identifier.address: lambda: places.addresses(read, lower),
            Identifier.do_not_post: lambda: self._names.find(read),
        }
        spans = [(Identifier.case_number, s) for s in case_spans]
        spans += [(what, s) for what, find in readers.items() if only is None or what in only for s in find()]
        return _resolved(norm, spans)

    def masked(self, text: str, found: Sequence[Finding] | None = None) -> str:
        """The text with each finding replaced by ▇ blocks, so an explanation does not repeat it."""
        found = self.findings(text) if found is None else found
        out, last = [], 0
        for finding in sorted(found, key=lambda f: f.start):
            start = max(finding.start, last)  # findings of several readings may overlap: mask both whole
            if finding.end <= start:
                continue
            out += [text[last:start], "▇" * max(3, min(12, finding.end - start))]
            last = finding.end
        return "".join([*out, text[last:]])


# Other readings of a whole text, each the same length as it (so what is found is found in place), screened
# beside the text as written: what any of them finds is found.
# - `|` (or `&#124;`, `%7C`) is a 1 in a disguised number (`3|2-555-0199`) as written, but separates two
#   things in a Slack link (`<tel:+13125550143|312-555-0143>`: the number, and the label shown) or a list
#   (`555-0143|555-0199`).
# - `S`, `Z` and `B` between digits stand for 5, 2 and 8 (`555-I23-4S67`); read only here, since as written
#   `24S0113` is a court's case number, which must stay one.
# - an emoji code that is not a digit (`123:small_blue_diamond:45`) is drawn as a picture between the
#   parts; as written it is letters, which a name or a word may really be (`re:maria:ortiz`).
_PIPES = re.compile(r"\||&(?:amp;)?#(?:124|x7c);|%7c", re.IGNORECASE)  # `&amp;#124;`: escaped for Slack
_INNER_LOOKALIKES = re.compile(r"[SsZzB](?<=\d[SsZzB])(?=\d)")  # the letter first: see `_DIALLED_ABROAD`
_INNER_AS_DIGIT = str.maketrans({"S": "5", "s": "5", "Z": "2", "z": "2", "B": "8"})


# - `00` before a country code is how it is dialled from abroad (`00 52 55 1234 5678`: `+52`), and Mexico's
#   mobile numbers were long written with a `1` after the `+52` (`+52 1 55 1234 5678`).
# `00` not after a time's `9:`, a price's `.` or any letter or digit. (The digits first, what stands before
# them checked after: a pattern starting with a lookbehind is tried at every position of the text, one
# starting with a literal only where it stands.)
_DIALLED_ABROAD = re.compile(r"00(?<![\w+:.,]00)(?=[\s.-]?[1-9])")
_MEXICAN_MOBILE = re.compile(r"(\+\s?52[\s.-]?)1(?=[\s.-]?\d)")
_PICTURE_CODE = re.compile(r":(?=[a-z0-9_+-]*[a-z])[a-z0-9_+-]{2,40}:")  # Slack's codes: lowercase


def _as_a_space(code: re.Match[str]) -> str:
    """An emoji code as one space, and characters that draw nothing for the rest (the length kept);
    a digit's code (`:one:`) as written, since the text as read already makes it a digit."""
    if code[0] in SHORTCODES:
        return code[0]
    return " " + "\u200b" * (len(code[0]) - 1)


# - a link with a label (`<https://...|Ortiz>`) is drawn as its label alone, joined to the words around it
#   (`Maria <https://drive...|Ortiz>` shows `Maria Ortiz`); as written, its address stands between them.
_LABELLED_LINK = re.compile(r"<(?:https?://|mailto:|tel:)[^<>|\n]*\|([^<>\n]*)>", re.IGNORECASE)
_DRAWS_NOTHING = "\u200b"  # a zero-width space: the reading drops it


def as_drawn(text: str) -> str:
    """`text` with each labelled link as Slack draws it, its label, character for character: the rest of
    the link is made of characters that draw nothing."""
    return _LABELLED_LINK.sub(
        lambda link: _DRAWS_NOTHING * (link.start(1) - link.start()) + link[1] + _DRAWS_NOTHING, text
    )


def _other_readings(text: str) -> list[str]:
    readings = []
    if "|" in text and "<" in text and (drawn := as_drawn(text)) != text:
        readings.append(drawn)
    if "|" in text or "#" in text or "%" in text:
        # One space where the pipe was, and characters that draw nothing for the rest of an escape.
        piped = _PIPES.sub(lambda pipe: " " + "\u200b" * (len(pipe[0]) - 1), text)
        if piped != text:
            readings.append(piped)
    if ":" in text and (pictures := _PICTURE_CODE.sub(_as_a_space, text)) != text:
        readings.append(pictures)
    if "00" in text or "52" in text:
        dialled = _MEXICAN_MOBILE.sub(lambda m: m[1] + " ", _DIALLED_ABROAD.sub("+ ", text))
        if dialled != text:
            readings.append(dialled)
    if _INNER_LOOKALIKES.search(text):
        readings.append(_INNER_LOOKALIKES.sub(lambda m: m[0].translate(_INNER_AS_DIGIT), text))
    return readings


# A link read again on its own with what stands between words in it as spaces
# (`maps.google.com/?q=1234+Elm+St`), for where someone lives or can be called: other classes read this
# way are mostly a link's own numbers (a docket's, a map's coordinates), and are found as written anyway.
# (Lowercase, run on the text lowercased: a pattern matched without regard to case is tried at every
# position, one starting with literals only where they stand.)
_LINK = re.compile(r"<[^<>\n]*>|(?:https?://|www\.|maps\.)[^\s<>]+")
_BETWEEN_WORDS_IN_A_LINK = str.maketrans(dict.fromkeys("|+/=?&#:", " "))
_FOUND_IN_LINKS = frozenset({Identifier.address, Identifier.phone})
_PATH_OR_QUERY = re.compile(r"[+/=?&]")


def _links(text: str) -> list[tuple[int, str]]:
    """The links in the text, each where it starts: Slack's (`<https://...|label>`), or as typed (with or
    without a scheme)."""
    lower = lowercased(text)
    if "<" not in text and "://" not in text and "www." not in lower and "maps." not in lower:
        return []
    links = [(link.start(), text[link.start() : link.end()]) for link in _LINK.finditer(lower)]
    # Only a link with a path or a query has words to separate (a `<tel:...|...>` or a mention has none).
    return [(at, link) for at, link in links if _PATH_OR_QUERY.search(link.split("://", 1)[-1])]


def _resolved(norm: Normalized, spans: list[tuple[Identifier, Span]]) -> list[Finding]:
    """Findings in the typed text, overlaps settled in favour of the classes never shared."""
    ordered = sorted(spans, key=lambda s: (s[1][0], s[0] not in NEVER_SHARED, s[1][0] - s[1][1]))
    kept: list[tuple[Identifier, int, int]] = []
    for what, (start, end) in ordered:
        if kept and start < kept[-1][2]:
            last = kept[-1]
            winner = what if what in NEVER_SHARED and last[0] not in NEVER_SHARED else last[0]
            kept[-1] = (winner, last[1], max(end, last[2]))
            continue
        kept.append((what, start, end))
    return [Finding(what, *norm.span(start, end)) for what, start, end in kept]


def case_key(case_number: str) -> str:
    """A case number as consents and holds are kept: `24-cr-0113`, `24 CR 0113`, `24–CR–0113` and
    `２４CR0113` are one."""
    return re.sub(r"[^0-9A-Za-z]", "", normalize(case_number).text).upper()
