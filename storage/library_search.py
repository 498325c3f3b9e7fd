"""Searching the library with each database's own full-text search: SQLite's FTS5 (ranked by bm25) and
PostgreSQL's tsvector with a GIN index (websearch_to_tsquery, ranked by ts_rank), both kept in step with
the entries by the database itself (migration 0014: FTS5 triggers; a generated tsvector column). A short
query that finds nothing is read again with each unknown word replaced by the closest word the library
holds (rapidfuzz over the library's own vocabulary, `library_word`), and the answer says so.

What a partner's staff may see is part of the query, so an entry they may not see is never counted,
ranked or hinted at."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import (
    String,
    and_,
    cast,
    column,
    exists,
    false,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
    true,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col
from sqlmodel import select as sqlmodel_select

from storage.library import SEEN, Audience, Resource, ResourceReader, covered
from storage.library_words import WORD, corrected
from storage.people import Affiliation, Person

# What the database keeps for the index itself, outside the models: PostgreSQL's generated column and
# its index (SQLite's resource_fts* tables are the other half).
FULL_TEXT_OBJECTS = frozenset({"search", "ix_resource_search"})
_FTS = table("resource_fts", column("rowid"))  # SQLite's index (migration 0014), joined by rowid
# Words one database reads as its own syntax or a stop word and the other as a word to find: every word
# is required on both, so these mean nothing on either.
OPERATORS = frozenset({"and", "or", "not"})
SHORT_QUERY = 3  # words: a query this short that finds nothing is tried again with typos corrected
# A query matching more than this many entries is ranked among its newest this many (and the answer says
# so): bm25 and ts_rank over every one of 50,000 matches of a common word cost more than the whole search
# may (bench/results.md), and a query that broad is better narrowed than ranked.
RANKED = 1000
_WEIGHTS = "10.0, 2.0, 6.0, 3.0, 6.0"  # bm25's, per column: title, summary, topics, jurisdiction, expertise


@dataclass(frozen=True)
class Filters:
    kind: str | None = None
    topic: str | None = None
    jurisdiction: str | None = None


@dataclass
class Hit:
    entry: Resource
    snippet: str  # a piece of its text with the words found in *bold*


@dataclass
class Found:
    hits: list[Hit]
    total: int
    read_as: str | None = None  # the corrected query, when the typed one found nothing
    words: list[str] = field(default_factory=list)
    more: bool = False  # more than `total` match: they were ranked among the newest RANKED


def search(
    session: Session, person: Person, query: str, filters: Filters, today: date, limit: int = 10
) -> Found:
    """The entries the person may see that match, best first."""
    found = _search(session, person, query, filters, today, limit)
    if found.total or not query.strip() or len(query.split()) > SHORT_QUERY:
        return found
    if person.affiliation != Affiliation.home:
        # The vocabulary holds the words of every entry, those a partner may not see too: whether a word
        # is corrected, and to what, would tell them what the hidden entries say.
        return found
    corrected_query = corrected(session, query)
    if corrected_query is None:
        return found
    again = _search(session, person, corrected_query, filters, today, limit)
    again.read_as = corrected_query
    return again


def _search(session: Session, person: Person, query: str, filters: Filters, today: date, limit: int) -> Found:
    terms = Terms.of(query)
    where = [*_visible(person, today), *_filtered(filters)]
    if terms.empty:  # filters alone: newest first
        listed = sqlmodel_select(Resource).where(*where).order_by(col(Resource.id).desc())
        counted = select(col(Resource.id)).where(*where).limit(RANKED + 1).subquery()
        total = session.scalar(select(func.count()).select_from(counted)) or 0
        rows = session.exec(listed.limit(limit)).all()
        return Found([Hit(r, _opening(r.summary)) for r in rows], min(total, RANKED), more=total > RANKED)
    if session.get_bind().dialect.name == "postgresql":
        return _postgres(session, terms, where, limit)
    return _sqlite(session, terms, where, limit)


def _sqlite(session: Session, terms: Terms, where: list[Any], limit: int) -> Found:
    params = {"match": terms.fts5()}
    matched = text("resource_fts MATCH :match")
    # FTS5 gives matches newest first straight from its index and bm25 only for the rows taken.
    rank: ColumnElement[Any] = literal_column(f"bm25(resource_fts, {_WEIGHTS})")
    newest = (
        select(col(Resource.id), rank)
        .select_from(_FTS)
        .join(Resource, col(Resource.id) == _FTS.c.rowid)
        .where(matched, *where)
        .order_by(_FTS.c.rowid.desc())
        .limit(RANKED + 1)
    )
    scored = [(ref, -score) for ref, score in session.execute(newest, params).all()]  # bm25: lower is better
    best = _best(scored, limit)
    snippets: dict[int, str] = {}
    if best:
        whole: ColumnElement[Any] = literal_column("resource_fts")  # FTS5's functions take the table itself
        cut = select(_FTS.c.rowid, func.snippet(whole, -1, "*", "*", "…", 16)).where(
            matched, _FTS.c.rowid.in_(best)
        )
        snippets = {ref: snippet for ref, snippet in session.execute(cut, params).all()}
    return _found(session, best, snippets, scored, terms)


def _postgres(session: Session, terms: Terms, where: list[Any], limit: int) -> Found:
    # psycopg prepares a statement run often, and PostgreSQL then settles on one plan for every query
    # string: a plan for a rare word (bitmap, then sort) is ten times too slow for a common one (walk the
    # newest entries backward) and the other way round. Plan each search for its own words. And no JIT:
    # a broad search's cost estimate passes its threshold, and compiling took 20 ms to save none (a
    # filtered search went from 28 ms to 885 ms with it).
    session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    session.execute(text("SET LOCAL jit = off"))
    query = func.websearch_to_tsquery("english", terms.websearch())
    # The generated column (migration 0014), which the model does not name.
    vector: ColumnElement[Any] = literal_column("resource.search")
    newest = (
        select(col(Resource.id))
        .where(vector.op("@@")(query), *where)
        .order_by(col(Resource.id).desc())
        .limit(RANKED + 1)
        .subquery()
    )
    ranking = select(col(Resource.id), func.ts_rank(vector, query)).join(
        newest, newest.c.id == col(Resource.id)
    )
    scored = [(ref, float(score)) for ref, score in session.execute(ranking).all()]
    best = _best(scored, limit)
    headline = func.ts_headline(
        "english",
        col(Resource.summary),
        query,
        "StartSel=*, StopSel=*, MaxWords=22, MinWords=10, ShortWord=2, MaxFragments=1",
    )
    snippets: dict[int, str] = {}
    if best:
        cut = select(col(Resource.id), headline).where(col(Resource.id).in_(best))
        snippets = {ref: snippet for ref, snippet in session.execute(cut).all()}
    return _found(session, best, snippets, scored, terms)


def _best(scored: list[tuple[int, float]], limit: int) -> list[int]:
    """The IDs of the best `limit` of the newest RANKED matches, best first (newer first on a tie)."""
    ranked = sorted(scored[:RANKED], key=lambda pair: (-pair[1], -pair[0]))
    return [ref for ref, _score in ranked[:limit]]


def _found(
    session: Session, best: list[int], snippets: dict[int, str], scored: list[tuple[int, float]], terms: Terms
) -> Found:
    rows = {r.id: r for r in session.exec(sqlmodel_select(Resource).where(col(Resource.id).in_(best)))}
    hits = [Hit(rows[ref], _one_line(snippets.get(ref))) for ref in best if ref in rows]
    return Found(hits, min(len(scored), RANKED), words=terms.words, more=len(scored) > RANKED)


def _visible(person: Person, today: date) -> list[ColumnElement[bool]]:
    """What the person may find: the office every current entry; a partner's staff what their
    organization's agreement or the entry's named partners allow."""
    shown = col(Resource.status).in_([s.value for s in SEEN])
    if person.affiliation == Affiliation.home:
        return [shown]
    if person.partner is None:
        return [false()]
    named = exists().where(
        col(ResourceReader.resource_id) == col(Resource.id),
        col(ResourceReader.partner_id) == person.partner.id,
    )
    agreement = and_(
        col(Resource.audience) == Audience.agreement, true() if covered(person.partner, today) else false()
    )
    return [shown, or_(agreement, and_(col(Resource.audience) == Audience.partners, named))]


def _filtered(filters: Filters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if filters.kind:
        where.append(col(Resource.kind) == filters.kind)
    if filters.topic:  # topics are a JSON list of known words: `"bail"` appears exactly when it is one
        where.append(cast(Resource.topics, String).like(f'%"{filters.topic}"%'))
    if filters.jurisdiction:
        where.append(func.lower(Resource.jurisdiction).contains(filters.jurisdiction.lower()))
    return where


@dataclass(frozen=True)
class Terms:
    """A query as people type it: words, "quoted phrases" and -excluded words, all required."""

    words: list[str]
    phrases: list[list[str]]
    excluded: list[str]

    @classmethod
    def of(cls, query: str) -> Terms:
        words: list[str] = []
        phrases: list[list[str]] = []
        excluded: list[str] = []
        for piece in re.findall(r'-?"[^"]*"?|\S+', query):
            negative = piece.startswith("-")
            found = [w for w in WORD.findall(piece.lower()) if w not in OPERATORS]
            if not found:
                continue
            if negative:
                excluded += found
            elif piece.lstrip("-").startswith('"') and len(found) > 1:
                phrases.append(found)
            else:
                words += found
        return cls(words, phrases, excluded)

    @property
    def empty(self) -> bool:
        return not self.words and not self.phrases

    def fts5(self) -> str:
        """An FTS5 query: every word and phrase required, excluded words after NOT (quoted, so nothing
        typed is read as FTS5's own syntax)."""
        required = " AND ".join([f'"{w}"' for w in self.words] + [f'"{" ".join(p)}"' for p in self.phrases])
        return required + "".join(f' NOT "{w}"' for w in self.excluded)

    def websearch(self) -> str:
        """The same, as websearch_to_tsquery reads it."""
        parts = self.words + [f'"{" ".join(p)}"' for p in self.phrases] + [f"-{w}" for w in self.excluded]
        return " ".join(parts)


def _one_line(snippet: str | None) -> str:
    return " ".join((snippet or "").split())


def _opening(summary: str) -> str:
    words = summary.split()
    return " ".join(words[:22]) + ("…" if len(words) > 22 else "")
