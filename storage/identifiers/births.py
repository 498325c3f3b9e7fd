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
    r"|b\.\s*\d|nac(?:i[oó]|e\b|iste|ieron)|vino\s+al\s+mundo"
)

# Spanish `nació` (`nace`, `naciste`, `vino al mundo`) is a verb: a birth when its subject is a person or
# is not written (Spanish drops it: `nació el 14/03/89`), not when it is a thing (`la clínica nació el 3 de
# mayo de 2010`, `el programa nació el 15/06/2020`). Between it and the date only small words and a place
# (`nació en Honduras el 14/03/89`), not another verb (`nació en Honduras y llegó el 3/4/2019`).
_BORN_VERB = re.compile(r"n(?<!\wn)ac(?:i[oóí]?|iste)\b|v(?<!\wv)ino\s+al\s+mundo\b")
_SMALL_WORD = r"(?:el|un|d[ií]a|pasado|de|del|en(?:\s+[a-zñáéíóú]+){1,2}(?=\s+el\b)|en)"
_WITH_YEAR = (  # (a year: `la idea nació el 3/4` is a day of a month; `nace de 2,5 millones` no date)
    rf"(?:\d{{1,2}}[/.\-\s]\d{{1,2}}[/.\-\s]\d{{2,4}}|\d{{4}}[/.\-]\d{{1,2}}[/.\-]\d{{1,2}}|\d{{1,2}}{_OF}{_MONTH}{_OF}\d{{2,4}})"
)
_BORN_DATE = re.compile(rf"\s*:?(?:\s+{_SMALL_WORD}){{0,3}}\s+{_WITH_YEAR}(?![a-zñ\d])")
_DETERMINER = (
    r"(?:el|la|los|las|este|esta|estos|estas|ese|esa|aquel|aquella|nuestr[oa]s?|un|una|mi|mis|tu|tus|su|sus)"
)
_SUBJECT = re.compile(rf"\b{_DETERMINER}\s+(?P<noun>[a-zñáéíóúü]+)(?:\s+[^\s.!?;]+){{0,7}}[\s,:]+$")
_THING = re.compile(
    r"\b(?:esto|eso|todo|aquello|ello|ambas|ambos|dos|tres|honduras|guatemala|m[eé]xico|salvador|nicaragua)\s+$"
)
_SUBJECT_AFTER = re.compile(rf"[\s,]+(?:como\s+)?{_DETERMINER}\s+(?P<noun>[a-zñáéíóúü]+)")
_PEOPLE = frozenset(  # (nouns for a person, in the singular: one is born at a time)
    """niño niña nino nina hijo hija hijastro hijastra bebé bebe cliente clienta señor señora senor senora
    señorita senorita joven menor muchacho muchacha chico chica hermano hermana hermanito hermanita primo
    prima sobrino sobrina nieto nieta esposo esposa pareja madre padre mamá mama papá papa acusado acusada
    defendido defendida representado representada detenido detenida imputado imputada demandado demandada
    persona víctima victima testigo hombre mujer compañero compañera tío tía tio tia abuelo abuela novio
    novia usuario usuaria participante solicitante""".split()  # noqa: SIM905
)


def birth_dates(lower: str, read: str = "") -> list[Span]:
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
    for verb in _BORN_VERB.finditer(lower) if "nac" in lower or "al mundo" in lower else ():
        date = _BORN_DATE.match(lower, verb.end())
        if date and _said_of_a_person(lower, verb.start(), date.end()) and not _an_acronym(read, verb, date):
            found.append((verb.start(), date.end()))
    return found


def _said_of_a_person(lower: str, verb: int, date_end: int) -> bool:
    """Whether the subject of the verb at `verb` may be a person: the noun just before it in its sentence,
    or just after its date (`nació el 15/06/2020 el programa`), is one's or there is none."""
    sentence = re.split(r"[.!?;\n]", lower[max(0, verb - 80) : verb])[-1]
    if _THING.search(sentence):
        return False
    subject = _SUBJECT.search(sentence) or _SUBJECT_AFTER.match(lower, date_end)
    return subject is None or subject["noun"] in _PEOPLE


def _an_acronym(read: str, verb: re.Match[str], date: re.Match[str]) -> bool:
    """An organization's initials right before the verb or after its date (`ICE nació el 1 de marzo de
    2003`, `Nació el 1 de marzo de 2003 ICE`)."""
    before = re.search(r"\b([A-Z]{2,})\W*$", read[max(0, verb.start() - 12) : verb.start()])
    after = re.match(r"[\s,]*[A-Z]{2,}\b", read[date.end() : date.end() + 12])
    return bool(read) and (before is not None or after is not None)
