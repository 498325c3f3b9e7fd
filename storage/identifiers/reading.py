"""Text as the identifier detector reads it: one spelling for the many ways the same characters can be
written or shown, with a map back to the text as it was typed so a finding can be masked where it stands.

A person who writes `１２３–４５–６７８９`, `123<zero-width space>45...`, `Jоhn` (a Cyrillic о), `*123*-*45*`,
`:one::two::three:`, `&#64;` or `one two three` means what the detector would catch in plain ASCII, and
so does anyone trying to slip a client's details past it. So the text is read:

- as Slack shows it: emoji codes of digits (`:one:`, `1️⃣`) as digits; the bold, italic, strike and code
  marks (`*`, `_`, `~`, `` ` ``) left out; text inside a right-to-left override the way it is displayed;
  HTML character references and %-escapes decoded;
- with one form per character: Unicode NFKC (full-width and other compatibility forms); format and
  zero-width characters dropped; letters that draw nothing (the Hangul fillers) and symbols (emoji, the
  braille blank) read as spaces; every digit of every script, circled or not, as an ASCII digit; every
  dash, hyphen and minus as `-`; letters of other scripts that look like Latin ones folded into them
  (Unicode's confusables table, from the maintained `confusable_homoglyphs` package, and the letters
  whose Unicode name says which Latin letter they draw: squared, regional-indicator, small capitals);
  accents removed (`José Núñez` reads as `Jose Nunez`);
- with look-alikes among digits read as digits (`O12-34-5678`, `3l2`), and digits spelled as words when
  four or more follow each other (`three one two, five five five, oh one nine nine`).
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from urllib.parse import unquote

from confusable_homoglyphs import confusables

# Characters that draw nothing, join others or only decorate them: removed wherever they stand. Category
# Cf covers the zero-width space, joiners, the soft hyphen, bidi controls and the byte-order mark.
_DROPPED_CATEGORIES = {"Cf", "Mn", "Me", "Cc", "Co", "Cs", "Cn", "Sk"}
_KEPT_CONTROLS = {"\n", "\t", "\r"}
_DASHES = {"\u2212", "\u2043", "\u2e3a", "\u2e3b", "\u30fc", "\u2796", "\ufe58"}  # drawn as dashes
_FORMATTING = {"*", "_", "~", "`"}  # Slack's bold, italic, strike and code marks
# Letters that draw nothing (the Hangul fillers, a known invisible "space"): read as the space they look like.
_BLANK_LETTERS = {"\u115f", "\u1160", "\u3164", "\uffa0"}
_NAMED_LETTER = re.compile(
    r"\b(?:LATIN (?:CAPITAL |SMALL )?LETTER (?:SMALL CAPITAL )?|SYMBOL LETTER )([A-Z])$"
)
# What sends a text down the slow path: anything but plain printable ASCII, a formatting mark, an
# escape, an emoji code, a letter against a digit, or digits spelled as words. In ASCII text one pass of
# `str.translate` turns every control character and formatting mark into \x00, every digit into 0 and
# every letter that may stand for one into O, and substring tests find them: a pattern for each
# (`\d[OoIl|]`) took several times as long. (ASCII for ASCII, so `translate` takes its fast path.)
_MARKED = str.maketrans(
    {chr(c): "\x00" for c in [*range(0x20), 0x7F] if chr(c) not in "\n\t\r"}
    | dict.fromkeys("*_~`", "\x00")
    | dict.fromkeys("0123456789", "0")
    | dict.fromkeys("OoIl|", "O")
)
_ESCAPE_OR_CODE = (re.compile(r"&#?\w+;"), re.compile(r"%[0-9A-Fa-f]{2}"), re.compile(r":[a-z_]+:"))

# Multi-character spellings of one character, replaced first (each keeps the span it came from).
_DIGIT_WORDS = {
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
SHORTCODES = {f":{word}:": digit for word, digit in _DIGIT_WORDS.items() if word != "oh"} | {
    ":keycap_ten:": "10",
    ":hash:": "#",
    ":at:": "@",
}
# Marks NFKC leaves alone that are drawn as a slash.
_SLASHES = {"\u2044", "\u2215", "\u29f8"}
_DIGIT_NAMES = "zero|oh|one|two|three|four|five|six|seven|eight|nine"
_SPELLED = rf"(?<![A-Za-z])(?:{_DIGIT_NAMES})(?:[\s,.-]{{1,3}}(?:{_DIGIT_NAMES})){{3,}}(?![A-Za-z])"
_SPELLED_DIGITS = re.compile(_SPELLED, re.IGNORECASE)
# Escapes first (`&lt;`, `&#64;`, `%40`), then what the unescaped text spells (`:one:`, a Slack date
# token, digits as words): `&lt;!date^...&gt;` is a date token once it is unescaped.
_ESCAPES = re.compile(r"&#[xX][0-9A-Fa-f]{1,6};|&#\d{1,7};|&[A-Za-z]{2,8};|%[0-9A-Fa-f]{2}")
_TOKENS = re.compile(rf":[a-z_]{{2,12}}:|{_SPELLED}|<!date\^-?\d{{1,12}}\^[^>]*>", re.IGNORECASE)
_DIGIT_WORD = re.compile(r"zero|oh|one|two|three|four|five|six|seven|eight|nine", re.IGNORECASE)
_OVERRIDE_START, _OVERRIDE_END = "\u202e", {"\u202c", "\u2069", "\n"}  # right-to-left override ... pop
# Letters standing for digits inside a number (`O12-34-5678`, `3l2-555-0l99`): next to a digit.
# (A run is tried from its first character only, `(?<![OoIl|])`: tried from each, a long run of `|` that
# no digit follows took time with the square of its length.)
_DIGIT_LOOKALIKES = re.compile(r"(?<=\d)[OoIl|]+(?=[\d\W]|$)|(?<![^\W\d])(?<![OoIl|])[OoIl|]+(?=\d)")
_AS_DIGIT = {"O": "0", "o": "0", "I": "1", "l": "1", "|": "1"}
# ASCII that `_fold` keeps as it is: printable, or a line break or tab, and not a formatting mark.
_ASCII_AS_IS = re.compile(r"[\t\n\r\x20-\x29\x2b-\x5e\x61-\x7d]+")


@cache
def _latin_lookalikes() -> dict[str, str]:
    """Each non-ASCII character Unicode lists as confusable with one ASCII letter or digit, mapped to it."""
    table: dict[str, str] = {}
    for char, homoglyphs in confusables.confusables_data.items():
        if len(char) != 1 or char.isascii():
            continue
        ascii_forms = [h["c"] for h in homoglyphs if len(h["c"]) == 1 and h["c"].isascii()]
        letters = [c for c in ascii_forms if c.isalpha()] or [c for c in ascii_forms if c.isdigit()]
        if letters:
            table[char] = letters[0]
    return table


@cache
def _fold(char: str) -> str:
    """What one typed character reads as (possibly nothing, possibly two characters: `ﬁ` is `fi`)."""
    if char.isascii():
        if char in _FORMATTING:
            return ""
        return char if char.isprintable() or char in _KEPT_CONTROLS else ""
    lookalikes = _latin_lookalikes()
    out = []
    for part in unicodedata.normalize("NFKC", char):
        category = unicodedata.category(part)
        digit = unicodedata.digit(part, None)
        named = _NAMED_LETTER.search(unicodedata.name(part, ""))
        if part.isascii():
            out.append(
                "" if part in _FORMATTING else part if part.isprintable() or part in _KEPT_CONTROLS else ""
            )
        elif digit is not None:  # every script's digits, circled and dingbat ones too
            out.append(str(digit))
        elif category in _DROPPED_CATEGORIES:
            continue
        elif part in _SLASHES:
            out.append("/")
        elif category == "Pd" or part in _DASHES:
            out.append("-")
        elif category.startswith("Z") or part in _BLANK_LETTERS:
            out.append(" ")
        elif part in lookalikes:
            out.append(lookalikes[part])
        elif named:  # 🅹, 🇯, ᴊ: drawn as the Latin letter its name says
            out.append(named[1].lower() if "SMALL" in named[0] and "CAPITAL" not in named[0] else named[1])
        elif category == "So":  # an emoji or the braille blank between parts (`123🔹45🔹6789`) parts them
            out.append(" ")
        else:  # accents off: NFKD splits é into e and a combining mark, which is dropped
            out.extend(p for p in unicodedata.normalize("NFKD", part) if not unicodedata.combining(p))
    return "".join(out)


@dataclass(frozen=True)
class Normalized:
    """The detector's reading of a text. The character `text[i]` came from `typed[starts[i]:ends[i]]`, so
    spans found in `text` map back for masking."""

    typed: str
    text: str
    starts: tuple[int, ...] | None  # None: the text is the typed one, character for character
    ends: tuple[int, ...] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The typed text's span behind `text[start:end]` (end exclusive)."""
        if self.starts is None or self.ends is None:
            return start, end
        if start >= end or start >= len(self.starts):
            at = self.starts[start] if start < len(self.starts) else len(self.typed)
            return at, at
        first = min(self.starts[start:end])
        last = max(self.ends[start:end])
        return first, last


