"""Workers: they take the commands the front kept (storage/work.py) and do them, answering the person
through the command's response_url as the listener used to.

`liaison run` starts the workers as processes of their own (bot/processes.py), a few threads each. On
PostgreSQL they take rows with SKIP LOCKED and wake on NOTIFY (a thread of their own LISTENs), so several
instances share one queue. On SQLite (one instance) they take a row in one statement under SQLite's one
write lock (no two get the same), woken by the front through their standard input; `liaison run` takes
back every lease as it starts, since its last workers died with its last front. Between wake-ups a
worker looks again every POLL_SECONDS: a row whose worker died is taken again once its lease runs out.
(Tests and the sandbox run workers as threads of the bot's own process.)
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg
from slack_bolt.context.respond import Respond
from slack_sdk.errors import SlackApiError
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot import door, errors, render
from bot.door import Door, GuardedRespond
from bot.identity import command_actor
from commands import catalog, registry
from commands.grammar import Arguments
from commands.invocation import Deps, Invocation
from storage import lookups, work
from storage.clock import Clock
from storage.db import Database, application_name
from storage.errors import DatabaseBusy, DatabaseUnavailable, LiaisonError
from storage.work import Kept

log = logging.getLogger("liaison")

POLL_SECONDS = 2.0
RENEW_SECONDS = 20.0  # a third of the lease: two renewals may fail before another worker may take it
SMOOTHING = 0.5  # how much the newest command counts in the recent time per command


class Workers:
    """`count` threads doing kept commands with `do`, from start() until stop()."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        do: Callable[[Kept], None],
        count: int,
        *,
        woken_by: int | None = None,
    ) -> None:
        """`do` does a command and answers its person; it raises only on a bug, and the row then stays
        to be taken again once its lease runs out. A worker deletes the row of a command done as it takes
        the next (storage/work.py `take`). `woken_by`: a pipe's file descriptor; each byte read from it
        wakes a worker (SQLite's worker process, woken by the front)."""
        self.db, self.clock, self._do, self.count = db, clock, do, count
        self._woken_by = woken_by
        self._wake = threading.Condition()
        self._woken = 0  # wake-ups not yet taken by a worker
        self._asleep = 0  # workers that found nothing to take and wait to be woken
        # SQLite has no SKIP LOCKED: a process's workers take one at a time (PostgreSQL's in parallel).
        self._taking: threading.Lock | contextlib.nullcontext[None] = (
            threading.Lock() if db.dialect == "sqlite" else contextlib.nullcontext()
        )
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._busy = 0
        # The commands this process's workers hold, by key, with the attempt each holds (two of its workers
        # may hold one command: the first stalled past its lease, the second took it): their leases are
        # renewed. `_done`: those of them done, whose rows are still to be deleted.
        self._held: dict[str, int] = {}
        self._done: set[str] = set()
        self.seconds_per_command = 0.0  # recent, smoothed: for telling a person their command is queued

    def start(self) -> None:
        if not self.count:
            return
        if self.db.dialect == "sqlite" and self._woken_by is None:  # the bot's own threads: the only workers
            held = work.release_all(self.db)
            if held:
                log.warning(
                    "took back %d commands a stopped Liaison was doing; they are done again now", held
                )
        if self._woken_by is not None:  # not joined on stop: it waits on the front, not on the workers
            threading.Thread(target=self._read_wakes, name="work-wakes", daemon=True).start()
        elif self.db.dialect == "postgresql":
            self._threads.append(threading.Thread(target=self._listen, name="work-listen", daemon=True))
        for n in range(self.count):
            self._threads.append(threading.Thread(target=self._work, name=f"worker-{n}", daemon=True))
        self._threads.append(threading.Thread(target=self._renew, name="work-leases", daemon=True))
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 20.0) -> None:
        """Finish the commands in hand; what is still kept waits for the next start."""
        self._stopping.set()
        self.wake(len(self._threads))
        self._wake_listener()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _wake_listener(self) -> None:
        """The listener waits on PostgreSQL for up to POLL_SECONDS; a NOTIFY ends its wait at once (every
        listener on the channel wakes, finds nothing new, and waits again)."""
        if self.db.dialect != "postgresql":
            return
        try:
            with self.db.engine.begin() as conn:
                conn.execute(text(f"NOTIFY {work.CHANNEL}"))
        except SQLAlchemyError:  # the database is away: the listener ends within POLL_SECONDS anyway
            pass

    def wake(self, n: int = 1) -> None:
        with self._wake:
            self._woken += n
            self._wake.notify(n)

    def expected_wait(self, ahead: int) -> float:
        """Seconds a command with `ahead` commands before it can expect to wait."""
        return ahead * self.seconds_per_command / max(1, self.count)

    @property
    def busy(self) -> int:
        return self._busy

    def in_hand(self) -> dict[str, int]:
        """The commands whose leases this process renews, by key, with the attempt each is held at."""
        with self._wake:
            return dict(self._held)

    def drained(self) -> bool:
        """Every worker found nothing to take, and nothing has woken them since."""
        with self._wake:
            return self._asleep == self.count and self._woken == 0 and self._busy == 0

    def _work(self) -> None:
        finished: Kept | None = None  # done, its row still there: deleted as the next one is taken
        while not self._stopping.is_set():
            try:
                with self._taking:
                    kept = work.take(self.db, self.clock(), finished=finished)
                if finished is not None:
                    self._forget(finished)
                finished = None
            except (DatabaseUnavailable, DatabaseBusy):
                kept = None  # it is told to the people whose commands could not be kept; look again later
            except Exception:
                log.exception("could not take a kept command")
                kept = None
            if kept is None:
                self._sleep()
                continue
            with self._wake:
                # Done here already, its row not deleted while the database was away, and its lease run
                # out meanwhile: only the row is left to delete.
                again = kept.key in self._done
                self._held[kept.key] = kept.attempts
                self._busy += not again
            if again:
                finished = kept
                continue
            started = time.monotonic()
            try:
                self._do(kept)
                finished = kept  # its lease is renewed until its row is deleted
                with self._wake:
                    self._done.add(kept.key)
            except work.TakenOver:  # stalled past its lease: the worker that took it over answers
                log.warning(
                    "a kept %s was taken over by another worker; this one stored nothing", kept.command
                )
                self._forget(kept)
            except Exception:  # do() answers the person itself; this is a bug in it, and the row stays
                log.exception("a worker failed on a kept command")
                self._forget(kept)  # taken again once its lease runs out
            finally:
                with self._wake:
                    self._busy -= 1
                took = time.monotonic() - started
                self.seconds_per_command += SMOOTHING * (took - self.seconds_per_command)
        if finished is not None:
            self._delete(finished)

    def _forget(self, kept: Kept) -> None:
        """The command is no longer this worker's: its lease is not renewed any more, unless another of
        this process's workers has taken it since (a later attempt)."""
        with self._wake:
            if self._held.get(kept.key) == kept.attempts:
                del self._held[kept.key]
                self._done.discard(kept.key)

    def _delete(self, kept: Kept) -> None:
        """The row of a command done, as the worker stops (it is otherwise deleted as the next is taken)."""
        try:
            work.done(self.db, kept)
            self._forget(kept)
        except (DatabaseUnavailable, DatabaseBusy):
            log.warning("a kept command was done but is not deleted: the database is away")

    def _renew(self) -> None:
        while not self._stopping.wait(RENEW_SECONDS):
            with self._wake:
                held = sorted(self._held)
            if held:
                try:
                    work.renew(self.db, held, self.clock())
                except Exception:  # the next renewal tries again; the lease still has two-thirds to run
                    log.warning("could not renew the leases of %d commands in hand", len(held))

    def _sleep(self) -> None:
        with self._wake:
            if self._woken == 0:
                self._asleep += 1
                self._wake.wait(POLL_SECONDS)
                self._asleep -= 1
            self._woken = max(0, self._woken - 1)

    def _read_wakes(self) -> None:
        """Wake a worker for each byte the front writes; at its end (the front is gone) only the polling
        is left, until this process is stopped."""
        assert self._woken_by is not None
        while not self._stopping.is_set():
            try:
                wakes = os.read(self._woken_by, 4096)
            except OSError as exc:
                log.warning("not woken by the front any more (%s); looking every %s s", exc, POLL_SECONDS)
                return
            if not wakes:
                return
            self.wake(min(len(wakes), self.count))

    def _listen(self) -> None:
        """Wake a worker for each NOTIFY of a kept command (PostgreSQL), reconnecting after an outage."""
        url = make_url(self.db.url).set(drivername="postgresql").render_as_string(hide_password=False)
        while not self._stopping.is_set():
            try:
                with psycopg.connect(
                    url, autocommit=True, connect_timeout=2, application_name=application_name()
                ) as conn:
                    conn.execute(f"LISTEN {work.CHANNEL}")
                    while not self._stopping.is_set():
                        for _ in conn.notifies(timeout=POLL_SECONDS):
                            if self._stopping.is_set():  # stop() notifies to end this wait at once
                                break
                            self.wake()
            except psycopg.Error as exc:
                log.warning("not listening for kept commands (%s); looking every %s s", exc, POLL_SECONDS)
                self._stopping.wait(POLL_SECONDS)


