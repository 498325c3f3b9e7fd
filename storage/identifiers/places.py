"""Where a client can be reached: street addresses, post boxes and email addresses.

Street types come from the USPS table the maintained `pyap` parser keeps (Publication 28's suffixes and
their abbreviations), with the Spanish ones US streets are named with; the patterns find a house number,
a name and a type, since the parsers themselves expect a whole address (with its city) or nothing else.
"""

from __future__ import annotations

import itertools
import re

from pyap.source_US.data import street_type_list

from storage.identifiers.text import Span, hinted, spans_in, trie

# Words that are never part of a street's name, so `2 kids at Lincoln Park` is not an address.
_NOT_IN_A_STREET_NAME = (
    "a an the at in on of to for from by with and or but is are was were be been has have had do does did "
    "will would can could should may might must this that these those it its he she they we you i his her "
    "their our your my me him them not no per about after before over under more less than then when "
    "where which who days day weeks week months month years year hours hour hrs minutes mins times am pm "
    "kids children people clients percent dollars mg business calls sessions pages counts charges "
    "referrals items cases beds units miles blocks"
)
# Words no street is named with alone are left out: `is`, `un`.
_STREET_TYPES = trie([t.lower() for t in street_type_list if t.lower() not in {"is", "iss", "un", "uns"}])
_SPANISH_TYPES = "calle avenida ave av camino paseo carretera callejon calzada boulevard bulevar plaza"
_DIRECTION = r"(?:[NSEW]|NE|NW|SE|SW|North|South|East|West|Northeast|Northwest|Southeast|Southwest)\.?"
_NAME_WORD = rf"(?!{trie(_NOT_IN_A_STREET_NAME)}\b)(?:[A-Za-z][A-Za-z'.-]*|\d{{1,3}}(?:st|nd|rd|th))"
_UNIT = (
    r"(?:,?\s*(?:apt|apartment|unit|suite|ste|fl|floor|rm|room|bldg|building|lot|trlr|spc|space|no|num|"
    r"numero|número|depto|interior)\.?\s*#?\s*[A-Za-z0-9-]{1,6}\b|\s*#\s*[A-Za-z0-9-]{1,6}\b)"
)
_HOUSE_NUMBER_FIRST = (
    # 1234 Martin Luther King Blvd Apt 4, 221B Baker Street, 12-14 Main St, 1234-A Elm St
    rf"(?:(?i:[A-Za-z]?(?:-(?:\d{{1,4}}|[A-Za-z]))?(?:\s?1/2|/2)?\s+(?:{_DIRECTION}\s+)?(?:{_NAME_WORD}\s+){{1,5}}?"
    rf"{_STREET_TYPES}\b\.?(?:\s+{_DIRECTION}(?!\w))?{_UNIT}?)"
    # 12500 Highway 20, 120 Broadway Fl 3: the street named by its type alone
    rf"|(?i:\s+(?:(?:highway|hwy|route|rte|rt|county\s+road|state\s+road|fm|sr|us)\.?[\s-]+\d{{1,4}}|broadway){_UNIT}?)"
    # 1234 Calle Sol, 1234 Avenida Juarez
    rf"|(?i:\s+{trie(_SPANISH_TYPES)}\.?\s+[A-Za-z][A-Za-z'.-]*(?:\s+[A-Za-z][A-Za-z'.-]*)?{_UNIT}?)"
    # 400 W Madison, 1234 N. 5th: a direction and a name, no street type
    r"|\s+(?:N|S|E|W|North|South|East|West)\.?\s+(?:[A-Z][a-z]{2,}(?:\s+[A-Z][a-z]+)?|\d{1,3}(?:st|nd|rd|th))\b)"
)
# Calle Sol número 1234: the Spanish order, the number last (after the street type's first letter)
_NUMBER_LAST = (
    r"\.?\s+[A-Za-z][A-Za-z'.-]*(?:\s+[A-Za-z][A-Za-z'.-]*)?,?\s+(?:n[uú]mero|num\.?|no\.?|#)?\s*\d{1,6}\b"
)
_SPANISH_AFTER_FIRST = "|".join(
    f"(?<={head})(?:{trie([word[1:] for word in words])})"  # the Spanish types are all longer than a letter
    for head, words in itertools.groupby(sorted(_SPANISH_TYPES.split()), key=lambda word: word[0])
)
# `(?<![\w$.,/-])\d{1,6}` and then the street, or `\b(?i:calle|avenida...)` and then the name and number.
# Written to start with the one character either can start with, what stands before it checked only then,
# so the engine skips to those characters instead of trying both alternatives at every position.
_STREET = re.compile(
    r"[\dCcAaPpBb](?:"
    # (`\d{0,5}+`: fewer digits would leave a digit where the street must start, so none is given back)
    # (`(?<!\d:\d\d)`: two digits after an hour's colon are minutes, `9:30 Daley Center`, not `1:1234 Elm St`)
    rf"(?<=\d)(?<![\w$.,/-]\d)\d{{0,5}}+(?<!\d:\d\d){_HOUSE_NUMBER_FIRST}"
    rf"|(?<!\w.)(?i:(?:{_SPANISH_AFTER_FIRST}){_NUMBER_LAST})"
    r")"
)
# What a number after `lives`, `home:` or `vive` counts, when it is no house number.
_COUNTED = trie(
    _NOT_IN_A_STREET_NAME
    + " grounds income incomes adults adult minors minor parent parents nights motels hotels shelters"
    + " different other separate bedroom bedrooms rooms jobs cars dogs cats"
    + " hijos hijas ninos horas anos meses dias noches semanas personas cuartos"
)
_BOX_HINTS = (
    "box",
    "pob",
    "p.o.b",
    "apartado",
    "apt",
    "apartment",
    "pmb",
    "live",
    "resid",
    "stay",
    "addr",  # address, addr
    "home",
    "vive",
    "direcci",
    "domicilio",
)
_BOX_OR_APARTMENT = re.compile(
    r"\b(?:p\s?\.?\s?o\s?\.?\s*b(?:ox|\.)?|post\s+office\s+box|pob|postal\s+box|apartado\s+postal|pmb)"
    r"\s*#?\s*\d{1,8}\b|\b(?:apt|apartment)\.?\s*#?\s*\d{1,5}[A-Za-z]?\b"
    # a rural route's or highway contract route's box: RR 2 Box 45, HC 1 Box 12
    r"|\b(?:rr|r\.r\.|rural\s+route|hc|star\s+route)\s*#?\s*\d{1,4}\s*,?\s*box\s*#?\s*\d{1,6}\b"
    # mail to Box 123; lives at 1234 Elm: a box, or a house number, the text says is where someone is
    r"|\b(?:mail|send|write|address)\b[^\n\d]{0,10}\bbox\s*#?\s*\d{1,8}\b"
    # (`live` and `stay` only with `at` or `on`: `we live in 2 worlds`, `stay 2 nights`; and a count is
    # not a street: `vive con 2 hijos`, `stay on 2 grounds`, `home: 2 adults`)
    r"|\b(?:(?:(?:lives|living|staying|stays|resides?|residing|address|addr|vive|viviendo|direcci[oó]n"
    # (a one-digit house number only after `at`, `on`, `en`: `home: 3 hearings`, `domicilio 1 año` are counts)
    rf"|domicilio)\b|home\s*:)[^\n\d]{{0,12}}(?:\n[^\S\n]*)?|(?:live|stay)\s+(?:at|on)\s+)"  # (or below it)
    rf"(?:\d{{2,6}}|(?<=(?:at|on|en) )\d)\s+(?!{_COUNTED}\b)[a-z][a-z'.-]+",
)
# Elm Street 1234: the house number after the street.
_NUMBER_AFTER = re.compile(  # (`\b[A-Z]` written `[A-Z](?<!\w.)`, so the engine skips to the capitals)
    r"[A-Z](?<!\w.)[a-z]+\s+(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Dr)\.?\s+\d{1,6}\b"
)


