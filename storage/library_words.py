"""The library's vocabulary: every word its entries hold, kept by the service layer as entries are added
and edited, so that a misspelt short query can be read as the closest words the library does hold
(rapidfuzz's ratio over the vocabulary, cached per database until a word is added)."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence

from rapidfuzz import fuzz, process
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, Session, SQLModel, col

WORD = re.compile(
    r"[^\W_]{2,40}"
)  # what a query's and an entry's words are; the vocabulary keeps letters only
CLOSE_ENOUGH = 75  # rapidfuzz ratio: "eviciton" and "evicton" read as "eviction"


class LibraryWord(SQLModel, table=True):
    """Every word the library's entries hold, for reading a misspelt query (kept by the service layer)."""

    __tablename__ = "library_word"

    word: str = Field(max_length=40, primary_key=True)


_vocabulary: dict[str, tuple[int, list[str]]] = {}  # per database URL: (word count, words)
_vocabulary_lock = threading.Lock()


def learn_words(session: Session, texts: Sequence[str | None]) -> None:
    """Add the words of an entry's text to the library's vocabulary (inserting what is new only)."""
    words = sorted({w for t in texts if t for w in WORD.findall(t.lower()) if w.isalpha() and len(w) > 2})
    if not words:
        return
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    for start in range(0, len(words), 500):
        rows = [{"word": w} for w in words[start : start + 500]]
        session.execute(insert(LibraryWord).values(rows).on_conflict_do_nothing())


def _words(session: Session) -> list[str]:
    """Every word the library holds, read again only when more have been added."""
    key = str(session.get_bind().engine.url)
    count = session.scalar(select(func.count()).select_from(LibraryWord)) or 0
    with _vocabulary_lock:
        known = _vocabulary.get(key)
        if known is not None and known[0] == count:
            return known[1]
    words = list(session.scalars(select(col(LibraryWord.word))).all())
    with _vocabulary_lock:
        _vocabulary[key] = (count, words)
    return words


def corrected(session: Session, query: str) -> str | None:
    """The query with each word the library does not hold replaced by the closest one it does; None when
    nothing changes."""
    vocabulary = _words(session)
    if not vocabulary:
        return None
    known = set(vocabulary)
    changed = False
    out = []
    for word in query.split():
        plain = word.lower().strip('"-.,;:!?')
        if len(plain) < 3 or plain in known or not WORD.fullmatch(plain):
            out.append(word)
            continue
        best = process.extractOne(plain, vocabulary, scorer=fuzz.ratio, score_cutoff=CLOSE_ENOUGH)
        if best is None:
            out.append(word)
            continue
        # Only the word changes: `-evction` stays excluded and `"evction` stays in its phrase.
        start = word.lower().index(plain)
        out.append(word[:start] + best[0] + word[start + len(plain) :])
        changed = True
    return " ".join(out) if changed else None
