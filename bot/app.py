"""The app factory: one Bolt App per process, built from settings, with everything registered explicitly."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from slack_bolt import App

from bot import errors, listeners
from bot.config import Settings
from bot.door import Door, Refusal
from bot.front import Front
from bot.journal import Replayer
from bot.pacing import Pacer
from bot.processes import WorkerProcesses
from bot.slack_client import Installation, installation, web_client
from bot.worker import Doer, Workers
from bot.workspace import SlackWorkspace
from commands.invocation import Deps
from commands.kinds import standard
from commands.kinds.spec import Specs
from storage import audit
from storage.db import Database
from storage.identifiers import Detector
from storage.journal import Journal
from storage.models import Decision
from storage.rate_budget import SharedBudget

# Bolt runs each listener on this pool and answers Slack when the listener calls ack(), so a request is
# acknowledged only once a thread is free. The work after the ack waits on the database pool and on
# Slack, not on the CPU: enough threads that a burst of commands still finds one free for its ack
# (bench/results.md shows what 32 did at concurrency 20).
LISTENER_THREADS = 128


@dataclass(frozen=True)
class Liaison:
    app: App
    deps: Deps
    installation: Installation
    executor: ThreadPoolExecutor
    workers: Workers  # do the commands the front kept; started by start() (one-off commands don't)
    front: Front  # what a slash command gets within Slack's 3 seconds
    signing_secret: str | None  # what Slack signs HTTP requests with
    replayer: Replayer | None = None  # with a journal: applies what the database could not take at once
    pacer: Pacer | None = None  # the Web API client's: counts the calls in the shared rate budget
    processes: WorkerProcesses | None = None  # `liaison run`'s worker processes

    def start(self) -> None:
        self.workers.start()

    def close(self) -> None:
        """Let in-flight listeners and workers finish their work (answers, posts) before the process
        exits; commands still kept wait in the database for the next start."""
        self.executor.shutdown(wait=True)
        self.front.close()
        self.workers.stop()
        if self.processes is not None:  # before the journal: its lock says that this instance still runs
            self.processes.stop()
        if self.replayer is not None:
            self.replayer.stop()
            self.replayer.journal.close()
        if self.pacer is not None:
            self.pacer.close()


def create_app(
    settings: Settings,
    db: Database,
    *,
    socket_mode: bool,
    journal: Journal | None = None,
    specs: Specs | None = None,
    workers: int | None = None,
    woken_by: int | None = None,
    processes: WorkerProcesses | None = None,
) -> Liaison:
    """`journal`: where message events go first (the running bot's; a one-off tick has none). `specs`: the
    kinds of item it runs with, Liaison's own by default (commands/kinds/). `workers`: how many do kept
    commands in this process (LIAISON_WORKERS by default); `woken_by`: the pipe they are woken through, in
    a worker process on SQLite; `processes`: the front's worker processes (bot/processes.py), woken by it on
    SQLite and stopped by close().
    """
    client = web_client(settings.bot_token, settings.api_url)
    # Instances on PostgreSQL, and the front and its worker process on SQLite, share one app's rate budget.
    if db.dialect == "postgresql" or woken_by is not None or processes is not None:
        client.pacer.share(SharedBudget(db))
    home = installation(client)
    executor = ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="listener")
    app = App(
        client=client,
        signing_secret=settings.signing_secret,
        # Socket Mode payloads are not signed; HTTP ones always are.
        request_verification_enabled=not socket_mode,
        token_verification_enabled=False,  # installation() above already called auth.test
        listener_executor=executor,
    )
    slack = SlackWorkspace(client, home.team_id, home.url, bot_user_id=home.bot_user_id)
    detector = Detector(settings.case_number_pattern, settings.do_not_post)
    door = Door(detector, home.team_id, slack, record=audited(db))
    client.door = door
    deps = Deps(
        db=db,
        home_team_id=home.team_id,
        admins=settings.admins,
        slack=slack,
        clock=replace(db.clock, zone=ZoneInfo(settings.timezone)),
        retention_days=settings.retention_days,
        detector=detector,
        specs=specs or standard(),
        topics=settings.library_topics,
        holidays=settings.holidays,
    )
    errors.register(app)
    replayer = Replayer(deps, journal) if journal is not None else None
    count = settings.worker_count(db.dialect) if workers is None else workers
    doer = Doer(deps, door, client)
    doing = Workers(db, deps.clock, doer, count, woken_by=woken_by)
    front = Front(deps, doing, doer, processes.wake if processes and processes.piped else None)
    listeners.register(app, deps, door, front, replayer.arrived if replayer else None)
    if replayer is not None:
        replayer.register(app)  # after the shape check: only requests shaped as Slack's are journalled
    return Liaison(
        app=app,
        deps=deps,
        installation=home,
        executor=executor,
        workers=doing,
        processes=processes,
        front=front,
        signing_secret=settings.signing_secret,
        replayer=replayer,
        pacer=client.pacer,
    )


def audited(db: Database) -> Callable[[Refusal], None]:
    """How the door's refusals reach the audit log: the classes and where, never the text."""

    def record(refusal: Refusal) -> None:
        with db.session() as session:
            audit.record(
                session,
                audit.SYSTEM,
                audit.DOOR_REFUSED,
                subject=refusal.ref or refusal.channel_id,
                decision=Decision.denied,
                reason=f"{refusal.method} held {', '.join(refusal.classes)}",
                channel_id=refusal.channel_id,
            )

    return record
