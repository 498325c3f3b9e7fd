"""`make bench`: Liaison measured beside a bare Bolt app in one run on one machine, printed as a table and
written to bench/results.md with the machine it ran on. Takes a few minutes; PostgreSQL parts are skipped
(and the report says so) when no server answers at TEST_DATABASE_URL."""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from bench import acks, delivery, guard, keep, library, office, path, report, scale, writers
from bench.acks import AckRun
from bench.results_file import machine_lines, write_part
from bot.sandbox import Sandbox
from tests.botproc import BotProcess
from tests.databases import POSTGRES_URL, database_url
from tests.office import START, bot_settings

NOW = datetime.fromisoformat(START.replace("Z", "+00:00"))  # the bot's clock too (LIAISON_START_TIME)
ACK_CHANNELS = [office.partner_channel(n) for n in range(50)]  # cards spread as Slack's 1/s per channel asks
LOADS = [(1, 100), (20, 450), (50, 450)]  # (concurrency, commands): 1,000 commands in all
REPLIES = 1000
METHOD = [
    "How: the stand-in (bot/sandbox), the load generator and the bot share this machine's cores. The "
    "commands are signed in the stand-in's process and sent and timed from a process of their own "
    "(bench/loadgen.py), so a latency does not include waits for the stand-in's interpreter lock while it "
    "serves the bot's Web API calls. Each command is a new HTTP connection, signed as Slack signs it; a "
    "latency is from sending the request to reading the ack.",
    "A referral is done when its card is in the channel: the referral saved (one transaction), the channel "
    "checked with Slack (conversations.info, cached), the card posted (chat.postMessage) and the person "
    "answered (response_url). The bare app does none of this, so the throughput ratio compares a whole "
    "referral with an empty ack; the stand-in enforces no rate limits during these runs (cards are spread "
    "over 50 channels, as Slack allows about one message a second per channel).",
    "The scheduler runs in this process against the seeded database, with the stand-in answering 429 above "
    "Slack's published tiers; its first tick after a start looks up the time zone of every partner person it "
    "reminds (users.info, Tier 4, paced at 90 a minute); the office's own people come from users.list.",
    "The database is settled after the bulk load (bench/office.py `settle`): on PostgreSQL VACUUM ANALYZE "
    "and a CHECKPOINT, which autovacuum and the checkpointer would do within minutes; on SQLite a WAL "
    "checkpoint.",
    "Instances on one PostgreSQL, and a bot's front and worker process on SQLite, count their Slack calls "
    "together (storage/rate_budget.py); a `liaison tick` on SQLite counts its own. The PostgreSQL tick "
    "runs within a minute of the bot's thread replies, which that bot made on its own SQLite database: "
    "their users.info calls count against the same app's budget at the stand-in but not in the tick's "
    "count, so a 429 there is that, and the client waits it out (Retry-After).",
]


PARTS = ("load", "guard", "delivery", "writers", "keep", "path", "library", "report")


def main() -> None:
    wanted = sys.argv[1:] or list(PARTS)
    unknown = [p for p in wanted if p not in PARTS]
    if unknown:
        print(
            f"bench: no part called {', '.join(unknown)}; the parts are {', '.join(PARTS)}", file=sys.stderr
        )
        raise SystemExit(2)
    if "guard" in wanted:
        guard.main()
    if "delivery" in wanted:
        delivery.main()
    if "writers" in wanted:
        writers.main()
    if "keep" in wanted:
        keep.main()
    if "path" in wanted:
        path.main()
    if "library" in wanted:
        library.main()
    if "report" in wanted:
        report.main()
    if "load" in wanted:
        load()


def load() -> None:
    started = time.monotonic()
    report = Report()
    report.machine()
    with Sandbox() as slack, tempfile.TemporaryDirectory() as folder:
        office.populate(slack)
        liaison_side(slack, Path(folder), report)
        with acks.bare_bolt(slack, Path(folder)):
            for concurrency, sent in LOADS:
                report.ack(
                    acks.measure(slack, "bare Bolt", ACK_CHANNELS, sent, concurrency, wait_for_cards=False)
                )
        if postgres_reachable():
            with database_url("postgresql", Path(folder)) as url:
                scheduler_side(slack, url, "PostgreSQL", report)
        else:
            report.note(f"PostgreSQL was not reachable at {POSTGRES_URL}: its rows are missing.")
    for line in METHOD:
        report.note(line)
    report.note(f"The whole benchmark took {time.monotonic() - started:.0f} s.")
    report.write()


def liaison_side(slack: Sandbox, folder: Path, report: Report) -> None:
    """On SQLite (the default): the scheduler at size, then the running bot on the same 100,000 items."""
    with database_url("sqlite", folder) as url:
        scheduler_side(slack, url, "SQLite", report)
        bot = BotProcess(folder, ["--http"], **bot_settings(slack, url))  # its own tick off
        try:
            bot.wait_until_serving()
            slack.bot_url = f"{bot.url}/slack/events"
            report.memory("after start, 100,000 items stored", acks.resident_mib(bot.pid))
            for concurrency, sent in LOADS:
                report.ack(
                    acks.measure(slack, "Liaison", ACK_CHANNELS, sent, concurrency, wait_for_cards=True)
                )
            report.memory("after 1,000 /referral commands", acks.resident_mib(bot.pid))
            threads = scale.card_threads(slack, ACK_CHANNELS)
            report.replies(scale.thread_replies(slack, url, threads, REPLIES), len(threads))
            report.memory(f"after {REPLIES:,} thread replies too", acks.resident_mib(bot.pid))
        finally:
            bot.stop()


