"""Builds the labelled corpus the identifier guard is measured on (`python -m bench.corpus.build`):
identifiers.json (texts that must be refused, each labelled with its class and how it is disguised) and
ordinary.json (texts of the kinds people write in referrals, consults and action items, which must go).

Deterministic (a fixed seed), so the files in the repository are what this script writes. The variants
are the spellings a hurried defender types and the disguises a careful attacker would try: other
separators and dashes, full-width and other-script characters, invisible characters, spelled-out
punctuation, other orders and joins of a name."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path

from bench.corpus import adversarial

HERE = Path(__file__).parent
RNG = random.Random(20261202)
ZW = "\u200b"  # zero-width space
NBSP = "\u00a0"
DASHES = {
    "hyphen-minus": "-",
    "en dash": "\u2013",
    "em dash": "\u2014",
    "minus sign": "\u2212",
    "hyphen U+2010": "\u2010",
    "non-breaking hyphen": "\u2011",
    "figure dash": "\u2012",
    "full-width hyphen": "\uff0d",
    "small hyphen": "\ufe63",
}
# The case numbers and names the corpus's office has configured (tests and the bench use the same).
CASE_NUMBER = "24-CR-0113"  # the item's own, in the tests that post corpus texts
OFFICE_PATTERN = r"\bPD-\d{6}\b"  # LIAISON_CASE_NUMBER_PATTERN
DO_NOT_POST = ["John Doe", "José Núñez", "Maria Ortiz", "Aaliyah Washington-Brooks", "Nguyen Van An"]


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def arabic_indic(text: str) -> str:
    return "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in text)


def devanagari(text: str) -> str:
    return "".join(chr(0x0966 + int(c)) if c.isdigit() else c for c in text)


def zero_width_inside(text: str) -> str:
    return ZW.join(text)


CYRILLIC = {
    "a": "а",
    "o": "о",
    "e": "е",
    "p": "р",
    "c": "с",
    "x": "х",
    "y": "у",
    "A": "А",
    "O": "О",
    "E": "Е",
    "M": "М",
    "H": "Н",
    "T": "Т",
    "K": "К",
    "B": "В",
    "C": "С",
    "P": "Р",
    "X": "Х",
    "i": "і",
    "J": "Ј",
}


def cyrillic(text: str) -> str:
    return "".join(CYRILLIC.get(c, c) for c in text)


def greek(text: str) -> str:
    table = {
        "A": "Α",
        "B": "Β",
        "E": "Ε",
        "H": "Η",
        "I": "Ι",
        "K": "Κ",
        "M": "Μ",
        "N": "Ν",
        "O": "Ο",
        "o": "ο",
        "P": "Ρ",
        "T": "Τ",
        "X": "Χ",
        "Z": "Ζ",
        "v": "ν",
    }
    return "".join(table.get(c, c) for c in text)


SETTINGS = [
    "{x}",
    "Client {x}, needs help with housing.",
    "Please note {x} for the intake.",
    "Re: benefits appeal. {x}. Thanks!",
    "Urgent - {x} - eviction hearing Friday.",
    "{x} (from the client's file)",
    "She asked us to pass on: {x}",
    "Per our call yesterday, {x}; the partner will follow up.",
]


def placed(text: str) -> str:
    return RNG.choice(SETTINGS).format(x=text)


Case = dict[str, str]


def _cases(what: str, variants: Iterator[tuple[str, str]]) -> list[Case]:
    return [{"class": what, "variant": variant, "text": placed(text)} for variant, text in variants]


def ssns() -> Iterator[tuple[str, str]]:
    numbers = ["123-45-6789", "078-05-1120", "219-09-9999", "457-55-5462", "536-22-8726", "301-62-4019"]
    for number in numbers:
        a, b, c = number.split("-")
        yield "dashed", f"SSN {a}-{b}-{c}"
        yield "spaces", f"SSN {a} {b} {c}"
        yield "dots", f"ssn: {a}.{b}.{c}"
        yield "bare nine digits", f"{a}{b}{c}"
        for name, dash in list(DASHES.items())[1:]:
            yield name, f"social security number {a}{dash}{b}{dash}{c}"
        yield "zero-width inside", f"SSN {zero_width_inside(a + b + c)}"
        yield "full-width digits", f"SSN {full_width(f'{a}-{b}-{c}')}"
        yield "arabic-indic digits", f"SSN {arabic_indic(f'{a}-{b}-{c}')}"
        yield "digits spaced out", " ".join(a + b + c)
        yield "no-break spaces", f"SS# {a}{NBSP}{b}{NBSP}{c}"
        yield "last four", f"SSN ending in {c}"
        yield "masked first five", f"Soc Sec # xxx-xx-{c}"


def birth_dates() -> Iterator[tuple[str, str]]:
    forms = [
        ("DOB numeric", "DOB 03/14/1988"),
        ("D.O.B. with dots", "D.O.B. 03/14/1988"),
        ("dob lowercase colon", "dob: 3/14/88"),
        ("d/o/b", "d/o/b 3-14-1988"),
        ("date of birth written", "date of birth March 14, 1988"),
        ("born day month year", "born 14 March 1988"),
        ("born on written", "born on Mar. 14th, 1988"),
        ("birthday dashes", "birthday 3-14-88"),
        ("b-day", "b-day 3/14"),
        ("born in year", "born in 1988"),
        ("age then born", "age 34, born 3/14/1988"),
        ("iso date", "DOB 1988-03-14"),
        ("dotted date", "DOB: 14.03.1988"),
        ("date then (DOB)", "03/14/1988 (DOB)"),
        ("birthdate one word", "birthdate 3/14/1988"),
        ("birth date two words", "Birth date: 14 Mar 1988"),
        ("spanish", "fecha de nacimiento 14/03/1988"),
        ("DOB full-width", full_width("DOB 03/14/1988")),
        ("DOB zero-width", f"D{ZW}O{ZW}B 03/14/1988"),
        ("DOB en dash", "DOB 03\u201314\u20131988"),
        ("DOB six digits", "DOB 031488"),
        ("born month year", "born March 1988"),
        ("D.O.B no final dot", "D.O.B 3/14/88"),
        ("DOB is", "her DOB is 7/4/1990"),
        ("birthday written", "birthday is July 4"),
        ("Born capital", "Born: 12/25/1979"),
        ("dob cyrillic o", cyrillic("dob") + " 11/02/1985"),
        ("dob arabic digits", "DOB " + arabic_indic("11/02/1985")),
        ("date of birth iso", "date of birth: 2001-09-30"),
        ("born the", "born the 5th of May, 1995"),
        ("DOB spaced dots", "D. O. B. 5/5/1995"),
        ("DOB hyphen U+2010", "DOB 05\u201005\u20101995"),
        ("birthday dots", "birthday 5.5.95"),
        ("dob in parentheses", "(dob 2/29/1996)"),
        ("b'day", "bday 2/29"),
    ]
    yield from forms


def phones() -> Iterator[tuple[str, str]]:
    numbers = [
        ("312", "555", "0199"),
        ("773", "262", "4021"),
        ("212", "639", "9675"),
        ("415", "863", "1107"),
        ("202", "456", "1414"),
    ]
    for a, b, c in numbers:
        yield "parentheses no space", f"call ({a}){b}-{c}"
        yield "parentheses", f"cell ({a}) {b}-{c}"
        yield "dashes", f"phone {a}-{b}-{c}"
        yield "dots", f"{a}.{b}.{c}"
        yield "spaces", f"reach her at {a} {b} {c}"
        yield "ten digits", f"{a}{b}{c}"
        yield "+1 country code", f"+1 {a} {b} {c}"
        yield "1- prefix", f"1-{a}-{b}-{c}"
        yield "hyphen U+2010", f"{a}\u2010{b}\u2010{c}"
        yield "en dashes", f"tel {a}\u2013{b}\u2013{c}"
        yield "full-width digits", full_width(f"{a}-{b}-{c}")
        yield "zero-width inside", zero_width_inside(f"{a}{b}{c}")
        yield "slash", f"{a}/{b}-{c}"
    yield "seven digits with context", "call her at 555-0199"
    yield "seven digits cell", "cell 262-4021"
    yield "spaced out", "3 1 2 5 5 5 0 1 9 9"
    yield "international UK", "+44 20 7946 0958"
    yield "international Mexico", "+52 55 1234 5678"
    yield "arabic-indic digits", arabic_indic("312-555-0199")
    yield "devanagari digits", devanagari("(773) 262-4021")
    yield "ph#", "ph# 773-262-4021"
    yield "made-up exchange", "call 555-123-4567"
    yield "all fives", "cell (555) 555-5555"
    yield "the classic fake", "phone 123-456-7890"
    yield "zeros with context", "cell 000-000-0000"
    yield "nines spaced", "call 999 999 9999"
    yield "with extension", "call 312 555 0199 ext 12"
    yield "half joined", "tel 312-5550199"
    yield "international prefix 011", "tel 011 44 20 7946 0958"
    yield "1 and parentheses", "call 1 (312) 555-0199"
    yield "mob", "mob 262-4021"
    yield "Mob, glued", "Mob: 5550199"
    yield "cellular", "cellular 555-0199"


def emails() -> Iterator[tuple[str, str]]:
    yield "plain", "jdoe@example.com"
    yield "full-width at", "jdoe＠example.com"
    yield "full-width all", full_width("jdoe@example.com")
    yield "[at] [dot]", "jdoe [at] example [dot] com"
    yield "(at) (dot)", "jdoe(at)example(dot)org"
    yield "{at}", "jdoe{at}gmail{dot}com"
    yield "spelled at dot", "jdoe at gmail dot com"
    yield "spelled at, real dot", "write to jdoe at gmail.com"
    yield "uppercase", "JDOE@EXAMPLE.ORG"
    yield "plus", "maria.ortiz+court@legalaid.org"
    yield "subdomain", "client123@mail.univ.edu"
    yield "zero-width", f"jdoe{ZW}@{ZW}example.com"
    yield "spaces around @", "jdoe @ example.com"
    yield "no tld", "jdoe@example"
    yield "cyrillic letters", cyrillic("maria.lopez@example.com")
    yield "<at>", "jdoe <at> yahoo <dot> com"
    yield "dot in brackets only", "j.doe@hotmail[.]com"
    yield "underscores", "john_doe_88@outlook.com"
    yield "digits", "m0rtiz1988@gmail.com"
    yield "hyphen domain", "contact@legal-aid.org"
    yield "small commercial at", "jdoe\ufe6bexample.com"
    yield "e-mail prefix", "e-mail: jd@x.io"
    yield "spelled AT caps", "JDOE AT GMAIL DOT COM"
    yield "dots in local", "first.middle.last@agency.gov"
    yield "percent", "user%tag@example.net"
    yield "two addresses", "jdoe@example.com or janed@example.com"
    yield "trailing period", "email is jdoe@example.com."
    yield "angle brackets", "<jdoe@example.com>"
    yield "mailto", "mailto:jdoe@example.com"
    yield "no-break spaces", f"jdoe{NBSP}@{NBSP}example.com"
    yield "dotted name and a year, plain at", "m.ortiz1988 at famtree.net"
    yield "underscore name, plain at", "maria_ortiz88 at homemail.org"
    yield "after 'email:', plain at", "email: l.park at cps.edu"
    yield "after 'her email is', plain at", "her email is mo.88 at firm.org"
    yield "a space after the dot", "jdoe88 at acmecorp. com"
    yield "a newer top-level domain", "jdoe88 at acmecorp.online"
    yield "[at] [dot] email", "jdoe [at] acmecorp [dot] email"


def addresses() -> Iterator[tuple[str, str]]:
    yield from [
        ("long street name", "1234 Martin Luther King Blvd"),
        ("Ct", "55 Elm Ct"),
        ("Way with Apt", "12 Oak Way Apt 4"),
        ("P.O. Box", "P.O. Box 4411"),
        ("PO Box", "PO Box 12"),
        ("Post Office Box", "Post Office Box 771"),
        ("POB", "POB 9"),
        ("P O Box spaced", "P O Box 318"),
        ("Street full", "221B Baker Street"),
        ("Ave NW", "1600 Pennsylvania Ave NW"),
        ("range", "12-14 Main St"),
        ("lowercase", "1234 main st"),
        ("ordinal", "500 5th Ave"),
        ("unit letter", "77 Lake Shore Dr Apt 4B"),
        ("hash unit", "900 N Michigan Ave #1205"),
        ("Unit", "18 Cedar Ln Unit 3"),
        ("Suite", "350 W Mart Center Dr Suite 200"),
        ("directional", "400 W Madison St"),
        ("directional no type", "400 W Madison"),
        ("Road", "3300 Old Farm Road"),
        ("Rd.", "45 Mill Rd."),
        ("Blvd.", "8 Sunset Blvd."),
        ("Parkway", "2 Lincoln Pkwy"),
        ("Terrace", "16 Ivy Terrace"),
        ("Place", "9 Hudson Pl"),
        ("Circle", "101 Willow Cir"),
        ("Lane", "63 Primrose Lane"),
        ("Drive", "4000 Deer Run Drive"),
        ("Highway", "12500 Highway 20"),
        ("Court spelled", "7 Tanglewood Court"),
        ("Trail", "1450 Indian Trail"),
        ("Square", "1 Washington Square"),
        ("Plaza", "3 Civic Plaza"),
        ("Alley", "22 Rose Alley"),
        ("Apartment word", "88 Grove St Apartment 12"),
        ("Floor", "120 Broadway Fl 3"),
        ("Room", "55 Water St Rm 14"),
        ("full-width digits", full_width("1234") + " Martin Luther King Blvd"),
        ("zero-width in number", f"12{ZW}34 Elm St"),
        ("cyrillic street", "55 " + cyrillic("Elm") + " Ct"),
        ("no-break spaces", f"55{NBSP}Elm{NBSP}Ct"),
        ("uppercase", "1234 MARTIN LUTHER KING BLVD"),
        ("comma city", "lives at 2600 S California Ave, Chicago"),
        ("Apt alone", "Apt 4B at the same building"),
        ("Street with period", "10 Downing St."),
        ("Avenue spelled", "350 Fifth Avenue"),
        ("house number letter", "14A Orchard St"),
        ("two word name", "742 Evergreen Terrace"),
        ("Loop", "15 Hidden Valley Loop"),
        ("Pike", "9000 Rockville Pike"),
        ("en dash range", "12\u201314 Main St"),
        ("PO Box zero-width", f"P.O.{ZW} Box 4411"),
    ]


def case_numbers() -> Iterator[tuple[str, str]]:
    yield from [
        ("glued two-digit year", "24CR0999"),
        ("four-digit year dashes", "2024-CR-0999"),
        ("the usual", "24-CR-0113"),
        ("lowercase", "24-cr-0113"),
        ("spaces", "24 CR 0113"),
        ("slashes", "24/CR/113"),
        ("code first", "CR-2024-0999"),
        ("code first glued", "CF2024001234"),
        ("felony code", "2023-CF-004512"),
        ("misdemeanour", "24-MM-55123"),
        ("juvenile", "24-JV-00123"),
        ("traffic", "2024TR012345"),
        ("one-letter code", "24-M-1234"),
        ("en dash", "24\u2013CR\u20130113"),
        ("em dash", "24\u2014CR\u20140113"),
        ("zero-width", f"24-{ZW}CR-0113"),
        ("zero-width every char", zero_width_inside("24CR0113")),
        ("full-width", full_width("24-CR-0113")),
        ("case no.", "case no. 2024-001234"),
        ("Case #", "Case #23-12345"),
        ("docket", "Docket No. 1:24-cv-01234"),
        ("cause number", "cause number 2024-0456"),
        ("any letters dashed", "24-ABC-1234"),
        ("dotted", "24.CR.0113"),
        ("underscore", "24_CR_0113"),
        ("office pattern", "PD-004512"),
        ("office pattern lowercase", "pd-004512"),
        ("office pattern en dash", "PD\u2013004512"),
        ("civil", "2024-CV-7781"),
        ("domestic relations", "24-DR-1022"),
        ("cyrillic letters", "24-" + cyrillic("CR") + "-0113"),
        ("spaces lowercase", "24 cr 113"),
        ("U+2010", "24\u2010CR\u20100113"),
        ("minus", "24\u2212CR\u22120113"),
        ("four-digit year glued", "2024CR0999"),
    ]


def own_case_numbers() -> Iterator[tuple[str, str]]:
    """The item's own case number (CASE_NUMBER) in other spellings the general shapes might miss."""
    yield from [
        ("own, glued lowercase", "24cr0113"),
        ("own, spaced", "2 4 C R 0 1 1 3"),
        ("own, dots between every char", "2.4.C.R.0.1.1.3"),
        ("own, full-width glued", full_width("24CR0113")),
        ("own, zero-width and en dash", f"24{ZW}\u2013{ZW}CR{ZW}\u20130113"),
    ]


