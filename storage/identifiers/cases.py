"""Case numbers: the office's internal reference for a client's case, never posted where another
organization reads, whatever the consent. The item's own case number is found however it is written;
so are the shapes courts give their numbers, and the office's own pattern (LIAISON_CASE_NUMBER_PATTERN)
whatever separators stand between its parts, its letters spelled apart (`P.D. 123456`) or the number
called one (`PD no. 123456`)."""

from __future__ import annotations

import functools
import importlib
import re
import string
from collections.abc import Iterator
from typing import Any

from storage.identifiers.reading import folded
from storage.identifiers.text import SEP, Span, hinted, spans_in, trie

# Case-type codes courts put in their numbers (criminal, felony, misdemeanour, traffic, juvenile, family,
# civil, probate...). Letters alone would read `30 days 100` as a case number. Between spaces only the
# codes no sentence uses as a word count (`15 in 2025` is not a case).
_CASE_CODE_WORDS = (
    "cr crim crf crm cf cm ct cv civ ca ci cj cc cp dr dv dc fa fc fe fel fl gs jv juv jd jc ja jf "
    "mi mm misd md mc tr tc sc sa pr pb mh lt sp sm if ap op wc ch"
)
_CASE_CODES = trie(_CASE_CODE_WORDS)
_SPACED_CASE_CODES = trie("cr crim crf crm cf cm cv civ dr dv jv juv jd tr mm misd fel gs lt mh")
_GLUE = rf"{SEP}{{0,2}}"
# Each pattern below starts with the character it consumes first and checks what stands before it only
# then (`\d(?<![\w-]\d)` is `(?<![\w-])\d`): the engine skips straight to the digits or letters a match can
# start with, where a pattern starting with a lookbehind is tried at every position of the text.
_BY_YEAR = re.compile(
    r"\d(?<![\w-]\d)(?:"
    # 24-CR-0113, 2024CR0999, 24/cr/113, 24 CR 113, and the one-letter codes glued or dashed (24-M-1234):
    # `(?:19|20)?\d{2}` with its first digit read
    r"(?:(?<=1)9\d\d|(?<=2)0\d\d|\d)"
    rf"(?:{_GLUE}{_CASE_CODES}{_GLUE}|\s+{_SPACED_CASE_CODES}\s+|[-/]?[a-z][-/]?)\d{{3,8}}"
    # any letters between dashes: 24-ABC-1234 (`\d{2,4}`, its first digit read)
    r"|\d{1,3}-[a-z]{1,5}-\d{3,8}"
    r")(?![\w])"
)
# CR-2024-0999, CF2024001234, and its digits spaced out (`CR 2 0 2 4 0 1 1 3`)
_CODE_STARTING = trie(_CASE_CODE_WORDS, not_after=r"[\w-]")  # `\b(?<!-){_CASE_CODES}`
_BY_CODE = re.compile(
    rf"{_CODE_STARTING}{_GLUE}"
    rf"(?:(?:19|20)?\d{{2}}{_GLUE}\d{{3,8}}|(?:\d[\s.-]){{5,11}}\d)(?![\w])"
)
_HINTS = ("case", "docket", "dkt", "cause", "indictment", "ind", "file", "matter")
# What the text itself calls a case, docket or cause number.
_NO = r"(?:no\b\.?|num\b\.?|number|#)"
_CALLED_A_CASE_NUMBER = re.compile(
    # `\b(?:case|cause|file|matter)\s*{_NO}`, each word's first letter read before the `\b`
    rf"(?:c(?<!\wc)a(?:se|use)\s*{_NO}|f(?<!\wf)ile\s*{_NO}|m(?<!\wm)atter\s*{_NO}"
    # `\b(?:docket|dkt|indictment|ind)\b\.?\s*{_NO}?`, the same way
    rf"|d(?<!\wd)(?:ocket|kt)\b\.?\s*{_NO}?|i(?<!\wi)nd(?:ictment)?\b\.?\s*{_NO}?)"
    r"\s*:?\s*[a-z0-9][a-z0-9./-]*\d[a-z0-9./-]*\d",
)
# Candidates for the office's own pattern: letters and digits in groups with a few separators between
# (`PD #: 123456`), a line break among them (`PD\n123456`), up to a number spelled out digit by digit
# (`PD 1 2 3 4 5 6`).
_OFFICE_SEP = rf"(?:{SEP}|\n)"
# (One line break at most: the door joins a message's pieces with a blank line, `Oakland PD` above `123456
# is their incident number`.)
_GROUPS = re.compile(rf"[a-z0-9]+(?:(?:{SEP}{{1,5}}|{SEP}{{0,2}}\n{SEP}{{0,2}})[a-z0-9]+){{0,11}}")
_SEPARATORS = re.compile(rf"{_OFFICE_SEP}+")
# In ASCII text every separator is one of these characters: translated to dashes and the runs of dashes
# collapsed, the same spelling comes out several times faster than from the pattern above.
_ASCII_SEPARATORS = {c: "-" for c in range(128) if not chr(c).isalnum()}
_DASH_RUNS = re.compile("--+")
# Single letters spelled apart (`P.D.`, `P-D`), joined; what a text calls the number (`PD no. 123456`,
# `PD number 123456`) left out before its digits.
_BETWEEN_SINGLE_LETTERS = re.compile(r"-(?<=\b[a-z]-)(?=[a-z]\b)")
_CALLED_A_NUMBER = re.compile(r"-(?:no|nos|num|nr|nbr|number)-(?=\d)")
# Patterns that start with the character they consume (a literal or a class) let the engine skip ahead to
# it; a pattern starting with a lookbehind is tried at every position of the text.
_BETWEEN_DIGITS = re.compile(r"-(?<=\d-)(?=\d)")
_LETTER_DIGIT = re.compile(r"\d(?:(?<=[a-z]\d)|(?=[a-z]))")