def addresses(text: str, lower: str) -> list[Span]:
    found = spans_in(_STREET, text) + spans_in(_NUMBER_AFTER, text)
    if hinted(lower, _BOX_HINTS):
        found += spans_in(_BOX_OR_APARTMENT, lower)
    return found


# ---- email addresses --------------------------------------------------------------------------------------

# The part before the @ starts where a word starts: a pattern that may start inside a run of letters is
# tried from each of them, and time grows with the square of a long run.
_LOCAL = r"(?<![\w.+%-])[\w.+%-]{1,64}"
_BRACKETED_AT = r"[(\[{<]\s*(?:@|at|a|arroba)\s*[)\]}>]"  # mortiz88(a)gmail.com
# Space around the @, but a paragraph break only before a domain with a dot: two pieces of text are joined
# by one (bot/door.py), and a line ending in a word and the next starting with `@` are no address.
_GAP = r"[^\S\n]*\n?[^\S\n]*"
# With space before the @, a domain with a dot or a mail provider's name: a word, a space and `@Priya`
# are a person mentioned as typed (`Thanks @Priya`, `cc @channel`), and `12/18 @ 1:30` is a time.
_SPACED_AT_PROVIDER = (
    r"(?=(?:g\s?mail|googlemail|yahoo|hotmail|outlook|icloud|proton|aol|ymail|gmx|live|msn|me|mac|comcast"
    r"|att|verizon|sbcglobal)\b)"
)
# ...or after a mailbox's name, any domain (`jdoe88 @ acmecorp`).
_SPACED_AT_HANDLE = re.compile(r"(?<![\w.+%-])[a-z][a-z._]*[a-z]{3}\d{2,}[^\S\n]+@[^\S\n]*[a-z][\w-]*")
_EMAIL = re.compile(  # (`\@`: the @ escaped, as Markdown writers do)
    rf"{_LOCAL}(?:{_GAP}{_BRACKETED_AT}{_GAP}|\\?@|(?=\s){_GAP}@{_GAP}{_SPACED_AT_PROVIDER}"
    r"|\s*@\s*(?=[\w-]+\.[a-z]))[\w-]+(?:\.[\w-]+)*"
)
_QUOTE = "[\"'\u2018\u2019\u201c\u201d]"
_SPELLED_AT = re.compile(  # (`jdoe88 'at' acmecorp.com`, `jdoe88 - at - acmecorp.com`)
    rf"\s*{_BRACKETED_AT}\s*|\s+{_QUOTE}?(?:at\s+(?:sign|symbol)|at-sign|at|arroba|en){_QUOTE}?\s+|\.at\."
    r"|\s*-\s?(?:at|arroba)\s?-\s*"
)
# What may stand between a name and its `at`: a quote closing it, or a comma or colon (`'jdoe88' at`).
_AFTER_NAME = "\"'\u2019\u201d,:"
_AT_WORD = re.compile(
    r"at(?<!\wat)(?!\w)|arroba|\(a\)|en(?<!\wen)(?!\w)"
)  # a literal start: the engine skips to each `at` at once
_LOCAL_PART = re.compile(r"[\w.+%-]{1,64}$")
_OPEN = r"[(\[{<]"
# (A space beside a dot only before the commonest endings, ending the address: a phone's keyboard puts one
# after a dot, `acmecorp. com`, but a sentence's end reads so too, `at home. No`, `at me. Com Ed`.)
_SPELLED_DOT = (
    rf"(?:\s*{_OPEN}\s*(?:dot|\.)\s*[)\]}}>]\s*|\s+(?:dot|punto)\s+|\s*-dot-\s*|\."
    r"|[^\S\n]{0,2}[.,\u00b7\u3002][^\S\n]{0,2}(?=(?:com|org|net)\b(?![^\S\n]+\w)))"
)
_TLD = (
    r"(?:com|org|net|edu|gov|us|io|info|biz|co|me|law|legal|mail|mil|email|online|xyz|company|site|app"
    r"|dev|tech|store|club|life|world|pro|mobi|page|cloud|family|space|agency|live|network|services|social"
    r"|team|group|solutions|media|digital|center|support|health|care|works|[a-z]{2})\b"
)
_DOMAIN = re.compile(
    rf"[\w-]{{1,63}}(?:{_SPELLED_DOT}[\w-]{{1,63}})*?{_SPELLED_DOT}{_TLD}"
)  # 63: a label's most
# With a plain ` at `, only a real mail provider's domain makes it an address: `apply at example.org` is
# a web site.
_MAIL_PROVIDER = re.compile(
    r"(?:gmail|googlemail|yahoo|hotmail|outlook|live|msn|aol|icloud|me|mac|proton(?:mail)?|comcast|att"
    r"|verizon|sbcglobal|ymail|mail|gmx|g\s?mail)\b",
)


