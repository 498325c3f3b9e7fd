"""Dates of birth, found by what the text says about a date: `DOB 3/14/88`, `born on March 14, 1988`,
`3/14/1988 (DOB)`, `fecha de nacimiento: 14 de marzo de 1988`, `DOB? 3/14/1988` (an answer), and pasted data
(`"dob": "1988-03-14"`). A date alone is a hearing or a deadline
and goes; so does a year that says when a group of people were born (`born before 1970`)."""

from __future__ import annotations

import re

from storage.identifiers.text import Span

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
    r"|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre)\.?"
)
_ORDINAL_WORDS = (
    r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth"
    r"|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth"
    r"|twenty[\s-]?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|thirty[\s-]?first)"
)
_DAY = rf"(?:\d{{1,2}}(?:st|nd|rd|th)?|{_ORDINAL_WORDS})"
_YEAR = r"(?:\d{2,4}|(?:nineteen|two thousand)[\w\s-]{0,20})"
_OF = r"(?:\s*[,-]?\s*(?:of|de|del)?\s*)"  # `3 May`, `3rd of May`, `3-May-90`
# A whole date: numbers with any separator, or a month by name with its day.
_FULL_DATE = (
    rf"(?:\d{{1,2}}(?:[/.\-_,]|\s+)\d{{1,2}}(?:(?:[/.\-_,]|\s+)\d{{2,4}})?(?!\d)"
    rf"|\d{{4}}[/.\-_]\d{{1,2}}[/.\-_]\d{{1,2}}(?!\d)"
    rf"|{_MONTH}[\s-]*(?:the\s+)?{_DAY}(?:{_OF}{_YEAR})?"
    rf"|(?:the\s+)?{_DAY}(?:\s+day)?{_OF}{_MONTH}(?:{_OF}{_YEAR})?"  # `the 4th day of March, 1991`
    rf"|\d{{6,8}}(?!\d))"
)
_YEAR_OR_MONTH_YEAR = rf"(?:{_MONTH},?\s*(?:19|20)\d{{2}}|(?:19|20)\d{{2}})(?!\d)"
# After a birth label, a misspelt month is still a month (`DOB Mrach 14, 1988`).
_ANY_MONTH_DATE = r"[a-z]{3,9}\.?\s*\d{1,2}(?:st|nd|rd|th)?,?\s*(?:19|20)\d{2}(?!\d)"
# Each word's first letter comes before the check that no letter or digit stands before it (`d(?<!\wd)` is
# `\bd`), so the engine skips to the letters the words start with instead of trying every position.
_BIRTH_WORD = re.compile(  # (`dob03/04/1991`: a digit may follow the label at once)
    r"d(?<!\wd)[\s.-]{0,2}[o0][\s.-]{0,2}b(?![a-z])\.?|d(?<!\wd)/o/b\b|d(?<!\wd)ate[\s_-]*of[\s_-]*birth\b"
    r"|d(?<!\wd)ateofbirth\b|b(?<!\wb)irth\s*-?\s*(?:date|day|year)s?\b|b(?<!\wb)irth(?=\s*:)"
    r"|b(?<!\wb)-?day\b|b(?<!\wb)orn\b|y(?<!\wy)ob\b|y(?<!\wy)ear\s+of\s+birth\b"
    r"|f(?<!\wf)echa\s+(?:de\s+)?nac(?:imiento\b|\b\.?)|n(?<!\wn)acid[oa]\b"
    # `nacimiento` alone, not a certificate's (`acta de nacimiento pedida el 3/4/2025`)
    r"|n(?<!\wn)(?<!acta de n)(?<!certificado de n)(?<!partida de n)acimiento\b"
    r"|f(?<!\wf)\s?\.?\s?d\s?\.?\s?n\b\.?"
    r"|b(?<![\w.]b)\.(?=\s*\d)"
)
# A few words between the label and the date, without a digit or a sentence's end (`born on`, `DOB is`),
# or an aside between commas or in brackets (`born, according to his mother, on 3/14/1988`); a line break
# only right after a colon (`DOB:\n03/14/1988`). Not more: `born in Honduras, arrived 3/14/2019` is not
# a birth date.
_WORDS = r"(?::\s*|[^\n\d.!?;>\"“”,(]|\.(?=\s*\d))"
_ASIDE = r"(?:\s*,[^,\n\d.;!?]{1,40},\s*|\s*\([^)\n\d]{1,60}\)\s*)"
_GAP = rf"{_WORDS}{{0,24}}?(?:{_ASIDE}{_WORDS}{{0,8}}?)?[(\[]?"  # `born (3/14/1988)`
_SHORT_GAP = rf"{_WORDS}{{0,12}}?"
# Right after the label, a comma or one line break, then a whole date with its year (`DOB, 3/14/1988`, a
# form's `DOB` above its value); without the year it is more often the next thing (`Need DOB, 3/14 hearing`).
_LEAD_DATE = (  # (`dob,1991-03-04`: a CSV's column, the year first)
    r"[ \t]*[,\n][ \t]*"
    r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:19|20)?\d{2}|(?:19|20)\d{2}[/.\-]\d{1,2}[/.\-]\d{1,2})(?!\d)"
)
# Marks right after a label and just before its value: a question's (`DOB? 3/4/1991`, answering), an
# arrow, an equals sign, quotes and a colon (`"dob": "1991-03-04"`, pasted data). Only then: after a `?`
# or a `;` with words, the date is the next thing's (`We need the DOB; the hearing is on 12/19`).
_MARKS = r"""(?:\s*(?:[?;:=>"“”'-]|&gt;)){1,4}\s*"""
_WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s*)?"  # `DOB Monday, March 4, 1991`
_DATE_AFTER = re.compile(
    rf"{_GAP}{_WEEKDAY}{_FULL_DATE}|{_SHORT_GAP}{_YEAR_OR_MONTH_YEAR}|{_SHORT_GAP}{_ANY_MONTH_DATE}"
    rf"|{_MARKS}{_FULL_DATE}|{_LEAD_DATE}"
)
# A birthday is named close to its date (`birthday is July 4`), not a party's (`birthday party ... 12/19`).
_DAY_AFTER = re.compile(rf"{_SHORT_GAP}{_FULL_DATE}|{_LEAD_DATE}")
_BIRTHDAY = re.compile(r"b(?:irth)?-?day")
_DATE_BEFORE = re.compile(
    rf"{_FULL_DATE}\s*(?:(?:is|was)\s+(?:(?:his|her|their|the|my)\s+)?)?[(\[,:-]?\s*$"  # `... is her DOB`
)
# A year that bounds a group (`born after 2024`, `born before 1970`) says nothing about one person.
_A_GROUP = re.compile(r"\s*(?:in\s+or\s+)?(?:after|before|since|between|from|prior\s+to)\b")
_HINTS = re.compile(
    r"d\W{0,2}[o0]\W{0,2}b|born|birth|b-?day|yob|nacimiento|nacid|fecha\s+(?:de\s+)?nac|f\W{0,2}d\W{0,2}n"
    r"|b\.\s*\d"
)


def birth_dates(lower: str) -> list[Span]:
    found = []
    hinted = [h.start() for h in _HINTS.finditer(lower)]
    words = {w.span(): w for h in hinted for w in _BIRTH_WORD.finditer(lower, max(0, h - 24), h + 24)}
    for word in words.values():
        if _A_GROUP.match(lower, word.end()):
            continue
        reading = _DAY_AFTER if _BIRTHDAY.fullmatch(word[0]) else _DATE_AFTER
        after = reading.match(lower, word.end(), word.end() + 90)
        if after:
            found.append((word.start(), after.end()))
        before = _DATE_BEFORE.search(lower, max(0, word.start() - 30), word.start())
        if before:
            found.append((before.start(), word.end()))
    return found
