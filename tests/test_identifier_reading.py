"""The detector reads a text with no escape or right-to-left override by stretches (runs of plain ASCII
taken whole), which must be exactly its reading character by character: the same normalized text, each
character mapped to the same typed span. Checked on the guard's corpus, on each of its texts drawn as a
card draws them, and on random texts made of what the reading treats specially."""

from __future__ import annotations

import random

import pytest

from bench.guard import corpus
from storage.identifiers.reading import Normalized, _displayed, _Reading, normalize

# What the reading treats specially: formatting marks, controls, tokens (emoji codes of digits, digits as
# words, Slack dates), non-ASCII digits, dashes, spaces and look-alikes, accents, ligatures, zero-width
# and format characters, letters against digits, and plain text between them.
PARTS = [
    "*", "_", "~", "`", "\x07", "\x7f", "\t", "\n", "\r", " ", "-", "/", ".", ",", ":",
    ":one:", ":two:", ":hash:", ":keycap_ten:", ":onex:", ":smile:", "one", "two", "oh", "nine", "seven",
    "<!date^1796421600^{date_short}|Dec 4>", "<!date^-5^{time}|x>", "<!date^99999999999999^{date}|y>",
    "１２３", "٣", "①", "\u2212", "\u2013", "\u00a0", "\u3000", "Jоhn", "José", "ﬁ", "\u200b", "\u00ad",
    "\ufe0f", "1\u20e3", "O12", "3l2", "I|", "·", "…", "🔹", "\u3164", "ǅ", "ß", "İ", "Ⅻ",
    "123-45-6789", "A123456789", "R-12", "call 312 555 0199", "Need", "housing", "Client",
]  # fmt: skip


def by_pieces(typed: str) -> Normalized:
    return _Reading().of_pieces(typed, _displayed(typed))


def random_texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(PARTS) for _ in range(rng.randint(1, 40))) for _ in range(count)]


def as_a_card(text: str) -> str:
    due = "<!date^1796421600^{date}|x>"
    return f"R-2 · Referral to Legal Aid\n\n*Need*\nhousing\n\n*Due*\n{due}\n\n{text}\n\nAccept…"


def corpus_texts() -> list[str]:
    return [row["text"] for name in ("identifiers", "ordinary") for row in corpus(name)]


@pytest.mark.parametrize(
    "texts",
    [corpus_texts(), [as_a_card(t) for t in corpus_texts()], random_texts(4000, seed=19)],
    ids=["corpus", "corpus as cards", "random"],
)
def test_reading_by_stretches_is_reading_character_by_character(texts: list[str]) -> None:
    read = 0
    for typed in texts:
        if "\u202e" in typed or "&" in typed or "%" in typed:
            continue  # escapes and overrides are always read character by character
        assert normalize(typed) == by_pieces(typed) or normalize(typed).starts is None, typed
        read += normalize(typed).starts is not None
    assert read > 200, "the texts that are not plain are many (the rest take the plain shortcut)"


def test_a_card_is_read_by_stretches() -> None:
    """A card is not plain (its bold marks, its `·`, its date), so it is never the plain shortcut."""
    card = as_a_card("Client received an eviction notice.")
    reading = normalize(card)
    assert reading.starts is not None
    assert "Need" in reading.text and "*" not in reading.text and "<!date" not in reading.text
    assert reading == by_pieces(card)
