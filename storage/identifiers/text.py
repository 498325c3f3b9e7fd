"""Small tools the identifier patterns share."""

from __future__ import annotations

import re

Span = tuple[int, int]
# What may stand between the parts of a number someone is disguising: a little punctuation or space (any
# character that is neither a letter nor a digit, nor a line break), or an underscore.
SEP = r"(?:[^\w\n]|_)"


def spans_in(pattern: re.Pattern[str], text: str, start: int = 0, end: int | None = None) -> list[Span]:
    return [m.span() for m in pattern.finditer(text, start, len(text) if end is None else end)]


def hinted(lower: str, hints: tuple[str, ...]) -> bool:
    """Whether any of the words a pattern needs is in the text at all (a substring test is far cheaper
    than running the pattern)."""
    return any(hint in lower for hint in hints)


def trie(words: str | list[str], not_after: str | None = None) -> str:
    """An alternation of words (a list, or a string of them) as a trie (`c(?:r(?:im)?|f)`): Python's
    regex engine tries alternatives one by one, so a long list of words sharing first letters is far
    faster this way. With `not_after` (a class such as `[\\w-]`), a word counts only where no such
    character stands before it; the check follows the first letter (`c(?<![\\w-]c)...`), so the pattern
    still starts with a letter and the engine skips to the places that have one instead of checking the
    text before every position."""
    heads: dict[str, list[str]] = {}
    for word in sorted(set(words.split() if isinstance(words, str) else words)):
        heads.setdefault(word[0], []).append(word[1:])
    parts = []
    for head, tails in heads.items():
        first = re.escape(head)
        if not_after is not None:
            first += f"(?<!{not_after}{first})"
        rest = [t for t in tails if t]
        if not rest:
            parts.append(first)
            continue
        parts.append(f"{first}(?:{trie(rest)}){'?' if '' in tails else ''}")
    return parts[0] if len(parts) == 1 else f"(?:{'|'.join(parts)})"


def lowercased(text: str) -> str:
    """`text` in lower case, character for character (a few letters lowercase to two: those stay), so that
    patterns written in lower case run on it without asking the engine to ignore case, which is slower."""
    lower = text.lower()
    if len(lower) == len(text):
        return lower
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
