"""Finding the office's do-not-post names (LIAISON_DO_NOT_POST) however they are written.

`John Doe` is also `Doe, John`, `John Q. Doe`, `J. Doe`, `John_Doe`, `JohnDoe`, `J o h n  D o e`,
`JOHN DOE`; with the normalizer's folding also full-width letters, a Cyrillic `о`, and `Jose Nunez` for
`José Núñez`. Longer names match within a small edit distance too (`Jose Nunes`), measured with
rapidfuzz. A first name alone, or a surname alone, is not a match: it is the whole name that identifies.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from storage.normalize import folded

_WORD = re.compile(r"[^\W\d_]+")
FUZZY_FROM = 8  # letters in the whole name before a typo is tolerated
MAX_INITIALS_BETWEEN = 2  # `John Q. R. Doe`
_BETWEEN_WORDS = re.compile(r"[\s,_'-]{0,4}")
_AFTER_INITIAL = re.compile(r"\.?[\s,_-]{0,3}")


# Two or more single letters with a little space or punctuation between them: a name spaced out.
_SINGLE_LETTERS = re.compile(r"(?<![^\W\d_])[^\W\d_](?:(?:[^\w\n]|_){1,3}[^\W\d_](?![^\W\d_]))+")
_SPACED_OUT = re.compile(r"(?:[^\w\n]|_){1,3}")  # what may stand between the letters of `J o h n`


class _Token(NamedTuple):
    text: str  # lowercase letters
    start: int  # in the normalized text
    end: int


def _tokens(text: str) -> list[_Token]:
    """Words of letters, lowercased; a run of single letters with a little space or punctuation between
    them (`J o h n`, `J.o.h.n`) is read as one word, since spacing a name out is a way to disguise it."""
    words = [_Token(m[0].lower(), m.start(), m.end()) for m in _WORD.finditer(text)]
    if not any(len(w.text) == 1 for w in words):
        return words
    out: list[_Token] = []
    run: list[_Token] = []
    for word in [*words, _Token("", len(text), len(text))]:
        spaced = len(word.text) == 1 and bool(run) and _SPACED_OUT.fullmatch(text[run[-1].end : word.start])
        if spaced or (len(word.text) == 1 and not run):
            run.append(word)
            continue
        if len(run) >= 2:
            out.append(_Token("".join(t.text for t in run), run[0].start, run[-1].end))
        else:
            out.extend(run)
        run = [word] if len(word.text) == 1 else []
        if len(word.text) > 1:
            out.append(word)
    return out


def _joins(text: str, before: _Token, after: _Token) -> bool:
    """Whether two words are written as parts of one name: `Doe, John`, `John_Doe`, `John Q. Doe`; not
    across a sentence (`... Judge Nunez. Jose called`)."""
    gap = text[before.end : after.start]
    pattern = _AFTER_INITIAL if len(before.text) == 1 else _BETWEEN_WORDS
    return pattern.fullmatch(gap) is not None


def _tolerance(word: str, whole: int) -> int:
    """Edits allowed in one word of a name `whole` letters long."""
    if whole < FUZZY_FROM or len(word) < 5:
        return 0
    return 1 if len(word) < 9 else 2


class _Name:
    def __init__(self, words: list[str]) -> None:
        self.words = words
        letters = sum(len(w) for w in words)
        self.allowed = {w: _tolerance(w, letters) for w in words}
        joined_allowed = 0 if letters < FUZZY_FROM else (1 if letters < 12 else 2)
        self.joined = {"".join(order): joined_allowed for order in itertools.permutations(words)}

    def window_at(
        self, text: str, tokens: Sequence[_Token], first: int, hits: dict[str, set[str]]
    ) -> int | None:
        """The index after the last word if the words from `first` on are the name's words in some order,
        with at most a couple of middle initials among them (`John Q. Doe`) and perhaps one of the name's
        words given only as its initial (`J. Doe`), but never all of them; else None."""
        wanted = list(self.words)
        whole_words = initials_between = 0
        index = first
        while wanted and index < len(tokens):
            if index > first and not _joins(text, tokens[index - 1], tokens[index]):
                return None
            token = tokens[index].text
            word = next((w for w in wanted if w in hits.get(token, ())), None)
            if word is not None:
                whole_words += 1
            elif len(token) == 1:
                word = next((w for w in wanted if w[0] == token), None)
                if word is None:  # a middle initial, never the first word of a match
                    if index == first or initials_between == MAX_INITIALS_BETWEEN:
                        return None
                    initials_between += 1
                    index += 1
                    continue
            else:
                return None
            wanted.remove(word)
            index += 1
        return index if not wanted and whole_words else None


class NameList:
    """The names never to be posted to another organization, matched in normalized text."""

    def __init__(self, names: Iterable[str]) -> None:
        self._names = [
            _Name(words) for n in names if (words := [w.lower() for w in _WORD.findall(folded(n))])
        ]
        # Every word and every joined form of every name, with the edits each allows, for one C call per
        # distinct word of a text (rapidfuzz) instead of one Python comparison per pair.
        self._words = {w: a for name in self._names for w, a in name.allowed.items()}
        self._joined = {j: a for name in self._names for j, a in name.joined.items()}
        self._initials = {w[0] for w in self._words}
        fuzzy = {k: a for k, a in (self._words | self._joined).items() if a}
        self._fuzzy = list(fuzzy)
        self._fuzzy_allowed = numpy.array(list(fuzzy.values()))

    def __bool__(self) -> bool:
        return bool(self._names)

    def find(self, text: str) -> list[tuple[int, int]]:
        """Spans of the normalized text where one of the names stands."""
        if not self._names:
            return []
        # First by the text's distinct words alone (no positions): most texts hold no name at all, and
        # reading every word's place costs far more than knowing which words there are.
        lower = text.lower()
        words = set(_WORD.findall(lower))
        words |= {"".join(_WORD.findall(m[0])) for m in _SINGLE_LETTERS.finditer(lower)}  # `j o h n`
        hits, joined = self._close(words)
        if not joined and not any(self._could_stand(n, hits, words) for n in self._names):
            return []
        tokens = _tokens(text)
        more_hits, more_joined = self._close({t.text for t in tokens} - words)
        hits |= more_hits
        joined |= more_joined
        found = [(t.start, t.end) for t in tokens if t.text in joined]
        for first, token in enumerate(tokens):
            if token.text not in hits and not (len(token.text) == 1 and token.text in self._initials):
                continue
            for name in self._names:
                if len(name.words) == 1:
                    if name.words[0] in hits.get(token.text, ()):
                        found.append((token.start, token.end))
                    continue
                after = name.window_at(text, tokens, first, hits)
                if after is not None:
                    found.append((token.start, tokens[after - 1].end))
        return found

    @staticmethod
    def _could_stand(name: _Name, hits: dict[str, set[str]], words: set[str]) -> bool:
        """Whether the text has all the name's words, whole or (all but one) as an initial standing alone."""
        present = {known for close in hits.values() for known in close}
        whole = [w for w in name.words if w in present]
        return bool(whole) and all(w in present or w[0] in words for w in name.words)

    def _close(self, words: set[str]) -> tuple[dict[str, set[str]], set[str]]:
        """The words that are one of the names' words, exactly or within the edits each allows (each with
        the name words it is), and those that are a whole name joined (`johndoe`): one rapidfuzz matrix
        for all the words long enough to carry a typo."""
        hits: dict[str, set[str]] = {w: {w} for w in words if w in self._words}
        joined = {w for w in words if w in self._joined}
        longer = [w for w in words if len(w) >= 5 and w not in hits and w not in joined]
        if self._fuzzy and longer:
            distances = process.cdist(longer, self._fuzzy, scorer=DamerauLevenshtein.distance, score_cutoff=2)
            for row, column in zip(*numpy.nonzero(distances <= self._fuzzy_allowed), strict=True):
                word, known = longer[row], self._fuzzy[column]
                if known in self._words:
                    hits.setdefault(word, set()).add(known)
                else:
                    joined.add(word)
        return hits, {w for w in joined if len(w) >= 4}
