"""`liaison run` and `liaison work`: the bot that runs until it is stopped."""

from __future__ import annotations

import argparse
import fcntl
import gc
import logging
import os
import signal
import sys
import threading

from bot import scheduler
from bot.app import create_app
from bot.cli_base import Refused, all_settings_checked, database, quiet_slack_sdk, wants_socket_mode
from bot.config import ConfigError, load_settings
from bot.processes import WORKER_THREADS, WorkerProcesses
from bot.server import serve
from commands.items.cards import post_unposted_cards
from storage import keys
from storage.db import Database
from storage.journal import Journal, JournalInUse
from storage.work import release_all


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    if settings.start_time is not None:
        logging.getLogger("liaison").warning(
            "the clock starts at %s (LIAISON_START_TIME)", settings.start_time
        )
    socket_mode = wants_socket_mode(args, settings)
    db = database(settings, all_settings_checked(settings, socket_mode), create=True)
    db.upgrade()
    keys.check(db)  # a wrong key is found now, not when someone opens a referral
    try:
        journal = Journal(settings.journal, settings.keyring())
    except JournalInUse as exc:
        raise ConfigError([str(exc)]) from None
    # LIAISON_WORKERS processes of their own do the commands the front keeps; on SQLite the front wakes
    # them through pipes (it has no NOTIFY).
    held = sole_instance(db)  # on SQLite: held by this process and its workers until the last one ends
    processes = WorkerProcesses(
        settings.worker_processes(db.dialect), WORKER_THREADS, piped=db.dialect == "sqlite", holding=held
    )
    with quiet_slack_sdk():
        liaison = create_app(
            settings,
            db,
            socket_mode=socket_mode,
            journal=journal,
            workers=0,  # they are processes of their own
            processes=processes,
        )
    if liaison.replayer is not None:
        liaison.replayer.start()
    for ref in post_unposted_cards(liaison.deps, at_start=True):
        logging.getLogger("liaison").info(
            "posted the card of %s, left unposted when Liaison last stopped", ref
        )
    settled_in()
    if db.dialect == "sqlite":  # its workers died with the last front (bot/processes.py; sole_instance)
        taken_back = release_all(db)
        if taken_back:
            logging.getLogger("liaison").warning(
                "took back %d commands a stopped Liaison was doing; they are done again now", taken_back
            )
    liaison.start()
    processes.start()  # the workers: commands kept before a stop are done now
    ticking = scheduler.start(liaison.deps, settings.tick_seconds)
    try:
        serve(
            liaison,
            db,
            socket_mode=socket_mode,
            app_token=settings.app_token,
            host=args.host,
            port=args.port or settings.port,
        )
    finally:
        if ticking is not None:
            ticking.shutdown(wait=True)
        processes.stop()  # stopped already when the server closed the app; it had not if serving failed
    return 0


def sole_instance(db: Database) -> tuple[int, ...]:
    """On SQLite, a lock on a file beside the database, held while this process or any of its workers
    lives: a second `liaison run` on the same database is refused before it takes back the first's
    commands (storage/work.py release_all). PostgreSQL serves several instances: nothing to hold."""
    path = db.file
    if path is None:
        return ()
    lock = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(lock)
        raise Refused(
            f"another Liaison is running on {path}: SQLite serves one instance; stop it first, or use "
            "PostgreSQL for several"
        ) from None
    return (lock,)


def work(args: argparse.Namespace) -> int:
    """Workers only, until SIGTERM: the processes `liaison run` starts (bot/processes.py)."""
    settings = load_settings()
    db = database(settings, settings.keyring())
    if db.dialect != "postgresql" and not args.wakes_on_stdin:
        raise Refused(
            "`liaison work` takes commands from a PostgreSQL queue; on SQLite `liaison run` starts its "
            "worker processes itself"
        )
    # It serves no requests: Slack's signature is checked by the front, not here.
    with quiet_slack_sdk():
        liaison = create_app(
            settings,
            db,
            socket_mode=True,
            workers=max(1, args.threads),
            woken_by=sys.stdin.fileno() if args.wakes_on_stdin else None,
        )
    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.set())
    settled_in()
    liaison.start()
    logging.getLogger("liaison").info("worker process %d is taking kept commands", os.getpid())
    try:
        stopping.wait()
    finally:
        liaison.close()
        db.dispose()
    return 0


def settled_in() -> None:
    """Everything made while starting (modules, the app, its listeners) lives as long as the process: keep
    it out of the garbage collector's full passes, which otherwise walk it all and stall a request for
    around 100 ms now and then (bench/results.md: the library's search, with and without)."""
    gc.collect()
    gc.freeze()
