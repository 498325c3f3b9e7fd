"""Finding the office's do-not-post names (LIAISON_DO_NOT_POST) however they are written.

`John Doe` is also `Doe, John`, `John Q. Doe`, `John 'Johnny' Doe`, `J. Doe`, `John_Doe`, `John.Doe`,
`JohnDoe`, `J o h n  D o e`, `Jo hn Do e`, `J0hn D0e`, `JOHN DOE`; with the reading's folding also
full-width letters, a Cyrillic `о`, and `Jose Nunez` for `José Núñez`. `Maria del Carmen Ortiz` and `Maria
Luisa Elena Ortiz` are Maria Ortiz, and so is a form's `nombre: Maria, apellido: Ortiz`; a name of three
words or more is found with one of them left out (`An Nguyen` for `Nguyen Van An`), and a double-barrelled
surname by either half (`Aaliyah Washington` for `Aaliyah Washington-Brooks`). A typo is tolerated in a
name of six letters or more (`Jon Doe`), measured with rapidfuzz, though not in a word of fewer than four
(`John Deo`: too many short words are one edit apart). A first name or a surname alone is not a match: it is
the whole name that identifies.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein, Indel

from storage.identifiers.name_words import FORM_LABELS, LABELS_ALONE, MAX_LABELS, PARTICLES, with_either_half
from storage.identifiers.reading import folded

_WORD = re.compile(r"[^\W\d_]+")
FUZZY_FROM = 6  # letters in the whole name before a typo is tolerated
MOST_ORDERS = 4  # names of more words are joined only as written and reversed (24 orders of 4 words)
MAX_BETWEEN = 3  # initials, particles, middle names or a form's labels between a name's words
MAX_MIDDLE_NAMES = 2  # `Maria Luisa Elena Ortiz`
# What may join the words of one name: spaces, a comma, an underscore, quotes or brackets around a
# nickname; a form's alignment (`Maria      Ortiz`); one mark with no space (`John.Doe`), or marks with
# spaces around (`Maria / Ortiz`, `Maria ... Ortiz`: _MARKS_APART). Not a sentence's end (`Nunez. Jose`).
_MARKS_APART = re.compile(r"[ \t]{0,3}(?:[/+|~&•]{1,3}|\.{2,5}|…)[ \t]{0,3}")
_BETWEEN_WORDS = re.compile(rf"[\s,_'\"()\[\]-]{{0,4}}|[ \t]{{1,24}}|[./+|:~&]|{_MARKS_APART.pattern}")
# Around a form's label, also its colon, equals sign or semicolon (`nombre: Maria; apellido: Ortiz`,
# `"first_name": "Maria", "last_name": "Ortiz"`).
_AROUND_LABEL = re.compile(r"[\s,;_'\"()\[\]:=&-]{0,6}")
_PLAIN = re.compile(r"[ \t]+")
_AFTER_INITIAL = re.compile(r"\.?[\s,_'\"()-]{0,3}")
# Two or more single letters with a little space or punctuation between them: a name spaced out.
_SINGLE_LETTERS = re.compile(r"(?<![^\W\d_])[^\W\d_](?:(?:[^\w\n]|_){1,3}[^\W\d_](?![^\W\d_]))+")
# The same two for lowercase ASCII text, where they are these simpler classes and run several times faster.
# The runs are found from the mark after their first letter (the letter checked behind it), since far
# fewer characters are marks than letters: each match starts one character after the run.
_ASCII_NOT_LETTERS = {c: " " for c in range(128) if not chr(c).isalpha()}
_ASCII_WORD = re.compile(r"[A-Za-z]+")
_ASCII_AFTER_SINGLE_LETTER = re.compile(
    r"[^a-z0-9\n](?<=(?<![a-z])[a-z].)[^a-z0-9\n]{0,2}[a-z](?![a-z])(?:[^a-z0-9\n]{1,3}[a-z](?![a-z]))*"
)
_SPACED_OUT = re.compile(r"(?:[^\w\n]|_){1,3}")
# Digits typed for the letters they look like, inside a word: `J0hn`, `M4ria`.
# (The character first, where it is next to a letter after: a pattern starting with a lookbehind is tried at
# every position of the text, one starting with a class only where the class matches.)
_LEET = re.compile(r"[013457@$](?:(?<=[A-Za-z].)|(?=[A-Za-z]))")
_AS_LETTER = {"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}


class _Token(NamedTuple):
    text: str  # lowercase letters
    start: int  # in the normalized text
    end: int
    capital: bool  # written with a capital first letter (a middle name may stand between)
    letters: bool = False  # single letters read as one word (`J o h n`, `A. B. C.`)


def _tokens(text: str, start: int, end: int) -> list[_Token]:
    """Words of letters in `text[start:end]`, lowercased; a run of single letters with a little space or
    punctuation between them (`J o h n`, `J.o.h.n`) is read as one word, since spacing a name out is a way
    to disguise it."""
    # (ASCII text with the plain class; the tuples made directly, without the named tuple's Python-level
    # constructor: together a third of the time this takes.)
    make, found = tuple.__new__, (_ASCII_WORD if text.isascii() else _WORD).finditer(text, start, end)
    words = [make(_Token, (m[0].lower(), m.start(), m.end(), m[0][0].isupper(), False)) for m in found]
    singles = [index for index, word in enumerate(words) if len(word.text) == 1]
    if not singles:
        return words
    # Only the single letters start a run; the words between runs are copied over as they are.
    out: list[_Token] = []
    done = 0
    for first in singles:
        if first < done:
            continue  # already in the run before
        last = first
        while (
            last + 1 < len(words)
            and len(words[last + 1].text) == 1
            and _SPACED_OUT.fullmatch(text[words[last].end : words[last + 1].start])
        ):
            last += 1
        out += words[done:first]
        if last > first:
            run = words[first : last + 1]
            out.append(_Token("".join(t.text for t in run), run[0].start, run[-1].end, run[0].capital, True))
        else:
            out.append(words[first])
        done = last + 1
    return out + words[done:]


def _words(lower: str) -> set[str]:
    """The distinct words of a lowercase text, and its runs of single letters joined (`j o h n`)."""
    if lower.isascii():  # the usual case: str methods and plain classes do the same far faster
        words = set(lower.translate(_ASCII_NOT_LETTERS).split())
        singles = [(m.start() - 1, m.end()) for m in _ASCII_AFTER_SINGLE_LETTER.finditer(lower)]
    else:
        words = set(_WORD.findall(lower))
        singles = [m.span() for m in _SINGLE_LETTERS.finditer(lower)]
    return words | {"".join(_WORD.findall(lower, start, end)) for start, end in singles}


def _whole(word: str) -> re.Pattern[str]:
    """The word where no letter stands on either side of it. Written to start with the word itself (the
    letter before it checked after), so the engine finds it with its fast substring search, where
    `(?<![^\\W\\d_])word`, or an alternation of words, is tried at every position of the text."""
    escaped = re.escape(word)
    return re.compile(f"{escaped}(?<![^\\W\\d_]{escaped})(?![^\\W\\d_])")


def _joins(text: str, before: _Token, after: _Token) -> bool:
    gap = text[before.end : after.start]
    if before.text in FORM_LABELS or after.text in FORM_LABELS:
        pattern = _AROUND_LABEL
    else:
        pattern = _AFTER_INITIAL if len(before.text) == 1 or before.letters else _BETWEEN_WORDS
    return pattern.fullmatch(gap) is not None


def _is_label(text: str, tokens: Sequence[_Token], index: int) -> bool:
    """Whether the word is a form's label: one that is nothing else, or one before a colon or an equals
    sign, or before another label (`first name`)."""
    token = tokens[index]
    if token.text in LABELS_ALONE:
        return True
    if token.text not in FORM_LABELS or index + 1 >= len(tokens):
        return False
    after = tokens[index + 1]
    return after.text in FORM_LABELS or any(mark in text[token.end : after.start] for mark in ":=")


def _tolerance(word: str, whole: int) -> int:
    """Edits allowed in one word of a name `whole` letters long."""
    if whole < FUZZY_FROM or len(word) < 4:
        return 0
    return 1 if len(word) < 9 else 2


class _Name:
    def __init__(self, words: list[str], *, strict: bool = False) -> None:
        """`strict`: the words only side by side, with spaces between (`Aaliyah Washington`, half of a
        double-barrelled surname: `Aaliyah, Washington State Bar` names no one)."""
        self.words, self.strict = words, strict
        letters = sum(len(w) for w in words)
        self.allowed = {w: _tolerance(w, letters) for w in words}
        joined_allowed = 0 if letters < FUZZY_FROM else (1 if letters < 12 else 2)
        orders = itertools.permutations(words) if len(words) <= MOST_ORDERS else (words, words[::-1])
        self.joined = {"".join(order): joined_allowed for order in orders}
        # A name of three words or more is still the person with one of them left out.
        self.needed = len(words) - 1 if len(words) >= 3 else len(words)
        self.initials = {w[0] for w in words}

    def may_start(self, token: str, hits: dict[str, set[str]]) -> bool:
        """Whether a window of this name can start at the word: it is one of the name's words (or close to
        one), or the initial of one; `window_at` gives up at once on any other."""
        return not hits.get(token, set()).isdisjoint(self.words) or (
            len(token) == 1 and token in self.initials
        )

    def window_at(
        self, text: str, tokens: Sequence[_Token], first: int, hits: dict[str, set[str]]
    ) -> int | None:
        """The index after the last word if the words from `first` on are enough of the name's words in
        some order, with initials, particles, a form's labels or middle names among them (`John Q. Doe`,
        `Maria del Carmen Ortiz`, `First: John\nLast: Doe`) and perhaps one of the name's words given only
        as its initial (`J. Doe`), but never all of them; else None."""
        wanted = list(self.words)
        whole = initials = between = middle_names = labels = 0
        index = first
        last_match = None
        while wanted and index < len(tokens):
            if index > first and not self._joined(text, tokens[index - 1], tokens[index]):
                break
            token = tokens[index]
            word = next((w for w in wanted if w in hits.get(token.text, ())), None)
            if word is not None:
                whole += 1
            elif len(token.text) == 1 and (word := next((w for w in wanted if w[0] == token.text), None)):
                initials += 1
            elif self.strict or index == first:
                break
            elif labels < MAX_LABELS and _is_label(text, tokens, index):
                labels += 1
                index += 1
                continue
            elif between < MAX_BETWEEN and (len(token.text) == 1 or token.text in PARTICLES):
                between += 1
                index += 1
                continue
            elif between < MAX_BETWEEN and token.capital and middle_names < MAX_MIDDLE_NAMES:
                between += 1
                middle_names += 1
                index += 1
                continue
            else:
                break
            wanted.remove(word)
            index += 1
            last_match = index
            if whole >= self.needed and not wanted:
                break
        if last_match is None or whole == 0 or whole + initials < self.needed or initials > 1:
            return None
        if middle_names and not _as_middle_names(text, tokens[first:last_match], middle_names):
            return None
        if whole + initials < len(self.words):
            # A word left out: only a middle one (`An Nguyen`, `Aaliyah Brooks`), never the first or last
            # (`the Washington-Brooks Act` names no one).
            matched = set(self.words) - set(wanted)
            if whole < self.needed or not {self.words[0], self.words[-1]} <= matched:
                return None
        return last_match

    def _joined(self, text: str, before: _Token, after: _Token) -> bool:
        if self.strict:
            return _PLAIN.fullmatch(text[before.end : after.start]) is not None
        return _joins(text, before, after)


def _as_middle_names(text: str, window: Sequence[_Token], middle_names: int) -> bool:
    """Whether capitalized words among a name's are its middle names, not the next items of a list
    (`Maria / Juan / Ortiz`, `Present: Maria, Carlos, Judge Ortiz`): never after marks with spaces
    around, and two of them only with nothing but spaces between the words (`Maria Luisa Elena Ortiz`)."""
    gaps = [text[a.end : b.start] for a, b in itertools.pairwise(window)]
    if any(_MARKS_APART.fullmatch(gap) for gap in gaps):
        return False
    return middle_names < 2 or all(_PLAIN.fullmatch(gap) for gap in gaps)


class NameList:
    """The names never to be posted to another organization, matched in normalized text."""

    def __init__(self, names: Iterable[str]) -> None:
        self._names = [
            _Name(words, strict=strict)
            for n in names
            for spelling, strict in with_either_half(n)
            if (words := [w.lower() for w in _WORD.findall(folded(spelling))])
        ]
        # Every word and every joined form of every name, with the edits each allows, for one C call per
        # distinct word of a text (rapidfuzz) instead of one Python comparison per pair.
        self._words = {w: a for name in self._names for w, a in name.allowed.items()}
        self._joined = {j: a for name in self._names for j, a in name.joined.items()}
        self._initials = {w[0] for w in self._words}
        fuzzy = {k: a for k, a in (self._words | self._joined).items() if a}
        self._fuzzy = list(fuzzy)
        self._fuzzy_allowed = numpy.array(list(fuzzy.values()))
        self._fuzzy_indel = 2 * self._fuzzy_allowed  # see `_close`
        self._known = self._words.keys() | self._joined.keys()
        self._prefixes = {k[:i] for k in self._known for i in range(1, len(k))}

    def __bool__(self) -> bool:
        return bool(self._names)

    def find(self, text: str) -> list[tuple[int, int]]:
        """Spans of the normalized text where one of the names stands."""
        if not self._names:
            return []
        text = _LEET.sub(lambda m: _AS_LETTER[m[0]], text)  # one for one: the spans do not move
        # First by the text's distinct words alone (no positions): most texts hold no name at all, and
        # reading every word's place costs far more than knowing which words there are.
        lower = text.lower()
        words = _words(lower)
        hits, joined = self._close(words)
        broken = self._broken(lower)
        if not joined and not broken and not any(self._could_stand(n, hits, words) for n in self._names):
            return []
        found: list[tuple[int, int]] = []
        for start, end in self._near(lower, hits.keys() | joined, whole=broken or len(words) < 40):
            found += self._found_in(text, start, end, words, hits, joined)
        return found

    def _near(self, lower: str, found_words: set[str], *, whole: bool) -> list[tuple[int, int]]:
        """Where to read word by word: around each word that is (nearly) one of the names' words, stretches
        close together merged; the whole text when it is short or a word may be broken in two."""
        if whole or not found_words:
            return [(0, len(lower))]
        # One pattern a word (they are whole runs of letters, so no two places overlap): see `_whole`.
        places = sorted(match.span() for word in found_words for match in _whole(word).finditer(lower))
        stretches: list[tuple[int, int]] = []
        for found_start, found_end in places:
            start, end = max(0, found_start - 80), min(len(lower), found_end + 80)
            if stretches and start <= stretches[-1][1]:
                stretches[-1] = (stretches[-1][0], end)
            else:
                stretches.append((start, end))
        return stretches or [(0, len(lower))]

    def _found_in(
        self,
        text: str,
        start: int,
        end: int,
        words: set[str],
        hits: dict[str, set[str]],
        joined: set[str],
    ) -> list[tuple[int, int]]:
        tokens = self._mended(text, _tokens(text, start, end))
        more_hits, more_joined = self._close({t.text for t in tokens} - words)
        hits = hits | more_hits
        joined = joined | more_joined
        found = [(t.start, t.end) for t in tokens if t.text in joined]
        for first, token in enumerate(tokens):
            if token.text not in hits and not (len(token.text) == 1 and token.text in self._initials):
                continue
            for name in self._names:
                if len(name.words) == 1:
                    if name.words[0] in hits.get(token.text, ()):
                        found.append((token.start, token.end))
                    continue
                if not name.may_start(token.text, hits):
                    continue
                after = name.window_at(text, tokens, first, hits)
                if after is not None:
                    found.append((token.start, tokens[after - 1].end))
        return found

    def _broken(self, lower: str) -> bool:
        """Whether a name's word may be written broken in two (`Jo hn`): its halves stand side by side."""
        padded = f" {lower}"
        return any(f" {w[: len(w) // 2]} {w[len(w) // 2 :]}" in padded for w in self._words if len(w) >= 4)

    def _mended(self, text: str, tokens: list[_Token]) -> list[_Token]:
        """Words broken by a space into two or three pieces (`Jo hn Do e`) joined again where together
        they are one of the names' words or joined forms."""
        known = self._known
        out: list[_Token] = []
        index = 0
        while index < len(tokens):
            if tokens[index].text not in self._prefixes:
                out.append(tokens[index])
                index += 1
                continue
            for size in (3, 2):
                pieces = tokens[index : index + size]
                if len(pieces) == size and all(
                    text[a.end : b.start] == " " for a, b in itertools.pairwise(pieces)
                ):
                    joined = "".join(p.text for p in pieces)
                    if joined in known and all(p.text not in known for p in pieces):
                        out.append(_Token(joined, pieces[0].start, pieces[-1].end, pieces[0].capital))
                        index += size
                        break
            else:
                out.append(tokens[index])
                index += 1
        return out

    @staticmethod
    def _could_stand(name: _Name, hits: dict[str, set[str]], words: set[str]) -> bool:
        """Whether the text has enough of the name's words, whole or (one of them) as an initial."""
        present = {known for close in hits.values() for known in close}
        whole = [w for w in name.words if w in present]
        covered = [w for w in name.words if w in present or w[0] in words]
        return len(whole) >= 1 and len(covered) >= name.needed

    def _close(self, words: set[str]) -> tuple[dict[str, set[str]], set[str]]:
        """The words that are one of the names' words, exactly or within the edits each allows (each with
        the name words it is), and those that are a whole name joined (`johndoe`): one rapidfuzz matrix
        for all the words long enough to carry a typo."""
        if not words:  # (most stretches of a text hold no word the whole text does not)
            return {}, set()
        hits: dict[str, set[str]] = {w: {w} for w in words if w in self._words}
        joined = {w for w in words if w in self._joined}
        longer = [w for w in words if len(w) >= 3 and w not in hits and w not in joined]
        if self._fuzzy and longer:
            # rapidfuzz has no bit-parallel Damerau-Levenshtein, and the matrix cost most of the whole
            # detector; Indel is bit-parallel and one Damerau-Levenshtein edit is at most two Indel edits,
            # so only the few pairs within twice the allowed Indel distance are measured exactly.
            indel = process.cdist(longer, self._fuzzy, scorer=Indel.distance, score_cutoff=4)
            close = indel <= self._fuzzy_indel
            pairs = zip(*numpy.nonzero(close), strict=True) if close.any() else iter(())
            for row, column in pairs:
                word, known = longer[row], self._fuzzy[column]
                allowed = int(self._fuzzy_allowed[column])
                if DamerauLevenshtein.distance(word, known, score_cutoff=allowed) > allowed:
                    continue
                if known in self._words:
                    hits.setdefault(word, set()).add(known)
                else:
                    joined.add(word)
        return hits, {w for w in joined if len(w) >= 4}