# Any domain after a plain ` at ` when the name before it ends as a mailbox's often does: three letters
# and two digits, typed in lower case as mailboxes are (`jdoe88 at acmecorp.com`, `m.ortiz88 at firm.org`).
# Not a citation, title or date with a dot (`Dkt.45`, `Dept.12 at lacourt.org`), a file's name, a form's
# (`SSA-827`), a time, nor a product or a promotion's code, which are written with capitals (`Windows11
# at microsoft.com`, `SPRING25 at nita.org`). Not before a government's, a school's or the military's
# site, where forms and statutes are (`form1040 at irs.gov`), nor before a site named like the word itself
# (`office365 at portal.office.com`).
_MAILBOX = re.compile(r"[a-z][a-z._]*?(?P<letters>[a-z]{3,})\d{2,}")
_PUBLIC_SITE = re.compile(r"(?:gov|edu|mil)\b")
# After a word for email just before it, a name with a dot, digit or underscore, or one typed in lower
# case after `email is` (`_EMAIL_IS`), is a mailbox's, before any domain (`Email: l.park at cps.edu`, `her
# email is jdoe at acmecorp.com`, `su correo es jdoe en acmecorp.com`; not `email Priya at lafchicago.org`).
_EMAIL_SAID = r"\b(?:e-?\s?mail|correo(?:\s+electr[oó]nico)?)"
_EMAIL_WORD = re.compile(
    rf"(?:{_EMAIL_SAID}(?:['\u2019]s)?|\bmail|\bwrite\s+to|\bescrib\w*\s+a|\bcontacto?(?=\s*:))"
    r"(?:\s+(?:address|addr|her|him|them|is|es|to|for|of|de|su))*\s*[:=,-]?\s*[\"'\u201c\u2018]?$"
)
# A plain name only after `email is`, `su correo es` or `email:` (not `email signature at`, `by email,
# everyone at`, `write to storage at`).
_EMAIL_IS = re.compile(
    rf"{_EMAIL_SAID}(?:\s+(?:address|addr))?(?:\s+(?:is|es)\s*|\s*:\s*)[\"'\u201c\u2018]?$"
)
# After email as a form's label, with its colon, any name at all (`Email: jreyes at acmecorp.com`).
_EMAIL_LABEL = re.compile(rf"{_EMAIL_SAID}(?:\s+(?:address|addr))?\s*(?:\([^)\n]{{0,20}}\))?\s*:\s*$")
_ANY_NAME = re.compile(r"(?<![\w.+%-])\w[\w.+%-]{0,63}$")
_NAME_WITH_MARKS = re.compile(r"(?<![\w.+%-])(?=[\w.]*[a-z])(?=[\w.]*[\d._])\w[\w.]{0,62}\w$")


