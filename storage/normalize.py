"""Text as the identifier detector reads it: one spelling for the many ways the same characters can be
written, with a map back to the text as it was typed so a finding can be masked where it stands.

A person who writes `１２３–４５–６７８９`, `123<zero-width space>45...` or `Jоhn` (a Cyrillic о)
means what the detector would catch in ASCII, and so does anyone trying to slip a client's details past
it. So, character by character: Unicode NFKC (full-width and other compatibility forms); format and
zero-width characters dropped; digits of every script as ASCII digits; every dash, hyphen and minus as
`-`; letters of other scripts that look like Latin ones folded into them (Unicode's confusables table,
from the maintained `confusable_homoglyphs` package); accents removed (`José Núñez` reads as
`Jose Nunez`)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from confusable_homoglyphs import confusables

# Characters that draw nothing, join others or only decorate them: removed wherever they stand. Category
# Cf covers the zero-width space, joiners, the soft hyphen, bidi controls and the byte-order mark.
_DROPPED_CATEGORIES = {"Cf", "Mn", "Me", "Cc", "Co", "Cs", "Cn"}
_KEPT_CONTROLS = {"\n", "\t", "\r"}
_DASHES = {"\u2212", "\u2043", "\u2e3a", "\u2e3b", "\u30fc", "\u2796", "\ufe58"}  # drawn as dashes
_NOT_PLAIN_ASCII = re.compile(r"[^\x20-\x7e\n\t\r]")


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
        return char if char.isprintable() or char in _KEPT_CONTROLS else ""
    lookalikes = _latin_lookalikes()
    out = []
    for part in unicodedata.normalize("NFKC", char):
        category = unicodedata.category(part)
        if part.isascii():
            out.append(part if part.isprintable() or part in _KEPT_CONTROLS else "")
        elif category in _DROPPED_CATEGORIES:
            continue
        elif category == "Nd":
            out.append(str(unicodedata.decimal(part)))
        elif category == "Pd" or part in _DASHES:
            out.append("-")
        elif category.startswith("Z"):
            out.append(" ")
        elif part in lookalikes:
            out.append(lookalikes[part])
        else:  # accents off: NFKD splits é into e and a combining mark, which is dropped
            out.extend(p for p in unicodedata.normalize("NFKD", part) if not unicodedata.combining(p))
    return "".join(out)


@dataclass(frozen=True)
class Normalized:
    """The detector's reading of a text. `origin[i]` is the index in the typed text of the character that
    became `text[i]`, so spans found in `text` map back for masking."""

    typed: str
    text: str
    origin: tuple[int, ...] | None  # None: the text is the typed one, character for character

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The typed text's span behind `text[start:end]` (end exclusive)."""
        if self.origin is None:
            return start, end
        if start >= end or start >= len(self.origin):
            at = self.origin[start] if start < len(self.origin) else len(self.typed)
            return at, at
        return self.origin[start], self.origin[end - 1] + 1


def normalize(typed: str) -> Normalized:
    if not _NOT_PLAIN_ASCII.search(typed):  # the usual case, and the fast one
        return Normalized(typed, typed, None)
    chars: list[str] = []
    origin: list[int] = []
    last = 0
    for special in _NOT_PLAIN_ASCII.finditer(typed):  # plain runs copied whole, the rest folded
        index = special.start()
        chars.append(typed[last:index])
        origin.extend(range(last, index))
        folded = _fold(special[0])
        chars.append(folded)
        origin.extend([index] * len(folded))
        last = index + 1
    chars.append(typed[last:])
    origin.extend(range(last, len(typed)))
    return Normalized(typed, "".join(chars), tuple(origin))


def folded(text: str) -> str:
    """Just the normalized text (for keys and comparisons)."""
    return normalize(text).text
