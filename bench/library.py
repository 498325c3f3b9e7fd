"""`python -m bench library`: the library's search over 100,000 entries on SQLite and on PostgreSQL. The
entries are generated from a legal vocabulary with a Zipf-like spread of words (a few very common, most
rare), as real text has; the queries are a labelled set of the shapes people type (one common word, two
words, a rare word, a phrase, an excluded word, a filter, a misspelling), each run as office staff and as
a partner's staff (whose visibility is part of the query). Reports p50 and p95 per shape and overall, the
time to load the entries with their index kept in step, and to rebuild the index from scratch."""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlmodel import select

from bench import office
from bench.results_file import machine_lines, write_part
from bot.running import settled_in
from storage.audit import Actor
from storage.db import Database
from storage.library import DEFAULT_TOPICS
from storage.library_search import Filters, search
from storage.library_words import learn_words
from storage.models import Partner, PartnerKind
from storage.people import Affiliation, Person
from tests.databases import database_url

ENTRIES = 100_000
TODAY = date(2026, 12, 2)
TARGET_P95_MS = 50.0
ROUNDS = 5  # each query, each viewer
ISSUES = (  # noqa: SIM905 (a list literal of these would run to a screen and more)
    "suppression motion cell-site location warrant geofence Carpenter pole camera tower dump drive "
    "test bail ability to pay pretrial detention risk assessment Franks hearing confidential "
    "informant Brady disclosure impeachment discovery sanctions eyewitness identification lineup "
    "showup Miranda custody interrogation voluntariness juvenile transfer sentencing mitigation "
    "mandatory minimum guidelines departure immigration consequences Padilla plea deportation removal "
    "expungement sealing record relief housing eviction public benefits reentry employment mental "
    "health competency fitness insanity substance use diversion drug court treatment forensic DNA "
    "fingerprint toxicology firearm toolmark ballistics digital extraction phone search consent "
    "inventory traffic stop frisk reasonable suspicion probable cause standing appeal preservation "
    "harmless error ineffective assistance postconviction habeas jury selection Batson voir dire "
    "instructions closing argument confrontation hearsay experts Daubert "
).split()
FILLER = (  # noqa: SIM905 (a list literal of these would run to a screen and more)
    "the court held that a defendant may argue under state and federal law where the record shows "
    "counsel should consider this memo reviews recent decisions and offers sample language for "
    "motions briefs practice notes strategy hearing trial appellate review standard burden evidence "
).split()
JURISDICTIONS = ("Illinois", "Cook County", "federal", "Seventh Circuit", "Wisconsin", "Indiana")
KINDS = ("memo", "brief", "motion", "expert", "template", "training", "data", "other")
QUERIES: dict[str, list[tuple[str, Filters]]] = {
    "one common word": [("motion", Filters()), ("court", Filters()), ("suppression", Filters())],
    "two words": [
        ("cell-site warrant", Filters()),
        ("bail pretrial", Filters()),
        ("Brady impeachment", Filters()),
    ],
    "a rare word": [("Batson", Filters()), ("geofence", Filters()), ("toolmark", Filters())],
    "a phrase": [('"ability to pay"', Filters()), ('"tower dump"', Filters())],
    "an excluded word": [("suppression -juvenile", Filters()), ("immigration -removal", Filters())],
    "with filters": [
        ("warrant", Filters(kind="brief")),
        ("sentencing", Filters(topic="sentencing", jurisdiction="Illinois")),
    ],
    "a misspelling": [("suppresion", Filters()), ("eyewitnes", Filters()), ("Padila", Filters())],
}


@dataclass
class Run:
    backend: str
    loaded_s: float
    rebuilt_s: float
    times: dict[str, list[float]]  # shape -> ms


def _zipf_words(rng: random.Random, words: list[str], n: int) -> list[str]:
    weights = [1 / (rank + 1) for rank in range(len(words))]
    return rng.choices(words, weights=weights, k=n)


def _rows(n: int) -> Iterator[dict[str, object]]:
    rng = random.Random(20261202)
    for i in range(n):
        issue = _zipf_words(rng, ISSUES, 4)
        summary = " ".join(_zipf_words(rng, ISSUES, 8) + rng.sample(FILLER, 18))
        kind = KINDS[i % len(KINDS)]
        yield {
            "kind": kind,
            "title": f"{issue[0].capitalize()} {issue[1]} and {issue[2]}: {kind} {i}",
            "summary": summary,
            "link": f"https://bank.example.org/{i}",
            "topics": f'["{rng.choice(DEFAULT_TOPICS)}", "{rng.choice(DEFAULT_TOPICS)}"]',
            "jurisdiction": rng.choice(JURISDICTIONS),
            "court_level": "any",
            "author_id": "U0DEF",
            "author_org": "office",
            "owner_id": "U0DEF",
            "audience": ("agreement", "office", "partners")[i % 3],
            "last_verified": TODAY,
            "review_months": 12,
            "review_due": date(2027, 12, 2),
            "status": "current" if i % 20 else "withdrawn",
            "expertise": " ".join(issue[:2]) if kind == "expert" else None,
            "created_at": "2026-11-01 00:00:00",
            "updated_at": "2026-11-01 00:00:00",
        }


INSERT = text(
    "INSERT INTO resource (kind, title, summary, link, topics, jurisdiction, court_level, author_id, "
    "author_org, owner_id, audience, last_verified, review_months, review_due, status, expertise, "
    "created_at, updated_at) VALUES (:kind, :title, :summary, :link, :topics, :jurisdiction, :court_level, "
    ":author_id, :author_org, :owner_id, :audience, :last_verified, :review_months, :review_due, :status, "
    ":expertise, :created_at, :updated_at)"
)