# The big providers by name, which are nothing else: one is enough with no `.com` at all after a mailbox's
# name (`jdoe88 at gmail`, not `Look at Gmail`; `live`, `me`, `mail` and `verizon` are words and a workplace,
# `yelled at me`, `works at Verizon`); as a label before the name alone (`gmail: mortiz88`); or after
# Spanish `en`.
_PROVIDER = re.compile(
    r"(?:gmail|googlemail|yahoo|hotmail|outlook|icloud|proton(?:mail)?|aol|ymail|gmx|g\s?mail)\b"
)
_PROVIDER_STEMS = ("mail", "yahoo", "outlook", "icloud", "proton", "aol", "gmx", "msn", "zoho")
# A provider's label takes only a name that cannot be a version, a code or an hour: four letters or more,
# then two digits or more (`gmail: mortiz88`, not `Outlook: win11`, `Gmail: TLS1.2`, `Outlook ID: SR12345`).
_LABELLED_NAME = re.compile(r"(?=(?:[._]?[a-z]){4})[a-z][a-z._]*\d{2,}")
# (No `\b` first: starting with the names' letters lets the engine skip to them; `_labelled` checks it.)
# (Smaller providers' names too: `msn: jreyes92`.)
_PROVIDER_LABEL = re.compile(
    rf"(?P<provider>{_PROVIDER.pattern}|msn\b|zoho(?:mail)?\b|g-mail\b)!?(?:\s+mail)?"
    r"(?:\s+(?:account|acct|address|addr|id|user(?:name)?|handle|login))?"
    r"\s*(?:[:=]+|-+>?|[\u2014\u2192]|\s+is)\s*[\"'\u201c\u2018]?(?P<name>[\w.+%-]{1,64})"
)
# A mailbox's name beside a big provider's and `com`, with no `at` (`jperez77 gmail com`), or after
# Spanish `en el correo de` (`jreyes92 en el correo de gmail`), typed in lower case or all in capitals.
# (Not `on`, `de`, `con`, `via` or brackets: `windows11 con outlook`, `archive2024 on gmail`.)
_MAILBOX_NAME = r"(?<![\w.+%-])[a-z][a-z._]*[a-z]{3}\d{2,}"
_BESIDE_PROVIDER = re.compile(
    rf"(?P<name>{_MAILBOX_NAME})(?:\s+en\s+(?:el|su)\s+correo\s+de\s+{_PROVIDER.pattern}"
    rf"|\s+{_PROVIDER.pattern}(?:\s*\.\s*|\s+(?:dot|punto)\s+|\s+)com\b)"
)


