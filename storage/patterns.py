"""The detector's patterns for identifiers that no maintained library finds in free text, run on
normalized text (storage/normalize.py: one kind of dash, ASCII digits, no invisible characters).

`scan` returns the spans each class was found at. Recall and false alarms are measured on the labelled
corpus in bench/corpus/ by `make bench`, and so is the time: a message of 3,000 characters is screened on
every write, so each pattern runs only where what it looks for can be (near a run of digits, after a
word that names the class), and the text is read whole only a few times.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pyap.source_US.data import street_type_list

from storage.normalize import folded

Span = tuple[int, int]


def _spans_in(pattern: re.Pattern[str], text: str, start: int, end: int) -> list[Span]:
    return [m.span() for m in pattern.finditer(text, start, end)]


def _trie(words: str | list[str]) -> str:
    """An alternation of words (a list, or a string of them) as a trie (`c(?:r(?:im)?|f)`): Python's
    regex engine tries alternatives one by one, so a long list of words sharing first letters is far
    faster this way."""
    heads: dict[str, list[str]] = {}
    for word in sorted(set(words.split() if isinstance(words, str) else words)):
        heads.setdefault(word[0], []).append(word[1:])
    parts = []
    for head, tails in heads.items():
        rest = [t for t in tails if t]
        if not rest:
            parts.append(re.escape(head))
            continue
        inner = _trie(rest)
        parts.append(f"{re.escape(head)}(?:{inner}){'?' if '' in tails else ''}")
    return parts[0] if len(parts) == 1 else f"(?:{'|'.join(parts)})"


# ---- where to look --------------------------------------------------------------------------------------

# Seven or more digits within a short stretch of separators: where SSNs, phone numbers and A-numbers are.
# (A `+` or `(` before it is in the text the context patterns and libphonenumber read: _BEFORE_RUN.)
_DIGIT_RUN = re.compile(r"\d(?:[\s().\-/]{0,3}\d){6,16}")
_BEFORE_RUN, _AFTER_RUN = 32, 3  # how much of the text around a run its context patterns read


def _hinted(lower: str, hints: tuple[str, ...]) -> bool:
    """Whether any of the words a pattern needs is in the text at all (a substring test is far cheaper
    than running the pattern)."""
    return any(hint in lower for hint in hints)


# ---- social security numbers --------------------------------------------------------------------------

# 3-2-4 digits with the same separator (or none) between the groups, or nine digits spaced one by one.
_SSN_SHAPE = re.compile(r"(?<![\d-])(\d{3})([ ./_-]?)(\d{2})\2(\d{4})(?![\d])")
_SSN_SPACED = re.compile(r"(?<![\d])\d(?:[ ./_-]\d){8}(?![ ./_-]?\d)")
_SSN_HINTS = ("ssn", "ss#", "ss #", "s.s.n", "soc sec", "socsec", "soc.", "social security")
_SSN_CONTEXT = re.compile(
    r"\b(?:ssn|ss\s?#|s\.s\.n\.?|soc\.?\s*sec\.?(?:\s*(?:no|number|#))?"
    r"|social\s+security\s*(?:no\.?|number|num|#|card))"
    r"[^\n\d$]{0,25}?(?:(?:x{3}|\*{3}|\d{3})[ .-]?(?:x{2}|\*{2}|\d{2})[ .-]?)?\d{4}(?!\d)",
)


def _valid_ssn(area: str, group: str, serial: str) -> bool:
    """The ranges the Social Security Administration issues from."""
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


def _ssns_in(text: str, start: int, end: int) -> list[Span]:
    found = []
    for m in _SSN_SHAPE.finditer(text, start, end):
        # Separated in the 3-2-4 shape, it reads as an SSN whatever its digits; nine bare digits only
        # when they are in the issued ranges (or a word nearby says SSN: _SSN_CONTEXT).
        if m[2] or _valid_ssn(m[1], m[3], m[4]):
            found.append(m.span())
    return found + _spans_in(_SSN_SPACED, text, start, end)


# ---- dates of birth -------------------------------------------------------------------------------------

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE = (
    rf"(?:\d{{1,2}}[/.-]\d{{1,2}}(?:[/.-]\d{{2,4}})?|\d{{4}}[/.-]\d{{1,2}}[/.-]\d{{1,2}}"
    rf"|{_MONTH}\s*{_DAY}(?:,?\s*\d{{2,4}})?|{_DAY}\s*(?:of\s+)?{_MONTH}(?:,?\s*\d{{2,4}})?"
    rf"|{_MONTH},?\s*(?:19|20)\d{{2}}|(?:19|20)\d{{2}}|\d{{6,8}})(?![\d/])"
)
_BIRTH_WORD = re.compile(
    r"\bd\s?\.?\s?o\s?\.?\s?b\b\.?|\bd/o/b\b|\bdate\s+of\s+birth\b|\bbirth\s*-?\s*(?:date|day)s?\b"
    r"|\bb-?day\b|\bborn\b|\bfecha\s+de\s+nacimiento\b|\bnacid[oa]\b|\bf\s?\.?\s?d\s?\.?\s?n\b\.?",
)
_DATE_AFTER = re.compile(rf"(?:[^\n\d.!?;]|\.(?=\s*\d)){{0,18}}?{_DATE}")
_DATE_BEFORE = re.compile(rf"{_DATE}\s*[(\[,-]?\s*$")
_BIRTH_WORD_PARTS = re.compile(r"d\W{0,2}o\W{0,2}b|born|birth|b-?day|nacimiento|nacid|f\W{0,2}d\W{0,2}n")


def _birth_dates(lower: str) -> list[Span]:
    """A date next to a word that says it is a birth date (`DOB 3/14/88`, `born March 14, 1988`,
    `3/14/1988 (DOB)`); dates alone are hearings and deadlines."""
    found = []
    hinted = [h.start() for h in _BIRTH_WORD_PARTS.finditer(lower)]
    words = {w.span(): w for h in hinted for w in _BIRTH_WORD.finditer(lower, max(0, h - 24), h + 24)}
    for word in words.values():
        after = _DATE_AFTER.match(lower, word.end(), word.end() + 40)
        if after:
            found.append((word.start(), after.end()))
        before = _DATE_BEFORE.search(lower, max(0, word.start() - 30), word.start())
        if before:
            found.append((before.start(), word.end()))
    return found


# ---- email addresses -------------------------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+%-]+(?:@|\s+@\s*|\s*@\s+(?=[\w-]+\.[a-z]))[\w-]+(?:\.[\w-]+)*")
_OPEN, _CLOSE = r"[(\[{<]", r"[)\]}>]"
_SPELLED_AT = re.compile(rf"\s*{_OPEN}\s*at\s*{_CLOSE}\s*|\s+at\s+")
_AT_WORD = re.compile(r"at(?<!\wat)(?!\w)")  # a literal start: the engine skips to each `at` at once
_LOCAL_PART = re.compile(r"[\w.+%-]{1,64}$")
_SPELLED_DOT = rf"(?:\s*{_OPEN}\s*dot\s*{_CLOSE}\s*|\s+dot\s+|\.|\[\.\])"
_TLD = r"(?:com|org|net|edu|gov|us|io|info|biz|co|me|law|legal|mail|mil|[a-z]{2})\b"
_DOMAIN = re.compile(rf"[\w-]+(?:{_SPELLED_DOT}[\w-]+)*?{_SPELLED_DOT}{_TLD}")
# With a plain ` at `, only a real mail provider's domain makes it an address: `apply at example.org` is
# a web site.
_MAIL_PROVIDER = re.compile(
    r"(?:gmail|googlemail|yahoo|hotmail|outlook|live|msn|aol|icloud|me|mac|proton(?:mail)?|comcast|att"
    r"|verizon|sbcglobal|ymail|mail|gmx)\b",
)


def _emails(lower: str) -> list[Span]:
    found = _spans_in(_EMAIL, lower, 0, len(lower)) if "@" in lower else []
    for word in _AT_WORD.finditer(lower):
        at = _SPELLED_AT.search(lower, max(0, word.start() - 3), word.end() + 3)
        if at is None or not (
            "." in lower[at.end() : at.end() + 64] or "dot" in lower[at.end() : at.end() + 64]
        ):
            continue
        local = _LOCAL_PART.search(lower, max(0, at.start() - 64), at.start())
        domain = _DOMAIN.match(lower, at.end())
        if not local or not domain:
            continue
        bracketed = re.search(_OPEN, at[0]) or re.search(rf"{_OPEN}|\bdot\b", domain[0])
        if bracketed or _MAIL_PROVIDER.match(domain[0]):
            found.append((local.start(), domain.end()))
    return found


# ---- street addresses --------------------------------------------------------------------------------

# Words that are never part of a street's name, so `2 kids at Lincoln Park` is not an address.
_NOT_IN_A_STREET_NAME = (
    "a an the at in on of to for from by with and or but is are was were be been has have had do does did "
    "will would can could should may might must this that these those it its he she they we you i his her "
    "their our your my me him them not no per about after before over under more less than then when "
    "where which who days day weeks week months month years year hours hour hrs minutes mins times am pm "
    "kids children people clients percent dollars mg business calls sessions pages counts charges "
    "referrals items cases beds units miles blocks"
)
# USPS street types, from the table the maintained `pyap` parser keeps (words no street is named with
# alone are left out: `is`, `un`).
_STREET_TYPES = _trie([t.lower() for t in street_type_list if t.lower() not in {"is", "iss", "un", "uns"}])
_DIRECTION = r"(?:[NSEW]|NE|NW|SE|SW|North|South|East|West|Northeast|Northwest|Southeast|Southwest)\.?"
_NAME_WORD = rf"(?!{_trie(_NOT_IN_A_STREET_NAME)}\b)(?:[A-Za-z][A-Za-z'.-]*|\d{{1,3}}(?:st|nd|rd|th))"
_UNIT = (
    r"(?:,?\s*(?:apt|apartment|unit|suite|ste|fl|floor|rm|room|bldg|building|lot|trlr|spc|space|no)\.?"
    r"\s*#?\s*[A-Za-z0-9-]{1,6}\b|\s*#\s*[A-Za-z0-9-]{1,6}\b)"
)
_STREET = re.compile(
    r"(?<![\w$.,/-])\d{1,6}"
    # 1234 Martin Luther King Blvd Apt 4, 221B Baker Street, 12-14 Main St
    rf"(?:(?i:[A-Za-z]?(?:-\d{{1,4}})?\s+(?:{_DIRECTION}\s+)?(?:{_NAME_WORD}\s+){{1,4}}?"
    rf"{_STREET_TYPES}\b\.?(?:\s+{_DIRECTION}(?!\w))?{_UNIT}?)"
    # 12500 Highway 20, 120 Broadway Fl 3: the street named by its type alone
    rf"|(?i:\s+(?:(?:highway|hwy|route|rte|county\s+road|state\s+road|fm|sr|us)\s+\d{{1,4}}|broadway){_UNIT}?)"
    # 400 W Madison: a direction and a capitalized name, no street type
    r"|\s+(?:N|S|E|W|North|South|East|West)\.?\s+[A-Z][a-z]{2,}(?:\s+[A-Z][a-z]+)?\b)"
)
_BOX_HINTS = ("box", "pob", "apartado", "apt", "apartment")
_BOX_OR_APARTMENT = re.compile(
    r"\b(?:p\s?\.?\s?o\s?\.?\s*b(?:ox|\.)?|post\s+office\s+box|pob|postal\s+box|apartado\s+postal)"
    r"\s*#?\s*\d{1,8}\b|\b(?:apt|apartment)\.?\s*#?\s*\d{1,5}[A-Za-z]?\b",
)


def _addresses(text: str, lower: str) -> list[Span]:
    found = _spans_in(_STREET, text, 0, len(text))
    if _hinted(lower, _BOX_HINTS):
        found += _spans_in(_BOX_OR_APARTMENT, lower, 0, len(lower))
    return found


# ---- case numbers -------------------------------------------------------------------------------------

# Case-type codes courts put in their numbers (criminal, felony, misdemeanour, traffic, juvenile, family,
# civil, probate...). Letters alone would read `30 days 100` as a case number. Between spaces only the
# codes no sentence uses as a word count (`15 in 2025` is not a case).
_CASE_CODES = _trie(
    "cr crim crf crm cf cm ct cv civ ca ci cj cc cp dr dv dc fa fc fe fel fl gs jv juv jd jc ja jf "
    "mi mm misd md mc tr tc sc sa pr pb mh lt sp sm if ap op wc ch"
)
_SPACED_CASE_CODES = _trie("cr crim crf crm cf cm cv civ dr dv jv juv jd tr mm misd fel gs lt mh")
_GLUE = r"[./_-]?"
_CASE_NUMBER_BY_YEAR = re.compile(
    r"(?<![\w-])(?:"
    # 24-CR-0113, 2024CR0999, 24/cr/113, 24 CR 113, and the one-letter codes glued or dashed (24-M-1234)
    rf"(?:19|20)?\d{{2}}(?:{_GLUE}{_CASE_CODES}{_GLUE}|\s+{_SPACED_CASE_CODES}\s+|[-/]?[a-z][-/]?)\d{{3,8}}"
    # any letters between dashes: 24-ABC-1234
    r"|\d{2,4}-[a-z]{1,5}-\d{3,8}"
    r")(?![\w])",
)
# CR-2024-0999, CF2024001234
_CASE_NUMBER_BY_CODE = re.compile(rf"\b(?<!-){_CASE_CODES}{_GLUE}(?:19|20)?\d{{2}}{_GLUE}\d{{3,8}}(?![\w])")
_CASE_HINTS = ("case", "docket", "cause", "indictment", "file", "matter")
# What the text itself calls a case, docket or cause number.
_CALLED_A_CASE_NUMBER = re.compile(
    r"\b(?:case|docket|cause|indictment|file|matter)\s*(?:no\.?|num\.?|number|#)\s*:?\s*"
    r"[a-z0-9][a-z0-9./-]*\d[a-z0-9./-]*\d",
)


def _case_numbers(lower: str) -> list[Span]:
    found = _spans_in(_CASE_NUMBER_BY_YEAR, lower, 0, len(lower))
    found += _spans_in(_CASE_NUMBER_BY_CODE, lower, 0, len(lower))
    if _hinted(lower, _CASE_HINTS):
        found += _spans_in(_CALLED_A_CASE_NUMBER, lower, 0, len(lower))
    return found


def loosely(case_number: str) -> re.Pattern[str]:
    """An item's own case number however it is written: `24-CR-0113` also as `24 cr 0113`, `24CR0113`,
    `24/cr/0113` (dashes and invisible characters are already normalized away)."""
    parts = [re.escape(c) for c in re.sub(r"[^0-9A-Za-z]", "", folded(case_number))]
    return re.compile(r"[\s./_-]*".join(parts) or r"(?!)", re.IGNORECASE)


# ---- immigration A-numbers ----------------------------------------------------------------------------

_A_NUMBER = re.compile(
    r"(?<![\w-])a[ #-]{0,2}\d{3}[ -]?\d{3}[ -]?\d{2,3}(?!\d)"
    r"|\b(?:a-?number|alien\s+(?:registration\s+)?(?:no|number|#))[^\n\d]{0,12}\d{8,9}(?!\d)",
)


# ---- phone numbers libphonenumber leaves out --------------------------------------------------------------

# Seven digits (`555-0199`) are a local number only when the text says it is one to call; so is a
# number in the shape of one however made up its digits (`cell 000-000-0000`).
_LOCAL_PHONE = re.compile(
    r"\b(?:call|phone|ph|tel|cell|mobile|text|reach|number|contact)\b[^\n\d]{0,12}"
    r"(?<!\d)(?P<number>\(?\d{3}\)?[ .-]?\d{3}[ .-]\d{4}|[2-9]\d{2}[ .-]\d{4})(?![\d-])",
)
# Ten digits spaced out one by one (`3 1 2 5 5 5 0 1 9 9`), which libphonenumber does not read as one.
_SPACED_PHONE = re.compile(r"(?<![\d])(?:1[ ./_-])?[2-9](?:[ ./_()-]{1,2}\d){9}(?![ ./_-]?\d)")


# ---- all of them ------------------------------------------------------------------------------------------


@dataclass
class Scan:
    """Spans by class; `phone_runs` are where libphonenumber is to look (storage/detector.py)."""

    ssn: list[Span] = field(default_factory=list)
    birth_date: list[Span] = field(default_factory=list)
    email: list[Span] = field(default_factory=list)
    address: list[Span] = field(default_factory=list)
    a_number: list[Span] = field(default_factory=list)
    case_number: list[Span] = field(default_factory=list)
    phone: list[Span] = field(default_factory=list)
    phone_runs: list[Span] = field(default_factory=list)


def scan(text: str) -> Scan:
    """Every class's spans in `text` (normalized). Patterns that ignore case are written in lower case
    and run on the lowercased text: far faster in Python's engine than asking it to ignore case."""
    lower = _lowercased(text)
    found = Scan(
        birth_date=_birth_dates(lower),
        email=_emails(lower),
        address=_addresses(text, lower),
        case_number=_case_numbers(lower),
    )
    if _hinted(lower, _SSN_HINTS):
        found.ssn += _spans_in(_SSN_CONTEXT, lower, 0, len(lower))
    for run in _DIGIT_RUN.finditer(text):
        start, end = max(0, run.start() - _BEFORE_RUN), min(len(text), run.end() + _AFTER_RUN)
        found.phone_runs.append((start, end))
        found.ssn += _ssns_in(text, start, end)
        found.a_number += _spans_in(_A_NUMBER, lower, start, end)
        found.phone += [m.span("number") for m in _LOCAL_PHONE.finditer(lower, start, end)]
        found.phone += _spans_in(_SPACED_PHONE, text, start, end)
    return found


def _lowercased(text: str) -> str:
    """`text` in lower case, character for character (a few letters lowercase to two: those stay)."""
    lower = text.lower()
    if len(lower) == len(text):
        return lower
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