def scheduler_side(slack: Sandbox, url: str, backend: str, report: Report) -> None:
    seeded = office.seed(slack, url, NOW)
    report.note(
        f"{backend}: seeded {seeded.items:,} items ({seeded.open_items:,} open, {seeded.near_due} of them "
        f"due within the reminder horizon or overdue), {office.PARTNERS} partners and {office.COORDINATORS} "
        f"coordinators in {seeded.seconds:.0f} s."
    )
    with scale.office_deps(slack, url, NOW) as deps:
        report.scan(backend, scale.reminder_scan(deps, NOW))
        report.digests(backend, scale.build_digests(deps, NOW))
        report.tick(backend, scale.whole_tick(slack, deps, NOW))


def postgres_reachable() -> bool:
    engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return True
    except OperationalError:
        return False
    finally:
        engine.dispose()


class Report:
    """The rows as they are measured, printed as they come and written to results.md at the end."""

    def __init__(self) -> None:
        self.machine_lines: list[str] = []
        self.acks: list[AckRun] = []
        self.rows: list[tuple[str, str, str, str]] = []  # (measure, value, target, met)
        self.plans: list[str] = []
        self.notes: list[str] = []

    def machine(self) -> None:
        self.machine_lines = machine_lines()
        print("\n".join(self.machine_lines))

    def ack(self, run: AckRun) -> None:
        self.acks.append(run)
        done = f", {run.done_per_second:.1f} cards posted/s" if run.done_per_second is not None else ""
        print(
            f"{run.app} at concurrency {run.concurrency}: p50 {run.p50_ms:.1f} ms, p99 {run.p99_ms:.1f} ms, "
            f"{run.acks_per_second:.1f} acks/s{done}, {run.failed} not acknowledged in time"
        )

    def _row(self, measure: str, value: str, target: str = "", met: bool | None = None) -> None:
        self.rows.append((measure, value, target, "" if met is None else ("yes" if met else "**no**")))
        print(f"{measure}: {value}" + (f" (target {target})" if target else ""))

    def scan(self, backend: str, scan: scale.Scan) -> None:
        self._row(
            f"Reminder scan, {backend}",
            f"{scan.best_ms:.1f} ms ({scan.found} items)",
            "< 1 s",
            scan.best_ms < 1000,
        )
        self.plans += [f"- {backend}: {plan}" for plan in scan.plans]

    def digests(self, backend: str, built: scale.Digests) -> None:
        self._row(
            f"{built.recipients} digests built, {backend}",
            f"{built.built_seconds:.2f} s",
            "< 10 s",
            built.built_seconds < 10,
        )

    def tick(self, backend: str, run: scale.Tick) -> None:
        self._row(
            f"One whole tick, {backend} (Slack's limits enforced)",
            f"{run.seconds:.1f} s: {run.reminders} reminders, {run.digests} digests, {run.slack_calls} Slack "
            f"calls, {len(run.refused_429)} answered 429 {sorted(set(run.refused_429)) or ''}".rstrip(),
            "no 429",
            not run.refused_429,
        )

    def replies(self, per_second: float, threads: int) -> None:
        self._row(
            f"Thread replies recorded ({REPLIES:,} events over {threads} threads)",
            f"{per_second:.0f} events/s",
        )

    def memory(self, when: str, mib: float) -> None:
        self._row(f"Bot resident memory (front and worker processes), {when}", f"{mib:.0f} MiB")

    def note(self, line: str) -> None:
        self.notes.append(line)
        print(line)

    def write(self) -> None:
        lines = ["## Load: acknowledgements, the scheduler at size, replies, memory", "", "Machine:", ""]
        lines += self.machine_lines
        lines += [
            "",
            "### Ack latency and throughput: `/referral` over HTTP, signed, a new connection each",
            "",
        ]
        lines += [
            "| App | Concurrency | Commands | p50 ack | p99 ack | Acks/s | Referrals done/s (card posted) "
            "| Not acked in 3 s |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for run in self.acks:
            done = f"{run.done_per_second:.1f}" if run.done_per_second is not None else "n/a"
            lines.append(
                f"| {run.app} | {run.concurrency} | {run.sent} | {run.p50_ms:.1f} ms | {run.p99_ms:.1f} ms | "
                f"{run.acks_per_second:.1f} | {done} | {run.failed} |"
            )
        lines += ["", *self._ratios(), "", "### Scheduler, replies and memory", ""]
        lines += ["| Measure | Value | Target | Met |", "|---|---|---|---|"]
        lines += [f"| {m} | {v} | {t} | {ok} |" for m, v, t, ok in self.rows]
        lines += ["", "### Query plans of the reminder scan", "", *self.plans, "", "### Notes", ""]
        lines += [f"- {note}" for note in self.notes]
        write_part("load", lines)

    def _ratios(self) -> list[str]:
        """The issue's targets: p99 ack under 250 ms at concurrency 50; referrals done per second at least
        70% of the bare app's acks per second."""
        found = []
        by = {(run.app, run.concurrency): run for run in self.acks}
        for concurrency, _sent in LOADS:
            ours, bare = by.get(("Liaison", concurrency)), by.get(("bare Bolt", concurrency))
            if not (ours and bare and ours.done_per_second is not None):
                continue
            ratio = ours.done_per_second / bare.acks_per_second
            line = (
                f"- Concurrency {concurrency}: referrals done per second are {ratio:.0%} of the bare app's "
                f"acks per second (target 70%: {_verdict(ratio >= 0.7)})"
            )
            if concurrency == 50:
                line += f"; p99 ack {ours.p99_ms:.0f} ms (target under 250 ms: {_verdict(ours.p99_ms < 250)})"
            found.append(line + ".")
        return found


def _verdict(met: bool) -> str:
    return "met" if met else "missed"


if __name__ == "__main__":
    main()
