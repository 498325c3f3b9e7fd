"""Identifying numbers: social security numbers, immigration A-numbers and phone numbers.

All three stand in a run of seven or more digits with a little punctuation between them, so the text is
searched for such runs once (`digit_runs`) and each pattern reads only around them. Phone numbers are
read by Google's libphonenumber (`phonenumbers`); what it leaves out (seven digits with a word saying
they are a number, ten digits spaced out one by one) by the patterns here.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher, PhoneNumberType

from storage.identifiers.text import SEP, Span, hinted, spans_in

# Seven or more digits, up to four separators between each (a `+` or `(` before the run is in the text
# the context patterns and libphonenumber read: BEFORE_RUN).
# (The separators one class, and nothing given back once taken, `+`: the same runs several times faster.)
_DIGIT_RUN = re.compile(r"\d(?:[\W_x]{0,4}+\d){6,}+")
BEFORE_RUN, AFTER_RUN = 32, 3  # how much of the text around a run its context patterns read
MERGE_WITHIN = 40  # runs this close are read as one stretch (one libphonenumber pass, not many)


def digit_runs(text: str) -> list[Span]:
    """The stretches of text around runs of digits, runs close together merged into one stretch."""
    stretches: list[Span] = []
    for run in _DIGIT_RUN.finditer(text):
        start, end = max(0, run.start() - BEFORE_RUN), min(len(text), run.end() + AFTER_RUN)
        if stretches and start <= stretches[-1][1] + MERGE_WITHIN:
            stretches[-1] = (stretches[-1][0], end)
        else:
            stretches.append((start, end))
    return stretches


# ---- social security numbers --------------------------------------------------------------------------

# Between the groups: a little punctuation, an `x`, or a line break (`123\n45\n6789`).
_GAP = r"[\W_x]{0,4}"
# (What may not stand before the first digit is checked after it, `\d(?<![\d-]\d)` for `(?<![\d-])\d`, so
# the engine skips to the digits instead of trying every position.)
_SSN_SHAPE = re.compile(rf"(\d(?<![\d-]\d)\d{{2}})({_GAP})(\d{{2}})({_GAP})(\d{{4}})(?!\d)")
_SSN_SPACED = re.compile(rf"\d(?<!\d\d)(?:{SEP}{{1,3}}\d){{8}}(?!{SEP}?\d)")
SSN_HINTS = ("ssn", "snn", "ss#", "ss #", "s.s.n", "soc sec", "socsec", "soc.", "social", "itin", "tax")
# A label for the number: an SSN's (a typo too), or the taxpayer number issued in its place (an ITIN, in
# the 9xx area Social Security never issues), or `social` (`her social: 123 456 789`), not a social worker's.
# (Each word's first letter first, what stands before it checked after, `s(?<!\ws)` for `\bs`: the engine
# skips to those letters instead of trying every position.)
_SSN_LABEL = re.compile(
    r"s(?<!\ws)(?:sn|nn|s\s?#|\.s\.n\.?|oc\.?\s*sec\.?(?:\s*(?:no|number|#))?"
    r"|ocial\s+security\s*(?:no\.?|number|num|#|card)|ocial\b(?![\s-]+(?:work|media|service|justice|security)))"
    r"|i(?<!\wi)tin|t(?<!\wt)ax(?:payer)?\s*id(?:entification)?(?:\s*(?:no\.?|number|#))?"
    r"|l(?<!\wl)ast\s*(?:4|four)(?:\s+digits)?\s+(?:of\s+)?(?:(?:his|her|their|the)\s+)?(?:social|ssn|ss)"
)
_AFTER_LABEL = r"[^\n\d$]{0,25}?(?:\n\s*)?"  # the value on the same line, or on the next (a form's)
# Right after a label: nine digits however grouped by spaces, dots, commas, hyphens or line breaks (not a
# date and a time, nor an amount: `123,456,789 dollars`), or the last four.
_SSN_VALUE = re.compile(
    rf"{_AFTER_LABEL}(?P<number>(?:\d[\s.,-]{{0,5}}){{8}}\d"
    rf"|(?:(?:x{{3}}|\*{{3}}|\d{{3}}){SEP}{{0,2}}(?:x{{2}}|\*{{2}}|\d{{2}}){SEP}{{0,2}})?\d{{4}})(?!\d)"
    r"(?!\s*(?:dollars|usd|in\s+(?:grants|funding|benefits)))",
)
# An employer's number (`Tax ID 12-3456789`): an organization's, never a person's.
_EIN = re.compile(r"\d{2}-\d{7}")
# Or the 3-2-4 shape with letters that look like digits among six digits or more (`SSN 123-4S-6789`,
# `SSN Z13-45-678B`): the letters are there to slip it past.
_SSN_LOOKALIKES = re.compile(
    rf"{_AFTER_LABEL}(?P<number>[\da-z]{{3}}[ .-]?[\da-z]{{2}}[ .-]?[\da-z]{{4}})(?![\da-z])"
)


def labelled_ssns(lower: str) -> list[Span]:
    """The numbers a label says are an SSN (or an ITIN), each from its label to its end."""
    found = []
    for label in _SSN_LABEL.finditer(lower):
        value = _SSN_VALUE.match(lower, label.end())
        if value is not None and label[0].startswith("tax") and _EIN.fullmatch(value["number"]):
            continue
        if value is not None and label[0].startswith("social") and "," in value["number"]:
            continue  # after `social` alone, commas are an amount's (`Social capital grant: 100,000,000`)
        if value is None:
            value = _SSN_LOOKALIKES.match(lower, label.end())
            if value is None or sum(c.isdigit() for c in value["number"]) < 6:
                continue
        found.append((label.start(), value.end()))
    return found


# Nine digits with no separator the text calls something else (`Ticket #482913576`), with no word about a
# social security number near.
_NOT_AN_SSN = re.compile(
    r"\b(?:ticket|transaction|txn|order|invoice|receipt|tracking|confirmation)\b[^\n]{0,16}$"
)


def _valid_ssn(area: str, group: str, serial: str) -> bool:
    """The ranges the Social Security Administration issues from."""
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


def ssns(text: str, lower: str, start: int, end: int) -> list[Span]:
    """In the 3-2-4 shape with something between both pairs of groups, it reads as an SSN whatever its
    digits; with something between the first two only (`123-456789`), or nothing at all, when the digits
    are in the issued ranges and the text does not call it something else (`Ticket #482913576`). Not
    `12345-6789`: that is a ZIP+4 code."""
    found = []
    for m in _SSN_SHAPE.finditer(text, start, end):
        first, second = bool(m[2]), bool(m[4])
        called_otherwise = (
            not first
            and _NOT_AN_SSN.search(lower, max(0, m.start() - 24), m.start())
            and not hinted(lower[max(0, m.start() - 40) : m.end() + 40], SSN_HINTS)
        )
        if (first and second) or (not second and _valid_ssn(m[1], m[3], m[5]) and not called_otherwise):
            found.append(m.span())
    return found + spans_in(_SSN_SPACED, text, start, end)


# ---- immigration A-numbers ----------------------------------------------------------------------------

_NINE = rf"\d{{2,3}}{SEP}{{0,3}}\d{{3}}{SEP}{{0,3}}\d{{3}}"
_A_LABEL = (
    r"\b(?:a-?\s?number|a\s?#|eoir\s*(?:no\b\.?|number|#)?|a[\s-]no\b\.?"  # (not `ano`: `año`, unaccented)
    r"|alien\s+(?:registration\s+|reg\.?\s*)?(?:no\b\.?|number|#)|uscis\s*(?:no\b\.?|#)?"
    r"|n[uú]mero\s+de\s+(?:registro\s+de\s+)?(?:extranjero|alien)|a-\s?file\b|a\s?file\s*(?:no\b\.?|number|#)"
    # (`su número A es`, `her A is`, `a-num`, `ARN`: the Alien Registration Number's own initials)
    r"|(?:su|mi|tu|el)\s+n[uú]mero\s+a\s+es\b|(?:su|her|his|their)\s+a\s+(?:es|is)\b|a-(?:num|nbr|nmbr)\b|arn\b)"
)
A_NUMBER = re.compile(
    rf"(?<![\w-])a{SEP}{{0,3}}(?:\d{SEP}{{0,2}}){{7,8}}\d(?!\d)"
    rf"|{_A_LABEL}[^\n\d]{{0,12}}{_NINE}(?!\d)",
)
# The label after the number (`123-456-789 is her A-number`), read past the stretch's end; written as a
# label only (`a number of people` is English).
# Written as a label only: not `a number`, `a file`, `a #`, `a no.` (English: `followed by a #`, `got a
# no.`), `ano` (`año` read without its accent), `número a` (`el número a revisar`), nor a rank (`A#1`).
_A_LABEL_ONLY = (
    r"\b(?:a\s?[-_]\s?(?:number|num|nmbr|nbr)\b|anumber|a-?#(?!\s*\d)|a[-.]no\b\.?(?!\s*\d)"
    r"|(?:the|her|his|their|su)\s+a\.?\s?no\.(?!\s*\d)|a-file\b|a\s?file\s*#|alien\s+(?:registration\s+|reg\.?\s*)?"
    r"(?:no\b\.?|number|#)|n[uú]m(?:ero|\.)?\s+(?:de\s+)?(?:registro\s+de\s+)?extranjero|uscis\s*#|eoir\s*#)"
)
# A record's own number, right before it (`Ticket 12345678`, `Bates 00041233`, `FOIA control 20240417`);
# for A-numbers only: a phone may follow such a word (`got a ticket, her cell is 213-555-0147`).
_RECORD = re.compile(r"\b(?:ticket|bates|jira|control)\b(?:\s+(?:number|no\b\.?|#))?(?:\s+is)?[\s:#.]{0,4}$")
_A_DATE = (
    r"(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?!\d)"  # `FOIA sent 20241203 for the A-file`
)
# Right after the number, shorter labels read as one too (`(A Number)`, `= her A number`, `(her A)`, `es
# su número A`; not `312,450,000, a number`, `a no-go`, `Line 4: 125,000,000 (a)`).
_SENTENCE_END = r"(?!-|\.?\s*\d|\s+[a-z])"  # (a full stop and a new sentence may follow: `A no. Hearing`)
_A_RIGHT_AFTER = (
    r"[^\S\n]*(?:\(\s*(?:(?:her|his|their|su)\s+a|a\s?(?:number|num|no\b\.?|#)|n[uú]mero\s+a)\s*\)"
    r"|=\s*(?:her|his|their|su)\s+a\s?(?:number|#)|(?:es\s+)?su\s+n[uú]mero\s+(?:de\s+)?a\b(?!\s+[a-z])"
    # Ending the sentence only (`123 456 789 A no`, `098 765 432 is her A`, `212-345-678 → A number`), not
    # before more words (`125,000,000 is a no-go`, `312,450,000, a number the board called`).
    rf"|(?:(?:is|es)\s+)?(?:her|his|su)\s+a\b(?:\s?(?:number|num|no\b|#))?{_SENTENCE_END}"
    rf"|(?:[-\u2013\u2014\u2192/]+>?|<-+|\.{{3}}|\u2026|=)?\s*a\s?(?:(?:number|nbr|#){_SENTENCE_END}|no\.(?!\s*\d)))"
)
_A_LABEL_AFTER = re.compile(
    rf"(?<![\d-])(?!{_A_DATE}){_NINE}(?![\d-])"
    rf"(?=(?:[^\n\d]{{0,16}}|[^\n\d]{{0,4}}\n[^\n\d]{{0,12}}){_A_LABEL_ONLY}|{_A_RIGHT_AFTER})"
)
_A_HINT = re.compile(
    rf"{_A_LABEL_ONLY}|\ba\s?(?:number|num|nbr|no\b|#)|\ba\s*\)|n[uú]mero\s+(?:de\s+)?a\b|\b(?:her|his|their|su|el)\s+a\b"
)
_LABEL_AFTER_RUN = 56  # the longest label (`número de registro de extranjero`) after 16 characters


# ---- phone numbers -------------------------------------------------------------------------------------

# Seven digits (`555-0199`) are a local number only when the text says it is one to call; so is a
# number in the shape of one however made up its digits (`cell 000-000-0000`). Toll-free and N11 numbers
# are services a referral names to help, not a person's.
# (The label may stand on the line above, as on a form: `Cell\n555-0199`.)
LOCAL_PHONE = re.compile(
    r"\b(?:call|phones?|ph|tel|cel|cells?|cellular|celular|mobile|mob(?!\s+action)|movil|text|txt|whatsapp|signal|reach"
    r"|numbers?|contact|telephone|cellphone|telefono|tlf|landline)"
    # (the number may follow the word with no space, `mob262-4021`)
    r"(?:\b|(?=\d))[^\n\d]{0,12}(?:\n[^\n\d]{0,3})?"
    rf"(?<!\d)(?P<number>(?!(?:1{SEP}?)?\(?8(?:00|33|44|55|66|77|88)\b)"
    rf"\(?\d{{3}}\)?{SEP}{{0,2}}\d{{3}}{SEP}{{1,3}}\d{{4}}|[2-9]\d{{2}}{SEP}{{1,3}}\d{{4}})(?![\d-])",
)
# Seven digits written together (`Cell: 5550199`) only right after a word that is about a phone: after
# `number` or `reach` they are more often a count (`reach 2000000 people`), after more words a code (`Phone
# PIN 4418821`, `call-in code 4418821`).
GLUED_LOCAL_PHONE = re.compile(
    r"\b(?:call|phones?|ph|tel|cel|cells?|cellular|celular|mobile|mob(?!\s+action)|movil|text|txt|whatsapp|telephone"
    r"|cellphone|telefono|tlf|landline)(?:\b|(?=\d))"
    r"(?:(?<=mob|lar|ile|vil)[\s:.#-]{0,4}(?:no|num|number|nr)\b)?[\s:.#-]{0,4}"
    r"(?<!\d)(?P<number>[2-9]\d{6})(?![\d-])"
)
# Eight digits grouped 4-4 after a word for a phone (`cel 5555-1234`), with a few words between saying
# whose it is (`celular de la mamá: 7788-1234`, `su cel es 5512-3344`; not `phone GL 6100-5320`), or
# grouped 2-2-2-2 (not with a dot, `6100.5320` a GL code's, nor a slash, `2210/3600` a ratio, nor 4-2-2,
# `2025-11-30` a date): Central America's numbers (Guatemala, El Salvador,
# Honduras, Costa Rica), which start with 2 to 9. Not after `call`, `reach` or `number`, which come before
# a court's call of the docket and a case's number as often (`call 2024-0113`); not a year and a count
# from zero (`Cellular 2024-0312 warrant return`); not a range (`Phone: 0900-1700`, `Phones 2200-0600`,
# `ext. 4401-4450`: see `_a_range`).
_WHOSE = (  # words saying whose a number is, or where (`de la señora en Honduras`)
    r"de|del|la|el|los|las|su|sus|es|mi|tu|of|her|his|their|the|is|en|que|vive|mam[aá]|madre|pap[aá]|padre"
    r"|t[ií][ao]|herman[ao]|abuel[ao]|espos[ao]|hij[ao]|prim[ao]|novi[ao]|se[nñ]ora?|casa|trabajo|mom|mother"
    r"|dad|father|sister|brother|aunt|uncle|wife|husband|home|work|guatemala|honduras|salvador|nicaragua"
    r"|costa\s+rica|panam[aá]|m[eé]xico"
)
_NOT_AN_AMOUNT = r"(?!\s*(?:quetzales|lempiras|d[oó]lares|pesos|colones|usd|al\s+(?:mes|a[nñ]o)))"
_NOT_OF = (
    r"(?<!de )(?<!del )(?<!de su )(?<!de la )"  # (`gastos de su mamá:`, `notas del hijo:` are no labels)
)
_FAMILY = r"mam[aá]|madre|pap[aá]|padre|herman[ao]|abuel[ao]|espos[ao]|hij[ao]"
_EIGHT_DIGITS = r"(?!(?:19|20)\d\d[- ]?0)(?:[2-9]\d{3}(?:\s?[-\u00b7]\s?|\s)?\d{4}|[2-9]\d(?:[-\s]\d{2}){3})"
EIGHT_DIGIT_PHONE = re.compile(
    r"\b(?:phones?|ph|tel|cel|cells?|cellular|celular|celu|mobile|m[oó]vil|whatsapp|whats|wsp|telephone"
    r"|cellphone|tel[eé]fono|tlf|contacto|wa(?=\s*:)"
    # (`su número es`, `el número de su mamá`; not `su número de caso`)
    rf"|(?:su|mi|tu)\s+n[uú]mero|n[uú]mero(?=\s+de\s+(?:(?:su|mi|tu|la|el)\s+(?:{_FAMILY})|casa|trabajo|cel|tel))"
    rf"|(?:ll[aá]m|contact|comunic|escrib|marc)\w*(?:\s+(?:a|{_WHOSE})){{0,3}}\s+al|mensaje\s+al"
    rf"|{_NOT_OF}(?:{_FAMILY})(?=[\s:]*\d|[^\n\d:]{{1,30}}:\s*\d))(?:\b|(?=\d))"
    rf"(?:[.,]?\s+\(?(?:{_WHOSE})\b\)?){{0,5}}"
    r"(?:[\s:.,#-]{0,4}(?:no\b|number|num\b|de\s+contacto))?[\s:.,#-]{0,4}"
    rf"(?:\(?\+?50[2-7]\)?\s?)?(?<!\d)(?P<number>{_EIGHT_DIGITS})(?![\d-]){_NOT_AN_AMOUNT}"
)
# ...or with the word after it (`7788-1234 es su cel`, `5512-3344 (cel)`, `7788-1234 celular de la mamá`).
EIGHT_DIGIT_PHONE_SAID_AFTER = re.compile(
    rf"(?<![\d-])(?P<number>{_EIGHT_DIGITS})(?![\d-])(?=\s*(?:\(\s*(?:cel|celular|whatsapp|wsp)\s*\)"
    r"|(?:es|era)\s+(?:su|el|la|mi)\s+(?:cel|celular|tel[eé]fono|whatsapp|wsp|m[oó]vil)\b"
    r"|(?:cel|celular|tel[eé]fono)\s+(?:de|del)\s+(?:su|la|el|mi)?\b))"
)
# Central America's numbers with their country code but no `+` (`502 5512-3344`, `(503) 7788 1234`), when
# libphonenumber says the country has such a number; and a WhatsApp link's (`wa.me/50377881234`).
COUNTRY_CODED_PHONE = re.compile(
    r"(?<![\d+])\(?(?P<country>50[2-7])\)?[\s.-]{0,2}(?P<number>[2-9]\d{3}[\s.-]?\d{4})(?![\d-])"
)
WHATSAPP_LINK = re.compile(r"wa\.me/\+?\d{8,15}|whatsapp\.com/send/?\?phone=\+?\d{8,15}")
# Ten digits spaced out one by one (`3 1 2 5 5 5 0 1 9 9`), or grouped 3-3-4 with separators
# libphonenumber does not read (`312,555,0199`, `312x555x0199`, across lines).
SPACED_PHONE = re.compile(
    rf"(?<!\d)(?:1{SEP}{{1,3}})?[2-9](?:{SEP}{{1,3}}\d){{9}}(?!{SEP}?\d)"
    rf"|(?<![\d,.])\(?[2-9]\d{{2}}\)?(?!\d){_GAP}(?<!\d)\d{{3}}(?!\d){_GAP}(?<!\d)\d{{4}}(?![\d,.]\d)"
)
# A number the text itself says is something else: an order, an invoice, a tracking number.
_OTHER_NUMBER = re.compile(
    r"\b(?:p\.?\s?o\.?(?:\s+number|\s*#)?|purchase\s+order|invoice|inv|order|sku|item|tracking|track|"
    r"ups|fedex|usps|account|acct|ref|reference|confirmation|conf|receipt|claim|policy|member|serial|"
    r"model|part|isbn|zoom|meeting\s+id|id|gl|bates|req|requisition|budget|cost\s+center|object\s+codes?|partida"
    r"|grant)\b[^\n]{0,16}$"
)
# What libphonenumber's matcher can read as a number we keep (see `phones`): one with eight national digits
# or more, and a country code before them or ten of them (the US), so at least nine digits. The matcher
# chains digits with at most four characters of its punctuation between them (none a letter but `x`, `X`
# and the katakana `ー`); it reads a number with three letters in it as a vanity number, each letter a
# digit, and the letters it lets in are those `x`s and the extension words after the digits (`ext`, `int`,
# `anexo`). A stretch with neither nine digits and `x`s chained nor such a word after a digit (a date, an
# amount) cannot hold a number we keep, and the slow matcher is not run on it.
_MAY_BE_PHONE = (  # (two patterns, each starting with a class the engine skips ahead to)
    re.compile(r"[\dxX](?:[\W_\u30fc]{0,4}[\dxX]){8}"),
    re.compile(r"\d[\s,;]*(?i:e?xt|anexo|int)"),
)
_TOLL_FREE = re.compile(r"1?8(?:00|33|44|55|66|77|88)\d{7}$")
_SERVICE_NUMBERS = frozenset({PhoneNumberType.TOLL_FREE, PhoneNumberType.PREMIUM_RATE, PhoneNumberType.UAN})


_MORE_BEFORE, _MORE_AFTER = (
    16,
    24,
)  # `teléfono de la señora en honduras 9988-7766`, `7788-1234 es el teléfono`


def phones(text: str, lower: str, stretches: Sequence[Span], case_numbers: Sequence[Span]) -> list[Span]:
    """Personal phone numbers. libphonenumber's possible numbers with their area code (US by default, any
    country with a +), valid or made up (`555-123-4567` is written to be called), except service numbers
    (toll-free, premium) and those the text calls something else (an order or invoice number). The
    matcher is slow, so it reads only the stretches around runs of digits."""
    found = []
    for run_start, run_end in stretches:
        if any(pattern.search(text, run_start, run_end) for pattern in _MAY_BE_PHONE):
            found += _matched(text, run_start, run_end, case_numbers)
        shaped = [
            m.span("number")
            for p in (LOCAL_PHONE, GLUED_LOCAL_PHONE)
            for m in p.finditer(lower, run_start, run_end)
        ]
        # (Whose an eight-digit number is may take more words before it, and the word may come after it.)
        wider = max(0, run_start - _MORE_BEFORE), min(len(lower), run_end + _MORE_AFTER)
        shaped += [
            m.span("number")
            for pattern in (EIGHT_DIGIT_PHONE, EIGHT_DIGIT_PHONE_SAID_AFTER)
            for m in pattern.finditer(lower, *wider)
            if not _a_range(m["number"])
        ]
        shaped += spans_in(SPACED_PHONE, text, run_start, run_end) + _country_coded(lower, run_start, run_end)
        found += [(s, e) for s, e in shaped if not _TOLL_FREE.match(re.sub(r"\D", "", text[s:e]))]
    # A number the text says is something else (an order, an invoice) is that.
    return [(s, e) for s, e in found if not _OTHER_NUMBER.search(lower, max(0, s - 24), s)]


def _a_range(number: str) -> bool:
    """Two groups of four where the second is the first or up to 999 above it (extensions, years), two
    times of day on the quarter hour (`2200-0600`, overnight; `0845-1715`), or two round hundreds
    (`2500-4000` pesos)."""
    digits = re.sub(r"\D", "", number)
    first, second = int(digits[:4]), int(digits[-4:])
    return (
        0 <= second - first < 1000
        or all(hhmm // 100 < 24 and hhmm % 100 in (0, 15, 30, 45) for hhmm in (first, second))
        or first % 100 == second % 100 == 0
    )


def _country_coded(text: str, start: int, end: int) -> list[Span]:
    found = [m.span() for m in WHATSAPP_LINK.finditer(text, start, end)]
    for m in COUNTRY_CODED_PHONE.finditer(text, start, end):
        digits = m["country"] + re.sub(r"\D", "", m["number"])
        with contextlib.suppress(phonenumbers.NumberParseException):
            if phonenumbers.is_valid_number(phonenumbers.parse("+" + digits)):
                found.append(m.span())
    return found


def _matched(text: str, start: int, end: int, case_numbers: Sequence[Span]) -> list[Span]:
    """What libphonenumber's matcher finds in `text[start:end]` that may be a person's number."""
    found = []
    for match in PhoneNumberMatcher(text[start:end], "US", leniency=Leniency.POSSIBLE):
        at, until = start + match.start, start + match.end
        if any(s <= at < e for s, e in case_numbers):
            continue  # `2024-001234` is a case number first
        if len(str(match.number.national_number)) < 8:
            continue
        if phonenumbers.number_type(match.number) in _SERVICE_NUMBERS:
            continue
        found.append((at, until))
    return found


def ssn_spans(text: str, lower: str, stretches: Sequence[Span]) -> list[Span]:
    found = [span for start, end in stretches for span in ssns(text, lower, start, end)]
    if hinted(lower, SSN_HINTS):
        found += labelled_ssns(lower)
    return found


def a_numbers(lower: str, stretches: Sequence[Span]) -> list[Span]:
    found = [  # (`número de registro de extranjero 21234567`: a label longer than the stretch reads before)
        span
        for start, end in stretches
        for span in spans_in(A_NUMBER, lower, max(0, start - _MORE_BEFORE), end)
    ]
    if _A_HINT.search(lower):
        found += [
            (s, e)
            for start, end in stretches
            for s, e in spans_in(_A_LABEL_AFTER, lower, start, min(len(lower), end + _LABEL_AFTER_RUN))
            # `Receipt 12345678 (not the A#)`, `Bates 00041233, A-number redacted`
            if not _OTHER_NUMBER.search(lower, max(0, s - 24), s)
            and not _RECORD.search(lower, max(0, s - 24), s)
        ]
    return found