def _typed_lower(read: str, span: tuple[int, int]) -> bool:
    return read[span[0] : span[1]].islower()


# Words that stand before `at Gmail` and are no mailbox's name (`Look at Gmail`, `everything at Outlook`).
_NOT_A_MAILBOX = frozenset(  # (words split from a paragraph: sixty quoted strings would take sixty lines)
    """look looks looked looking see check checked checking it that this there here them him her us me one
    everything something anything nothing all stuff time times work works worked working job account
    accounts inbox email emails mail message messages folder folders login logins password problem problems
    issue issues settings spam trash calendar invite invites notice notices file files down up back out
    later today now sent only directly instead too also first anytime""".split()  # noqa: SIM905
)


def _name_before_provider(read: str, lower: str, at: int, *, spanish: bool) -> bool:
    """A mailbox's name just before an `at` (or `en`) and a big provider's name with no `.com`: after a
    form's `Email:` any name; after `at`, one after a word for email (`her email is rosamendez at gmail`),
    one with a digit, dot or underscore, a letter first (`jperez77`, `rosa.mendez`; not `2FA`, `10am`), or
    any other word typed in lower case that is not one of `_NOT_A_MAILBOX`. Spanish `en` is mostly `in`
    (`su correo está en Gmail`, `recibo.pdf en Gmail`, `25MB en Gmail`): after it, only letters and two
    digits typed in lower case (`mortiz88 en gmail`)."""
    name = _ANY_NAME.search(lower, max(0, at - 64), at)
    if name is None or name[0] in _NOT_A_MAILBOX:
        return False
    before = max(0, name.start() - 48)
    if _EMAIL_LABEL.search(lower, before, name.start()):
        return True
    if spanish:
        return _MAILBOX.fullmatch(name[0]) is not None and _typed_lower(read, name.span())
    if _EMAIL_WORD.search(lower, before, name.start()):
        return True
    if name[0][0].isalpha() and _NAME_WITH_MARKS.fullmatch(name[0]) is not None:
        return True
    return name[0].isalpha() and _typed_lower(read, name.span())


# A name with plus addressing is a mailbox's, typed in lower case (`maria+court at acmecorp.com`). (Names
# shaped as people's, `jdoe`, `j.reyes`, `lena.park`, were tried on 5 December and left out: an independent
# tester's ordinary texts had acronyms, files and drafts in those shapes, `tdap at cvs.com`, `main.py at
# github.com`, `pr.draft at docs.google.com`.)
_PLUS_ADDRESSED = re.compile(r"[a-z]{2,}\+[a-z\d]+")
# (Not a format's placeholder after a provider's label: `Gmail username: first.last`.)
_PLACEHOLDER = r"(?!(?:first|firstname|firstinitial|fname|initial|name|nombre)\.)"


def _mailbox_before(read: str, lower: str, at: int, domain: re.Match[str]) -> bool:
    """A mailbox's name just before an `at` and a domain that is no mail provider's: after `Email:` any
    name; after a word for email, one with a digit, dot or underscore; otherwise a name shaped as a mailbox
    (`_MAILBOX`, `_PLUS_ADDRESSED`) typed in lower case, before no government's, school's or military's
    site, nor one named like it."""
    name = _ANY_NAME.search(lower, max(0, at - 64), at)
    if name is None:
        return False
    if _EMAIL_LABEL.search(lower, max(0, name.start() - 48), name.start()) is not None:
        return True
    marked = _NAME_WITH_MARKS.fullmatch(name[0]) is not None
    before = max(0, name.start() - 48)
    if marked and _EMAIL_WORD.search(lower, before, name.start()) is not None:
        return True
    plain = name[0].isalpha() and name[0] not in _NOT_A_MAILBOX and _typed_lower(read, name.span())
    if plain and _EMAIL_IS.search(lower, before, name.start()) is not None:
        return True
    channel = lower[name.start() - 1 : name.start()] == "#"  # `#pd_training at slack.com`
    if channel or _PUBLIC_SITE.match(lower, domain.end() - 3) is not None:
        return False
    if re.sub(r"[^a-z]", "", name[0]) in re.split(r"[^a-z]+", domain[0]):
        return False
    shaped = marked and _MAILBOX.fullmatch(name[0]) is not None
    return _typed_lower(read, name.span()) and (shaped or _PLUS_ADDRESSED.fullmatch(name[0]) is not None)