def names() -> Iterator[tuple[str, str]]:
    yield from [
        ("as written", "John Doe"),
        ("surname first", "Doe, John"),
        ("underscore", "John_Doe"),
        ("joined", "JohnDoe"),
        ("middle initial", "John Q. Doe"),
        ("spaced letters", "J o h n  D o e"),
        ("full-width", full_width("John Doe")),
        ("cyrillic o", "J\u043ehn Doe"),
        ("uppercase", "JOHN DOE"),
        ("lowercase", "john doe"),
        ("initial and surname", "J. Doe"),
        ("hyphen joined", "John-Doe"),
        ("zero-width inside", f"Jo{ZW}hn D{ZW}oe"),
        ("dots between letters", "J.o.h.n D.o.e"),
        ("reversed joined", "DoeJohn"),
        ("greek letters", greek("JOHN DOE")),
        ("no-break space", f"John{NBSP}Doe"),
        ("accents dropped", "Jose Nunez"),
        ("as written accents", "José Núñez"),
        ("surname first accents dropped", "Nunez, Jose"),
        ("typo in a long name", "Jose Nunes"),
        ("uppercase accents dropped", "JOSE NUNEZ"),
        ("combining accents", "Jose\u0301 Nu\u0301n\u0303ez"),
        ("joined accents dropped", "JoseNunez"),
        ("Maria Ortiz", "Maria Ortiz"),
        ("Maria Ortiz surname first", "Ortiz, Maria"),
        ("Maria Ortiz typo", "Maria Ortis"),
        ("Maria Ortiz middle", "Maria E. Ortiz"),
        ("Maria Ortiz accent added", "María Ortíz"),
        ("Maria Ortiz cyrillic a", "M\u0430ria Ortiz"),
        ("Maria Ortiz joined", "MariaOrtiz"),
        ("hyphenated surname", "Aaliyah Washington-Brooks"),
        ("hyphenated surname spaced", "Aaliyah Washington Brooks"),
        ("hyphenated surname first", "Washington-Brooks, Aaliyah"),
        ("hyphenated typo", "Aaliyah Washingtn-Brooks"),
        ("three-part name", "Nguyen Van An"),
        ("three-part reordered", "An Nguyen Van"),
        ("three-part joined", "NguyenVanAn"),
        ("possessive", "John Doe's lease"),
        ("in a sentence", "spoke with john doe yesterday"),
        ("underscore lowercase", "maria_ortiz"),
        ("full-width accents", full_width("Jose") + " " + full_width("Nunez")),
        ("title", "Mr. John Doe"),
        ("dash between", "John \u2013 Doe"),
        ("doubled spaces", "John    Doe"),
    ]


