"""`python -m bench report`: the partnership's report over 100,000 items on SQLite and on PostgreSQL.
A year of activity is generated (60,000 referrals with their history, 30,000 consults, 10,000 action
items across 200 partners); the report for the whole year, and for one partner, is built as
`/liaison report` builds it (every measure, the per-partner table, the chart data, the text and the CSV),
and each chart is drawn. `/liaison stats`, which loads the items themselves, is timed beside it on the
same database: the ratio says what reading aggregates instead of rows is worth."""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, text

from bench.results_file import machine_lines, write_part
from bot.running import settled_in
from commands.evaluation import charts
from commands.evaluation.report import OFFICE, as_csv
from commands.evaluation.report import text as report_text
from commands.kinds import standard
from storage import evaluation
from storage.crypto import Keyring
from storage.db import Database
from storage.item_tables import Advocacy, Consult, Referral
from storage.models import ItemEvent, Partner
from storage.report_periods import read_period
from storage.stats import stats
from tests.databases import database_url
from tests.office import DATA_KEY

PARTNERS, REFERRALS, CONSULTS, ACTIONS = 200, 60_000, 30_000, 10_000
NOW = datetime(2026, 12, 2, 15, tzinfo=UTC)
ZONE = ZoneInfo("America/New_York")
ROUNDS = 5
REPORT_TARGET_S, CHART_TARGET_MS = 2.0, 500.0
BATCH = 5_000
OUTCOMES = (  # (status, share, its history after "requested")
    ("completed", 0.45, ("accepted", "in-progress", "completed")),
    ("rejected", 0.10, ("rejected",)),
    ("failed", 0.05, ("accepted", "failed")),
    ("cancelled", 0.05, ("cancelled",)),
    ("in-progress", 0.10, ("accepted", "in-progress")),
    ("accepted", 0.05, ("accepted",)),
    ("requested", 0.20, ()),
)
REASONS = ("no-capacity", "not-eligible", "outside-area", "conflict")


@dataclass
class Run:
    backend: str
    seeded_s: float
    whole_year: list[float]  # s
    one_partner: list[float]  # s
    stats_s: float
    charts_ms: dict[str, list[float]]


def _partner(n: int, start: datetime) -> dict[str, Any]:
    return {
        "id": n + 1, "handle": f"partner-{n}", "name": f"Partner {n}", "kind": "legal_aid", "services": [],
        "contact_channels": [], "contacts": [], "scope": ["referral", "consult"],
        "identifying_allowed": False, "status": "active", "on_slack": True, "created_at": start,
        "updated_at": start,
    }  # fmt: skip


def _item(i: int, partner: int, sent: datetime, days: int, status: str) -> dict[str, Any]:
    """What every kind's row has."""
    return {
        "id": i, "requester_id": "U0DEF", "channel_id": "C0LEGAL", "card_ts": f"1.{i}", "status": status,
        "created_at": sent, "updated_at": sent, "due_at": sent + timedelta(days=days), "partner_id": partner,
    }  # fmt: skip


def _referral(i: int, rng: random.Random, start: datetime, events: list[dict[str, Any]]) -> dict[str, Any]:
    sent = start + timedelta(days=rng.uniform(0, 330))
    status, _share, history = rng.choices(OUTCOMES, [share for _s, share, _h in OUTCOMES])[0]
    answered = (
        sent + timedelta(hours=rng.expovariate(1 / 12)) if history[:1] not in ((), ("cancelled",)) else None
    )
    moment, before = answered or sent + timedelta(hours=2), "requested"
    for step in history:
        reason = rng.choice(REASONS) if step == "rejected" else None
        events.append({"item": f"R-{i}", "at": moment, "actor_user_id": "U0LAS", "from_status": before,
                       "to_status": step, "reason_code": reason})  # fmt: skip
        before, moment = step, moment + timedelta(days=rng.uniform(1, 20))
    row = _item(i, rng.randrange(PARTNERS) + 1, sent, 10, status)
    return {**row, "need": "housing", "details": "seeded", "priority": "routine", "do_not_contact": False,
            "part2": False, "first_response_at": answered}  # fmt: skip


def _consult(i: int, rng: random.Random, start: datetime) -> dict[str, Any]:
    sent = start + timedelta(days=rng.uniform(0, 330))
    answered = sent + timedelta(hours=rng.expovariate(1 / 30)) if rng.random() < 0.8 else None
    row = _item(i, rng.randrange(PARTNERS) + 1, sent, 3, "answered" if answered else "open")
    return {**row, "question": "seeded", "first_response_at": answered}


def _action(i: int, rng: random.Random, start: datetime) -> dict[str, Any]:
    row = _item(i, 0, start + timedelta(days=i % 330), 14, rng.choice(("open", "done", "dropped")))
    del row["partner_id"]
    return {**row, "title": "Comment on the bail rule", "campaign": f"campaign-{i % 8}", "owners": ["U0DEF"]}


def _seed(db: Database) -> float:
    started = time.perf_counter()
    rng = random.Random(2026)
    start = datetime(2026, 1, 1, 14, tzinfo=UTC)
    events: list[dict[str, Any]] = []
    tables = (
        (Partner, [_partner(n, start) for n in range(PARTNERS)]),
        (Referral, [_referral(i, rng, start, events) for i in range(1, REFERRALS + 1)]),
        (ItemEvent, events),
        (Consult, [_consult(i, rng, start) for i in range(1, CONSULTS + 1)]),
        (Advocacy, [_action(i, rng, start) for i in range(1, ACTIONS + 1)]),
    )
    with db.engine.begin() as conn:
        for table, rows in tables:
            for first in range(0, len(rows), BATCH):
                conn.execute(insert(table), rows[first : first + BATCH])
    if db.dialect == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    return time.perf_counter() - started