class Doer:
    """What a worker does with a kept command: what the command listener did after its ack, answering
    through the command's response_url."""

    def __init__(self, deps: Deps, guard: Door, client: Any) -> None:
        self.deps, self._guard, self._client = deps, guard, client
        self._commands = catalog(deps.specs)
        self._by_name = {c.name: c for c in self._commands}

    def __call__(self, kept: Kept) -> None:
        """Do the command, or tell the person why not; its row is the worker's to delete."""
        respond = self.respond_to(kept.body)
        if kept.saved is not None:  # stored, and its worker stopped before it said so
            errors.tell(
                respond, f"Saved *{kept.saved}*. Liaison stopped while answering; nothing was done twice."
            )
        elif kept.attempts > work.GIVE_UP_AFTER:
            log.error("gave up a kept %s: its worker stopped %d times", kept.command, kept.attempts - 1)
            errors.tell(
                respond,
                f"Liaison could not finish your `{kept.command}`: it stopped {kept.attempts - 1} times while "
                "doing it and will not try again. Check what was saved before typing it again.",
            )
        else:
            with work.running(kept), lookups.as_of(kept.lookups):
                self.run(kept.command, kept.body, respond, still_ours=lambda: work.held(self.deps.db, kept))

    def respond_to(self, body: dict[str, Any]) -> Respond:
        respond = Respond(response_url=body.get("response_url"))
        http = getattr(self._client, "http", None)  # the LiaisonWebClient's kept-alive connections
        return GuardedRespond(respond, self._guard, body.get("user_id"), body.get("channel_id"), http)

    def run(
        self, name: str, body: dict[str, Any], respond: Respond, still_ours: Callable[[], bool] | None = None
    ) -> None:
        """Run the command `name` Slack sent as `body` and answer through `respond`; whatever goes wrong
        is told to the person in the same words as any other failure (bot/errors.py), unless `still_ours`
        says another worker has the command now."""
        with errors.reported_to(respond, still_ours):
            command, actor = self._by_name.get(name), command_actor(body)
            if command is None or actor is None:  # Slack always names who typed a command
                raise LiaisonError("Liaison could not tell who sent this command, so it did nothing.")

            def invocation(args: Arguments) -> Invocation:
                return Invocation(deps=self.deps, actor=actor, channel_id=body.get("channel_id"), args=args)

            reply = registry.run(command, invocation, body.get("text") or "", self._commands)
            if reply.form is None:
                respond(**render.ephemeral(reply))
                return
            # Only when a kept command's own checks ask for a form: its trigger_id may be too old now.
            try:
                with errors.opening_form(f"type `{name}` again"), door.viewed_by(actor.user_id):
                    self._client.views_open(trigger_id=body.get("trigger_id"), view=render.form(reply.form))
            except SlackApiError:  # refused otherwise: the same advice, without Slack's code
                raise LiaisonError(f"The form could not open: type `{name}` again.") from None