def a_numbers() -> Iterator[tuple[str, str]]:
    yield from [
        ("A glued", "A123456789"),
        ("A dash", "A-123-456-789"),
        ("A spaced", "A 123 456 789"),
        ("A eight digits", "A12345678"),
        ("A-number words", "A-number 123456789"),
        ("alien registration number", "alien registration number 087654321"),
        ("A#", "A# 201-555-123"),
        ("full-width", full_width("A123456789")),
        ("en dashes", "A\u2013123\u2013456\u2013789"),
        ("zero-width", zero_width_inside("A123456789")),
    ]


GENERATORS: dict[str, Callable[[], Iterator[tuple[str, str]]]] = {
    "ssn": ssns,
    "birth_date": birth_dates,
    "phone": phones,
    "email": emails,
    "address": addresses,
    "case_number": case_numbers,
    "own_case_number": own_case_numbers,
    "do_not_post": names,
    "a_number": a_numbers,
}


# The review's disguises that the guard does not catch, and why they are left (each in the closing note of
# issue 15): a ZIP+4 shape is not read as an SSN; numbers spelled as words beyond single digits, a rural
# grid address and Cherokee look-alikes are not read at all.
KNOWN_MISSES = {
    "house number in words",
    "house number in words, three words",
    "house number in words, hundred",
    "5-4 grouping",
    "Wisconsin grid",
    "own case, words",
    "Cherokee letters",
    "split across numbered list items",
    "a Cook County municipal case",
    "a nickname of a do-not-post name",
    # The fifth review (December 4), in the closing note of issue 19: court formats of other states, a
    # court's code spelled out, a long gap after `born`, a typo in a short word (tolerated, too many names
    # would match).
    "a Pennsylvania common pleas docket",
    "a Michigan felony number, the code last",
    "own case, 'criminal' for CR",
    "a long gap between 'born' and the date",
    "a typo in a three-letter surname",
    # The sixth tester of December 5: readings tried and narrowed after its ordinary texts (headlines,
    # `nace el 1 de julio: servicio...`; exam tables, `912345678 A No`; `write to storage at ...`).
    "Spanish 'nace el'",
    "'A no' unbracketed after the number",
    "'write to', a plain name",
    "Spanish 'escribirle a' and 'punto com'",
}
# The review's ordinary texts the guard refuses on purpose: a public building's street address, an
# agency's email address and a misprinted case number are identifiers by their shape.
REFUSED_BY_DESIGN = {
    "Room 1234 on the 12th floor, 50 W Washington building.",
    "Email the clinic at intake@legalaid.org (not the client).",
    "Case law: 24 CR 113 is a misprint in the brief; cite the statute instead.",
    "The 3rd district station, 7040 S Cottage Grove Ave, has a lobby.",
}