@contextmanager
def _database(backend: str, folder: Path) -> Iterator[Database]:
    with database_url(backend, folder) as url:
        db = Database(url, Keyring([DATA_KEY]))
        db.upgrade()
        try:
            yield db
        finally:
            db.engine.dispose()


def _timed(work: Callable[[], Any]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def measure(backend: str, folder: Path) -> Run:
    kinds = standard().kinds
    with _database(backend, folder) as db:
        seeded = _seed(db)
        settled_in()  # as `liaison run` does once started
        year = read_period("2026", None, None, ZONE, NOW)
        with db.session() as session:
            partner = session.get(Partner, 8)

        def build(who: Partner | None) -> evaluation.Evaluation:
            with db.session() as session:
                found = evaluation.evaluate(session, kinds, year, who, ZONE, NOW)
            report_text(found, OFFICE, "America/New_York")
            as_csv(found, OFFICE)
            return found

        found = build(None)  # warm, as a running bot is
        whole = [_timed(lambda: build(None)) for _round in range(ROUNDS)]
        one = [_timed(lambda: build(partner)) for _round in range(ROUNDS)]
        with db.session() as session:
            stats_s = _timed(lambda: stats(session, year.since, year.until, NOW))
        drawers = {
            "weekly referral flow": lambda: charts.weekly_flow(found.weeks),
            "time to first response by partner": lambda: charts.first_response(found.response_hours),
            "open items by age": lambda: charts.open_ages(found.ages),
            "the Home tab's twelve weeks": lambda: charts.twelve_weeks(
                [(w, sum(c.values()), 0) for w, c in found.weeks[-12:]]
            ),
        }
        for draw in drawers.values():
            draw()  # matplotlib's first figure loads its fonts
        drawn = {name: [_timed(draw) * 1000 for _round in range(ROUNDS)] for name, draw in drawers.items()}
    return Run(backend, seeded, whole, one, stats_s, drawn)


def report(runs: list[Run]) -> list[str]:
    lines = ["## The partnership's report over 100,000 items", "", *machine_lines(), ""]
    lines.append(
        f"A generated year: {REFERRALS:,} referrals with their history, {CONSULTS:,} consults and "
        f"{ACTIONS:,} action items across {PARTNERS} partners. The report for the whole of 2026 and for "
        "one partner is built as `/liaison report` builds it (`storage.evaluation.evaluate`: every "
        "measure, the per-partner table, the charts' figures; then the message text and the CSV), "
        f"{ROUNDS} times after one unmeasured pass. Beside it, `/liaison stats` (which loads the "
        "referrals and their history as rows) over the same year and database. Each chart is drawn (PNG "
        f"bytes) with matplotlib's Agg renderer, {ROUNDS} times after a first figure. Wall-clock, this "
        "process."
    )
    lines += ["", "| | " + " | ".join(r.backend for r in runs) + " |", "|---|" + "---|" * len(runs)]
    lines.append("| generating the year (s) | " + " | ".join(f"{r.seeded_s:.0f}" for r in runs) + " |")
    for label, pick in (
        ("report, the whole year (s)", "whole_year"),
        ("report, one partner (s)", "one_partner"),
    ):
        cells = " | ".join(
            f"p50 {statistics.median(getattr(r, pick)):.2f}, max {max(getattr(r, pick)):.2f}" for r in runs
        )
        lines.append(f"| {label} | {cells} |")
    cells = " | ".join(
        f"{r.stats_s:.2f} ({r.stats_s / statistics.median(r.whole_year):.1f}× the report)" for r in runs
    )
    lines.append(f"| `/liaison stats`, the whole year (s) | {cells} |")
    for name in runs[0].charts_ms if runs else ():
        cells = " | ".join(
            f"p50 {statistics.median(r.charts_ms[name]):.0f}, max {max(r.charts_ms[name]):.0f}" for r in runs
        )
        lines.append(f"| chart: {name} (ms) | {cells} |")
    lines.append("")
    for r in runs:
        slowest_report = max(r.whole_year + r.one_partner)
        slowest_chart = max(t for ts in r.charts_ms.values() for t in ts)
        lines.append(
            f"- {r.backend}: the slowest report took {slowest_report:.2f} s (target under "
            f"{REPORT_TARGET_S:.0f} s: {'yes' if slowest_report < REPORT_TARGET_S else 'no'}); the slowest "
            f"chart {slowest_chart:.0f} ms (target under {CHART_TARGET_MS:.0f} ms: "
            f"{'yes' if slowest_chart < CHART_TARGET_MS else 'no'})."
        )
    return lines


def main() -> None:
    from bench.__main__ import postgres_reachable

    runs = []
    with tempfile.TemporaryDirectory() as folder:
        for backend in ("sqlite", "postgresql"):
            if backend == "postgresql" and not postgres_reachable():
                continue
            print(
                f"report on {backend}: generating a year of {REFERRALS + CONSULTS + ACTIONS:,} items...",
                flush=True,
            )
            runs.append(measure(backend, Path(folder)))
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    for r in runs:
        r.backend = names[r.backend]
    lines = report(runs)
    print("\n".join(lines))
    write_part("report", lines)