def _spells_digits(typed: str) -> bool:
    """Whether four digits may be spelled as words: counted first (cheap), matched only then."""
    lower = typed.lower()
    if sum(lower.count(word) for word in _DIGIT_WORDS) < 4:
        return False
    return _SPELLED_DIGITS.search(typed) is not None


def _plain(typed: str) -> bool:
    """Printable ASCII with no formatting mark, escape, emoji code, date token or letter against a digit."""
    if not typed.isascii():
        return False
    marked = typed.translate(_MARKED)
    return (
        "\x00" not in marked
        and "0O" not in marked
        and "O0" not in marked
        and "<!date" not in typed
        and not any(pattern.search(typed) for pattern in _ESCAPE_OR_CODE)
    )


def normalize(typed: str) -> Normalized:
    if _plain(typed) and not _spells_digits(typed):  # the usual case
        return Normalized(typed, typed, None)
    if _OVERRIDE_START in typed or _ESCAPES.search(typed):
        return _Reading().of_pieces(typed, _displayed(typed))
    return _Reading().of_tokens(typed)


class _Reading:
    """The normalized text as it is built, with where each of its characters was typed."""

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []

    def of_pieces(self, typed: str, pieces: list[tuple[str, int, int]]) -> Normalized:
        for text, start, end in pieces:
            self.add(text, start, end)
        return self.normalized(typed)

    def of_tokens(self, typed: str) -> Normalized:
        """What `of_pieces(typed, _displayed(typed))` reads, for a text with no escape or override, with
        its plain stretches taken whole: a card (bold marks, a `·`, dates) read one Python step per
        character took most of the time the guard spends on it."""
        last = 0
        for token in _TOKENS.finditer(typed):
            self.stretch(typed, last, token.start())
            for text, _start, _end in _read_token(token):
                self.add(text, token.start(), token.end())
            last = token.end()
        self.stretch(typed, last, len(typed))
        return self.normalized(typed)

    def normalized(self, typed: str) -> Normalized:
        # Letters standing for digits next to digits, one for one (the spans do not move).
        joined = _DIGIT_LOOKALIKES.sub(lambda m: "".join(_AS_DIGIT[c] for c in m[0]), "".join(self.chars))
        return Normalized(typed, joined, tuple(self.starts), tuple(self.ends))

    def add(self, text: str, start: int, end: int) -> None:
        """`text`, read character by character, typed at `typed[start:end]`."""
        for char in text:
            folded = _fold(char)
            self.chars.append(folded)
            self.starts.extend([start] * len(folded))
            self.ends.extend([end] * len(folded))

    def stretch(self, typed: str, start: int, end: int) -> None:
        """`typed[start:end]`, each character read where it stands; runs of ASCII that read as themselves
        are taken whole."""
        at = start
        for run in _ASCII_AS_IS.finditer(typed, start, end):
            for i in range(at, run.start()):
                self.add(typed[i], i, i + 1)
            self.chars.append(run[0])
            self.starts.extend(range(run.start(), run.end()))
            self.ends.extend(range(run.start() + 1, run.end() + 1))
            at = run.end()
        for i in range(at, end):
            self.add(typed[i], i, i + 1)