def case_numbers(lower: str) -> list[Span]:
    found = spans_in(_BY_YEAR, lower) + spans_in(_BY_CODE, lower)
    if hinted(lower, _HINTS):
        found += spans_in(_CALLED_A_CASE_NUMBER, lower)
    return found


@functools.lru_cache(maxsize=1024)  # an item's messages are screened one after another with its case number
def loosely(case_number: str) -> re.Pattern[str]:
    """An item's own case number however it is written: `24-CR-0113` also as `24 cr 0113`, `24CR0113`,
    `24/cr/0113`, `2 4 C R 0 1 1 3` (dashes and invisible characters are already normalized away)."""
    parts = [re.escape(c) for c in re.sub(r"[^0-9A-Za-z]", "", folded(case_number))]
    return re.compile(r"(?:[^\w]|_){0,4}".join(parts) or r"(?!)", re.IGNORECASE)


class OfficePattern:
    """The office's own case-number pattern (LIAISON_CASE_NUMBER_PATTERN), matched without regard to case,
    and the runs of letters every match of it holds (`pd` for `\\bPD-\\d{6}\\b`)."""

    def __init__(self, source: str) -> None:
        self.pattern = re.compile(source, re.IGNORECASE)
        self.letters = _letters_needed(source)
        # Each run of letters spelled apart, one letter at a time (`p.d`, `p - d`): the first letter first,
        # so the engine skips to it.
        self.apart = {
            run: re.compile(
                f"{run[0]}(?<![a-z]{run[0]})"
                + "".join(f"{_OFFICE_SEP}{{1,3}}{letter}" for letter in run[1:])
                + "(?![a-z])"
            )
            for run in self.letters
            if len(run) > 1
        }


def office_numbers(office: OfficePattern, lower: str) -> list[Span]:
    """Where the office's own pattern matches a group of letters and digits however it was separated
    (`PD 123456`, `PD123456` and `PD-123 456` for `\bPD-\\d{6}\b`): as written, with every separator a
    dash, with none between digits, and with a dash between letters and digits."""
    if not _has_letters(office, lower):
        # No spelling below puts letters side by side that were not, except single letters spelled apart,
        # so none can match either: the usual case, known from substring tests instead of passes of the
        # pattern over the whole text.
        return []
    pattern = office.pattern
    found = spans_in(pattern, lower)
    if not any(pattern.search(spelling) for spelling in _spellings(lower)):
        return found  # the whole text in every spelling: if none matches, no part of it will
    for group in _GROUPS.finditer(lower):
        text = group[0]
        if sum(c.isdigit() for c in text) >= 3 and any(pattern.search(v) for v in _spellings(text)):
            found.append(group.span())
    return found


# Letters that, matched without regard to case, match only their own two cases: `i`, `k` and `s` also
# match `İ`, `ı`, the Kelvin sign and the long `ſ`.
_PLAIN_LETTERS = frozenset(string.ascii_letters) - set("iIkKsS")
try:  # the standard library's own reading of a pattern, which its compiler uses
    _PARSER: Any = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - another Python: no shortcut, the same findings
    _PARSER = None


def _letters_needed(source: str) -> tuple[str, ...]:
    """The runs of letters (lowercase) that stand side by side in every match of the pattern: its literal
    letters outside any alternative, repetition or class. None when the pattern cannot be read so."""
    if _PARSER is None:
        return ()
    runs, run = [], ""
    try:
        for op, value in _flattened(_PARSER.parse(source, re.IGNORECASE).data):
            if op is _PARSER.LITERAL and chr(value) in _PLAIN_LETTERS:
                run += chr(value).lower()
            else:
                runs.append(run)
                run = ""
    except Exception:  # a parser unlike this Python's: no shortcut, the patterns run as they are
        return ()
    return tuple(r for r in [*runs, run] if r)


def _flattened(items: Any) -> Iterator[tuple[Any, Any]]:
    """The parsed pattern's items in order, groups that change no flag opened (`(PD)-` is `PD-`)."""
    for op, value in items:
        # A group is (its number, the flags it adds, the flags it removes, its items).
        if op is _PARSER.SUBPATTERN and value[1] == value[2] == 0:
            yield from _flattened(value[3].data)
        else:
            yield op, value


def _has_letters(office: OfficePattern, lower: str) -> bool:
    """Whether each run of the office pattern's letters stands in the text, together or one letter at a
    time with separators between (`P.D.`)."""
    return all(
        run in lower or (run in office.apart and office.apart[run].search(lower)) for run in office.letters
    )


def _spellings(text: str) -> Iterator[str]:
    """Every separator a dash; then no dash between digits; then a dash between letters and digits; then
    single letters joined and what calls it a number left out. One at a time: the caller stops at the
    first that matches."""
    if text.isascii():
        dashed = _DASH_RUNS.sub("-", text.translate(_ASCII_SEPARATORS))
    else:
        dashed = _SEPARATORS.sub("-", text)
    yield dashed
    digits_joined = _BETWEEN_DIGITS.sub("", dashed)
    yield digits_joined
    yield _LETTER_DIGIT.sub(_dashed_digit, digits_joined)
    yield _CALLED_A_NUMBER.sub("-", _BETWEEN_SINGLE_LETTERS.sub("", digits_joined))


def _dashed_digit(digit: re.Match[str]) -> str:
    """A digit with a dash on each side where a letter stands."""
    at, text = digit.start(), digit.string
    before = "-" if at > 0 and "a" <= text[at - 1] <= "z" else ""
    after = "-" if at + 1 < len(text) and "a" <= text[at + 1] <= "z" else ""
    return f"{before}{digit[0]}{after}"
