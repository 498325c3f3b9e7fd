"""The Slack side of the journal (storage/journal.py). A message event that may change an item's thread
is written to the journal by a middleware, before Bolt answers Slack 200; then it is applied to the
database like any event. If the database is not there for it (down, frozen, or every connection busy),
the entry is kept and a replayer thread applies the kept entries, in order, as soon as the database
answers: Slack will not send the event again, but nothing is lost."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse

from bot.identity import actor_of
from bot.listeners.events import changes_a_thread, record_thread_message
from commands.invocation import Deps
from storage.audit import Actor
from storage.errors import DatabaseBusy, DatabaseUnavailable
from storage.journal import Journal

log = logging.getLogger("liaison")
ENTRY = "liaison_journal_entry"  # where the middleware leaves the entry's ID in Bolt's context
FIRST_WAIT, LONGEST_WAIT = 1.0, 15.0  # seconds between tries while the database is away, doubling
NOT_THERE = (DatabaseUnavailable, DatabaseBusy)


class Replayer:
    """Applies journal entries: at once when it can, else in order once the database is back."""

    def __init__(self, deps: Deps, journal: Journal) -> None:
        self.deps = deps
        self.journal = journal
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="journal", daemon=True)

    def register(self, app: App) -> None:
        @app.middleware
        def journal_first(
            body: dict[str, Any], context: BoltContext, next: Callable[[], BoltResponse]
        ) -> BoltResponse:
            event = body.get("event") if body.get("type") == "event_callback" else None
            if isinstance(event, dict) and event.get("type") == "message" and changes_a_thread(event):
                try:
                    context[ENTRY] = self.journal.append(_record(event, actor_of(body, context)))
                except OSError:  # a full disk must not stop replies being recorded while the database is up
                    log.exception(
                        "journal: could not write an event to %s; applying it without", self.journal.path
                    )
            return next()

    def start(self) -> None:
        self._thread.start()
        self._wake.set()  # entries left by the last run go first

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout=30)

    def arrived(self, event: dict[str, Any], actor: Actor | None, context: BoltContext) -> None:
        """A message event, after Slack's 200: applied now, unless earlier ones wait (then it waits too,
        so edits never overtake the reply they change) or the database is not there for it."""
        entry = context.get(ENTRY)
        if entry is None:  # not journalled (not a thread's, or the disk refused it)
            record_thread_message(self.deps, event, actor)
            return
        if self.journal.waiting_before(entry):
            log.info(
                "journal: earlier events wait for the database; this event waits in the journal after them"
            )
            self._keep(entry)
            return
        try:
            self._apply(entry, _record(event, actor))
        except NOT_THERE as missing:
            log.warning(
                "journal: the database is not there (%s); the event waits in the journal",
                type(missing).__name__,
            )
            self._keep(entry)

    def _keep(self, entry: str) -> None:
        self.journal.keep(entry)
        self._wake.set()

    def _apply(self, entry: str, record: dict[str, Any]) -> None:
        actor = Actor(*record["actor"]) if record.get("actor") else None
        try:
            record_thread_message(self.deps, record["event"], actor, once=entry)
        except NOT_THERE:
            raise
        except Exception:  # a bug or an event Liaison can't read: not the database's fault; logged, not kept
            log.exception("journal: an event could not be applied and was dropped")
        self.journal.done(entry)

    def replay(self) -> bool:
        """Apply the kept entries, oldest first; False when the database is still not there."""
        while kept := self.journal.kept():
            for entry, record in kept:
                try:
                    self._apply(entry, record)
                except NOT_THERE:
                    return False
            log.info("journal: applied %d events kept while the database was away", len(kept))
        return True

    def _run(self) -> None:
        wait = FIRST_WAIT
        while not self._stopping.is_set():
            self._wake.wait(timeout=wait if self.journal.kept() else None)
            self._wake.clear()
            if self._stopping.is_set():
                return
            wait = FIRST_WAIT if self.replay() else min(wait * 2, LONGEST_WAIT)


def _record(event: dict[str, Any], actor: Actor | None) -> dict[str, Any]:
    """What the journal keeps of an event: the event, and who Bolt said was acting."""
    return {"event": event, "actor": [actor.user_id, actor.team_id] if actor else None}