def identifiers() -> list[Case]:
    generated = [case for what, make in GENERATORS.items() for case in _cases(what, make())]
    reviewed = [
        {"class": what, "variant": f"review: {variant}", "text": text}
        for what, variant, text in adversarial.DISGUISES
        if variant not in KNOWN_MISSES
    ]
    return generated + reviewed


# ---- ordinary text --------------------------------------------------------------------------------------

SENTENCES = [
    "Hearing on {date} at {time} in courtroom {room}.",
    "Next court date is {date}; client must appear.",
    "Motion filed {date}, response due {date2}.",
    "Eviction case filed {iso}; the landlord claims ${money} in back rent.",
    "Client owes ${money} in fines and fees.",
    "She has {n} kids, ages {a1}, {a2} and {a3}.",
    "Needs housing help within {n} business days.",
    "Charged under {statute}; bond set at ${money}.",
    "Arraignment {date} at {time}, {building}, room {room}.",
    "Referral for {need}: client lost a job in {month}.",
    "{first} from the clinic will call back tomorrow.",
    "{first} asked whether the partner can take a case this week.",
    "Lives near {street} and takes the bus to work.",
    "Works on {street} and can meet after {time}.",
    "Please confirm by {weekday} whether you have capacity.",
    "Client is on SSI; monthly benefit is ${money}.",
    "Social security benefits were cut in {month}; needs help with the appeal.",
    "The immigration hearing is set for {date} at {time}.",
    "Probation ends {date}; {n} hours of community service left.",
    "Sentencing postponed to {date} at {time}.",
    "We need {n} letters of support by {weekday}.",
    "Expungement petition under {statute}.",
    "Treatment intake scheduled {date}; {n} sessions a week.",
    "Case is in courtroom {room} before Judge {surname}.",
    "Legal aid can take {n} new clients in {month}.",
    "Rent is ${money} a month; utilities are shut off.",
    "Call the {hotline} if things get worse.",
    "The client prefers Spanish; an interpreter is booked for {date}.",
    "Two prior referrals in {year}, both completed.",
    "Filed {n} FOIA requests in {year}; {n2} still pending.",
    "Policy meeting at {time} on {weekday} about {topic}.",
    "Draft comments on {topic} due {date}.",
    "Coalition letter to the county board: {n} signatures so far.",
    "Data shows {n}% of pretrial detainees held over {n2} days.",
    "Testimony before the {committee} committee on {date}.",
    "Bail reform bill {bill} has its hearing on {date}.",
    "Please review section {section} of the draft ordinance.",
    "Training on {topic} at {time}, {building}.",
    "Client was released on {date} and needs a shelter bed.",
    "Mental health evaluation requested; earliest slot {date} at {time}.",
    "Needs a ride to court on {weekday} at {time}.",
    "Contact the intake desk at the front office.",
    "Parole hearing is {weekday}; the board meets at {time}.",
    "Family court date moved to {date}.",
    "Child support arrears of ${money}; modification hearing {date}.",
    "The shelter has {n} beds open tonight.",
    "Job training program starts {date}, {n} weeks long.",
    "Record shows {n} prior arrests, no convictions.",
    "The partner closed {n} referrals last quarter.",
    "Waiting list is about {n} weeks.",
    "Born and raised in {city}; has family support nearby.",
    "Age {age}, lives with a grandmother.",
    "Born abroad; needs an immigration consult before the plea.",
    "Client speaks {language} and some English.",
    "Hearing moved from courtroom {room} to {room2}.",
    "Due {date2} by {time}.",
    "Meet at {building} at {time}.",
    "Call {first} at the front desk if you have questions.",
    "Referral from {first} at the clinic.",
    "Out of jail since {month} {year}.",
    "We filed {n} motions to suppress this term.",
    "Schedule: {weekday} {time}-{time2}.",
    "Needs {n} bus passes for appointments.",
    "Owes ${money} to the housing authority; payment plan requested.",
    "The county pays {n}% of the program.",
    "Room {room} is on the {floor} floor.",
    "Court reporter fee is ${money}.",
    "Chapter {n} bankruptcy discharged in {year}.",
    "Ask for {first} or {first2} at the clinic.",
    "The office on {street} is closed {weekday}.",
    "Visit {url} for the application.",
    "Forms are at {url}.",
]