def _displayed(typed: str) -> list[tuple[str, int, int]]:
    """The typed text as pieces (what it reads as, where it was typed): multi-character spellings of one
    character replaced, and right-to-left overrides turned the way Slack draws them."""
    unescaped = _replaced(_ESCAPES, [(c, i, i + 1) for i, c in enumerate(typed)])
    return _overrides_turned(_replaced(_TOKENS, unescaped))


def _replaced(pattern: re.Pattern[str], pieces: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """The pieces with each of the pattern's tokens read as what it stands for, keeping where it was typed."""
    text = "".join(p[0] for p in pieces)
    if len(text) != len(pieces) or not pattern.search(text):  # pieces are single characters here
        return pieces
    out: list[tuple[str, int, int]] = []
    last = 0
    for token in pattern.finditer(text):
        out.extend(pieces[last : token.start()])
        first, final = pieces[token.start()], pieces[token.end() - 1]
        for char, _start, _end in _read_token(token):
            out.append((char, first[1], final[2]))
        last = token.end()
    out.extend(pieces[last:])
    return out


def _read_token(token: re.Match[str]) -> list[tuple[str, int, int]]:
    text, start, end = token[0], token.start(), token.end()
    lower = text.lower()
    if lower.startswith("&"):
        decoded = html.unescape(text)
        return (
            [(decoded, start, end)]
            if len(decoded) == 1
            else [(c, i, i + 1) for i, c in enumerate(text, start)]
        )
    if lower.startswith("%"):
        return [(unquote(text), start, end)]
    if lower.startswith("<!date^"):  # Slack draws the date the timestamp names, not the token
        return [(c, start, end) for c in _date_shown(text)]
    if lower.startswith(":"):
        digit = SHORTCODES.get(lower)
        return [(digit, start, end)] if digit else [(c, i, i + 1) for i, c in enumerate(text, start)]
    # four or more digits spelled as words: each word one digit, what stands between them kept
    out: list[tuple[str, int, int]] = []
    last = start
    for word in _DIGIT_WORD.finditer(text):
        out.extend((c, i, i + 1) for i, c in enumerate(text[last - start : word.start()], last))
        out.append((_DIGIT_WORDS[word[0].lower()], start + word.start(), start + word.end()))
        last = start + word.end()
    out.extend((c, i, i + 1) for i, c in enumerate(text[last - start :], last))
    return out


def _date_shown(token: str) -> str:
    try:
        moment = datetime.fromtimestamp(int(token.split("^")[1]), UTC)
    except (ValueError, OverflowError, OSError):
        return token
    return moment.strftime("%Y-%m-%d")


def _overrides_turned(pieces: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Text after a right-to-left override (U+202E) is drawn backwards until the override is popped: read
    it that way, since that is what the reader sees."""
    if not any(p[0] == _OVERRIDE_START for p in pieces):
        return pieces
    out: list[tuple[str, int, int]] = []
    turned: list[tuple[str, int, int]] | None = None
    for piece in pieces:
        if piece[0] == _OVERRIDE_START:
            turned = []
        elif turned is not None and piece[0] in _OVERRIDE_END:
            out.extend(reversed(turned))
            out.append(piece)
            turned = None
        elif turned is not None:
            turned.append(piece)
        else:
            out.append(piece)
    if turned:
        out.extend(reversed(turned))
    return out


def folded(text: str) -> str:
    """Just the normalized text (for keys and comparisons)."""
    return normalize(text).text