def emails(read: str, lower: str) -> list[Span]:
    """Email addresses in `lower` (`read` in lower case, character for character: `read` says how a name
    was typed)."""
    found = spans_in(_EMAIL, lower) + spans_in(_SPACED_AT_HANDLE, lower) if "@" in lower else []
    for word in _AT_WORD.finditer(lower):
        at = _SPELLED_AT.search(lower, max(0, word.start() - 4), word.end() + 8)
        if at is None:
            continue
        name_end = at.start()
        while name_end > at.start() - 2 and name_end > 0 and lower[name_end - 1] in _AFTER_NAME:
            name_end -= 1
        end = _address_end(read, lower, at, name_end)
        if end is None:
            continue
        # The name before the `at` only now: it is the slow part, and most `at`s have no address after.
        local = _LOCAL_PART.search(lower, max(0, name_end - 64), name_end)
        if local:
            found.append((local.start(), end))
    if any(name in lower for name in _PROVIDER_STEMS):
        found += [m.span() for m in _PROVIDER_LABEL.finditer(lower) if _labelled(read, m)]
        found += [m.span() for m in _BESIDE_PROVIDER.finditer(lower) if _typed_as_mailbox(read, m)]
    return found


def _typed_as_mailbox(read: str, found: re.Match[str]) -> bool:
    """The name in `found` typed in lower case, or all of it in capitals (`JREYES92 EN GMAIL PUNTO COM`)."""
    return _typed_lower(read, found.span("name")) or read[found.start() : found.end()].isupper()


# After a provider's label, a person's name with a dot is a mailbox's too (`Gmail: rosa.mendez`), not a
# server's or a site's (`Outlook: mail.office365`, `gmail: smtp.gmail`).
_DOTTED_NAME = re.compile(
    rf"{_PLACEHOLDER}(?!\w*(?:mail|smtp|imap|pop|www|office|google|outlook|yahoo|live|file|options|settings|view))[a-z]+\.[a-z]{{2,}}"
)


def _labelled(read: str, label: re.Match[str]) -> bool:
    """A provider's name as a word, and a mailbox's name after it, typed in lower case or the whole label
    in capitals (`gmail: mortiz88`, `GMAIL: JREYES92`, `Gmail: rosa.mendez`; not `Gmail: back`, `Outlook:
    Office365`)."""
    at, name = label.start(), label["name"]
    return (
        (at == 0 or not label.string[at - 1].isalnum())
        and (
            _LABELLED_NAME.fullmatch(name) is not None
            or (_DOTTED_NAME.fullmatch(name) and _PROVIDER.fullmatch(label["provider"])) is not None
        )
        and _typed_as_mailbox(read, label)
    )


def _address_end(read: str, lower: str, at: re.Match[str], name_end: int) -> int | None:
    """Where the address a spelled-out `at` (after a name ending at `name_end`) stands in ends, if it
    stands in one."""
    domain = _DOMAIN.match(lower, at.end())
    if at[0].strip(_AFTER_NAME + " ") == "en":  # Spanish `en` is mostly `in` (`en punto`): a mailbox's name,
        provider = _PROVIDER.match(lower, at.end())  # then a provider or a domain
        if provider is None:
            return domain.end() if domain and _mailbox_before(read, lower, name_end, domain) else None
        if not _name_before_provider(read, lower, name_end, spanish=True):
            return None
        return domain.end() if domain and domain.start() == provider.start() else provider.end()
    # `(a)` and `-at-` are also a rule's clause and a hyphenated word (`11(a) vs.us`, `stay-at-home.He`):
    # they make an address only before a mail provider or a spelled-out dot, as a plain ` at ` does.
    weak = re.search(r"-\s?at\s?-|\(\s*a\s*\)", at[0]) is not None
    # (`arroba` is Spanish for `@` and nothing else: as strong as brackets.)
    bracketed = not weak and (any(mark in at[0] for mark in "[({<") or at[0] == ".at." or "arroba" in at[0])
    if domain and (
        bracketed
        or re.search(rf"{_OPEN}|\bdot\b|\bpunto\b|-dot-", domain[0])
        or _MAIL_PROVIDER.match(domain[0])
    ):
        return domain.end()
    provider = _PROVIDER.match(lower, at.end())
    if provider is not None and (bracketed or _name_before_provider(read, lower, name_end, spanish=False)):
        return provider.end()
    if domain and _mailbox_before(read, lower, name_end, domain):
        return domain.end()
    return None