FILL = {
    "date": [
        "12/4",
        "12/04/2026",
        "Dec 4",
        "December 4",
        "January 12, 2027",
        "1/12/27",
        "Friday, Dec 11",
        "3/2",
        "the 15th",
        "Feb. 3",
    ],
    "date2": ["12/18", "2026-12-18", "Jan 8", "January 8th", "12/22/2026"],
    "iso": ["2026-11-02", "2026-10-15", "2026-09-30"],
    "time": ["9:30", "9:30 am", "10 am", "1:30 PM", "2pm", "noon", "8:45"],
    "time2": ["11:00", "4 pm", "5:30"],
    "room": ["1402", "302", "4B", "700", "12", "1606", "2201"],
    "room2": ["1502", "205", "9A"],
    "money": ["1,234", "250", "3,400.50", "12,000", "95", "1,050", "600"],
    "n": ["2", "3", "4", "5", "10", "12", "30", "45", "100", "250"],
    "n2": ["1", "6", "14", "21"],
    "a1": ["2", "4", "6"],
    "a2": ["7", "8", "9"],
    "a3": ["11", "13", "15"],
    "age": ["17", "19", "24", "34", "52", "67"],
    "statute": [
        "720 ILCS 5/12-3.05",
        "625 ILCS 5/11-501",
        "18 U.S.C. 922(g)",
        "Penal Code 459",
        "RCW 9A.56.068",
        "Section 8 of the Housing Act",
        "42 U.S.C. 1983",
        "O.C.G.A. 16-13-30",
        "MCL 750.529",
    ],
    "building": [
        "the Daley Center",
        "the Leighton building",
        "the county courthouse",
        "the annex",
        "City Hall",
    ],
    "need": ["housing", "benefits", "immigration", "mental health", "treatment", "employment", "expungement"],
    "month": ["March", "June", "October", "November", "January"],
    "first": ["John", "Maria", "Lee", "Dana", "José", "Aaliyah", "Chris", "Sam", "Ana", "Nguyen"],
    "first2": ["Pat", "Alex", "Jordan"],
    "surname": ["Ortiz", "Lee", "Washington", "Garcia", "Kim", "Doe", "Nunez"],
    "street": [
        "Oak Street",
        "Elm",
        "Lake Shore Drive",
        "Main St",
        "the avenue",
        "Martin Luther King Blvd",
        "Madison",
        "Halsted",
        "Broadway",
        "Western Avenue",
    ],
    "weekday": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
    "hotline": [
        "988 crisis line",
        "211 line",
        "hotline at 1-800-273-8255",
        "national hotline 1-800-799-7233",
        "tenant line 1-877-726-3224",
    ],
    "year": ["2019", "2022", "2024", "2025"],
    "topic": ["bail reform", "fines and fees", "pretrial detention", "record sealing", "eviction diversion"],
    "committee": ["judiciary", "public safety", "housing"],
    "bill": ["HB 3653", "SB 1234", "AB 109", "HB 2"],
    "section": ["4.2", "12(b)", "3", "7.1.4"],
    "city": ["Chicago", "Cicero", "Joliet", "Evanston"],
    "language": ["Spanish", "Polish", "Vietnamese", "Arabic"],
    "floor": ["14th", "3rd", "2nd"],
    "url": ["https://www.illinoislegalaid.org/", "https://example.org/apply", "https://courts.gov/forms"],
}


def _filled(template: str) -> str:
    out = template
    for key, values in FILL.items():
        while "{" + key + "}" in out:
            out = out.replace("{" + key + "}", RNG.choice(values), 1)
    return out


def ordinary() -> list[Case]:
    texts: list[str] = []
    seen: set[str] = set()
    while len(texts) < 360:
        count = RNG.choice([1, 1, 2, 2, 3])
        text = " ".join(_filled(RNG.choice(SENTENCES)) for _ in range(count))
        if text not in seen:
            seen.add(text)
            texts.append(text)
    reviewed = [
        {"class": "ordinary", "variant": f"review: {kind}", "text": text}
        for kind, text in adversarial.ORDINARY
        if text not in REFUSED_BY_DESIGN
    ]
    return [{"class": "ordinary", "variant": "generated", "text": t} for t in texts] + reviewed


def main() -> None:
    (HERE / "identifiers.json").write_text(json.dumps(identifiers(), ensure_ascii=False, indent=1) + "\n")
    (HERE / "ordinary.json").write_text(json.dumps(ordinary(), ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    main()