def _load(db: Database) -> float:
    started = time.perf_counter()
    batch: list[dict[str, object]] = []
    with db.engine.begin() as conn:
        for row in _rows(ENTRIES):
            batch.append(row)
            if len(batch) == 5000:
                conn.execute(INSERT, batch)
                batch = []
        if batch:
            conn.execute(INSERT, batch)
    with db.session() as session:
        session.add(
            Partner(
                handle="legal-aid", name="Legal Aid Society", kind=PartnerKind.legal_aid, scope=["resources"]
            )
        )
        session.flush()
        session.execute(
            text(
                "INSERT INTO resource_reader (resource_id, partner_id) "
                "SELECT id, :p FROM resource WHERE id % 6 = 0"
            ),
            {"p": session.exec(select(Partner.id)).one()},
        )
        learn_words(session, [str(row["title"]) for row in _rows(ENTRIES)] + [" ".join(ISSUES + FILLER)])
    return time.perf_counter() - started


def _rebuild(conn: Connection) -> float:
    started = time.perf_counter()
    if conn.dialect.name == "postgresql":
        conn.execute(text("REINDEX INDEX ix_resource_search"))
    else:
        conn.execute(text("INSERT INTO resource_fts(resource_fts) VALUES ('rebuild')"))
    return time.perf_counter() - started


@contextmanager
def _database(backend: str, folder: Path) -> Iterator[Database]:
    with database_url(backend, folder) as url:
        db = Database(url)
        db.upgrade()
        try:
            yield db
        finally:
            db.engine.dispose()


def measure(backend: str, folder: Path) -> Run:
    with _database(backend, folder) as db:
        loaded = _load(db)
        with db.engine.begin() as conn:
            rebuilt = _rebuild(conn)
        office.settle(db)
        with db.session() as session:
            partner = session.exec(select(Partner)).one()
        viewers = [
            Person(Actor("U0DEF", "T0HOME"), Affiliation.home),
            Person(Actor("U0LAS", "T0LEGAL"), Affiliation.partner, partner=partner),
        ]
        settled_in()  # as `liaison run` does once started
        times: dict[str, list[float]] = {shape: [] for shape in QUERIES}
        for words, filters in (
            q for queries in QUERIES.values() for q in queries
        ):  # warm, as a running bot is
            with db.session() as session:
                search(session, viewers[0], words, filters, TODAY)
        for _round in range(ROUNDS):
            for shape, queries in QUERIES.items():
                for words, filters in queries:
                    for viewer in viewers:
                        with db.session() as session:
                            started = time.perf_counter()
                            found = search(session, viewer, words, filters, TODAY)
                            times[shape].append((time.perf_counter() - started) * 1000)
                        assert found.total >= 0
    return Run(backend, loaded, rebuilt, times)


def _p(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(runs: list[Run]) -> list[str]:
    lines = ["## Library search over 100,000 entries", "", *machine_lines(), ""]
    lines.append(
        f"{ENTRIES:,} generated entries (a Zipf-like spread of {len(ISSUES)} legal words, so a common word "
        "matches tens of thousands of entries and a rare one a few hundred; a third each for the office "
        "only, named partners, every partner with `resources`; one in twenty withdrawn). Each query is run "
        f"{ROUNDS} times as office staff and {ROUNDS} times as a partner's staff (whose visibility is part "
        "of the query), through `storage.library_search.search`: the ranked page of 10, its snippets and the "
        "total, after one unmeasured pass (a running bot's connections and the library's vocabulary are "
        "warm) and with what was made before it frozen out of the garbage collector's full passes, as "
        "`liaison run` does once started (without that, a full pass stalled one search in ten or so by "
        "about 100 ms). Times are wall-clock ms in this process."
    )
    lines += ["", "| shape | " + " | ".join(f"{r.backend} p50 | {r.backend} p95" for r in runs) + " |"]
    lines.append("|---|" + "---|---|" * len(runs))
    for shape in QUERIES:
        cells = " | ".join(f"{_p(r.times[shape], 0.5):.1f} | {_p(r.times[shape], 0.95):.1f}" for r in runs)
        lines.append(f"| {shape} | {cells} |")
    every = {r.backend: [t for ts in r.times.values() for t in ts] for r in runs}
    cells = " | ".join(
        f"**{_p(every[r.backend], 0.5):.1f}** | **{_p(every[r.backend], 0.95):.1f}**" for r in runs
    )
    lines.append(f"| every query | {cells} |")
    lines.append("")
    for r in runs:
        p95 = _p(every[r.backend], 0.95)
        met = "yes" if p95 < TARGET_P95_MS else "no"
        lines.append(
            f"- {r.backend}: loading the entries with the index kept in step took {r.loaded_s:.1f} s; "
            f"rebuilding the index from scratch {r.rebuilt_s:.1f} s. p95 over every query {p95:.1f} ms "
            "(target under "
            f"{TARGET_P95_MS:.0f} ms: {met})."
        )
    return lines


def main() -> None:
    from bench.__main__ import postgres_reachable

    runs = []
    with tempfile.TemporaryDirectory() as folder:
        for backend in ("sqlite", "postgresql"):
            if backend == "postgresql" and not postgres_reachable():
                continue
            print(f"library search on {backend}: loading {ENTRIES:,} entries...", flush=True)
            runs.append(measure(backend, Path(folder)))
    runs = [
        Run({"sqlite": "SQLite", "postgresql": "PostgreSQL"}[r.backend], r.loaded_s, r.rebuilt_s, r.times)
        for r in runs
    ]
    lines = report(runs)
    print("\n".join(lines))
    write_part("library", lines)
