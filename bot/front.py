"""The front: what a slash command gets before Slack's 3 seconds are up. Help and usage errors are
answered in the ack; a command that opens a form is run at once (Slack's trigger_id for it is good for
3 s); everything else is kept in the database for the workers (bot/worker.py) and acknowledged once it is
kept: Slack never retries a slash command, so what was acknowledged must not live only in memory.

Over HTTP the front runs on the server's event loop (bot/server.py), before and without Bolt's threads;
over Socket Mode Bolt's command listener calls it (bot/listeners/commands.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError

from bot import errors, render
from bot.worker import Doer, Workers
from commands import catalog
from commands.grammar import UsageError
from commands.invocation import Deps
from commands.registry import SlashCommand
from storage import deliveries, work
from storage.clock import Clock
from storage.db import Database
from storage.errors import DatabaseBusy, DatabaseUnavailable

log = logging.getLogger("liaison")

# How long the ack waits for the database to keep a command. Past it the ack goes out empty (Slack's
# 3 s are near) and the outcome follows: the worker's answer, or, if the database could not keep it (a
# lock held longer than its busy timeout), the command run where it is, telling its own outcome.
KEEP_SECONDS = 1.5
# A command expected to wait longer than this for a worker is told at once that it is queued.
QUEUED_SECONDS = 2.0
RUN_HERE_THREADS = 8
QUEUED = "Liaison is busy: your `{command}` is queued and will be done in about {seconds} seconds."


class Keeper:
    """Writes the commands the front keeps; those that arrive while a batch is being written go together
    in the next one, in one transaction: one commit (on SQLite one sync to disk, one turn of the single
    write lock) for a burst, instead of one each contending with the workers' writes."""

    BATCH = 200
    TIDY_SECONDS = 1.0

    def __init__(self, db: Database, clock: Clock, kept: Callable[[int | None, int], None]) -> None:
        """`kept`: called after each batch with the queue's head before it (storage/work.py Batch) and
        how many of the batch were kept (replays are not)."""
        self.db, self.clock, self._kept = db, clock, kept
        self._pending: list[tuple[work.ToKeep, Future[int | None]]] = []
        self._writing = 0
        self._changed = threading.Condition()
        self._stopping = False
        self._tidied = -self.TIDY_SECONDS
        self._thread = threading.Thread(target=self._run, name="keeper", daemon=True)
        self._thread.start()

    def submit(self, key: str, body: Mapping[str, Any]) -> Future[int | None]:
        """A future of how many commands wait ahead of this one (None: a replay, not kept)."""
        future: Future[int | None] = Future()
        with self._changed:
            self._pending.append((work.ToKeep(key, str(body["command"]), body), future))
            self._changed.notify_all()
        return future

    def idle(self) -> bool:
        with self._changed:
            return not self._pending and not self._writing

    def stop(self) -> None:
        """Write what is pending, then stop."""
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._pending or self._stopping)
                if not self._pending:
                    return
                batch, self._pending = self._pending[: self.BATCH], self._pending[self.BATCH :]
                self._writing = len(batch)
            try:
                self._write(batch)
            finally:
                with self._changed:
                    self._writing = 0
                    self._changed.notify_all()

    def _tidy_now(self) -> bool:
        """Whether this batch also deletes the delivery keys past their time: once every TIDY_SECONDS
        (a key lives ten minutes), not a round trip more for every batch."""
        now = time.monotonic()
        if now - self._tidied < self.TIDY_SECONDS:
            return False
        self._tidied = now
        return True

    def _write(self, batch: list[tuple[work.ToKeep, Future[int | None]]]) -> None:
        try:
            commands = [command for command, _ in batch]
            kept = work.keep_all(self.db, commands, self.clock(), tidy=self._tidy_now())
        except IntegrityError:  # another instance noted one of these keys meanwhile
            if len(batch) == 1:
                batch[0][1].set_result(None)  # a replay, noted by the other instance first
            else:
                for one in batch:  # the others are kept one at a time
                    self._write([one])
            return
        except Exception as error:
            for _, future in batch:
                future.set_exception(error)
            return
        try:  # a failure to wake the workers must neither leave the acks waiting nor end this thread
            self._kept(kept.head, sum(ahead is not None for ahead in kept.ahead))
        except Exception:  # the workers look again within POLL_SECONDS anyway
            log.exception("kept %d commands but could not wake the workers", len(batch))
        for (_, future), ahead in zip(batch, kept.ahead, strict=True):
            future.set_result(ahead)


class Progress:
    """How fast the workers get through the queue, wherever they run (this process or others): from the
    queue's head as each batch is kept, commands done per second over the last WINDOW seconds."""

    WINDOW = 10.0

    def __init__(self) -> None:
        self._heads: deque[tuple[float, int]] = deque()
        self._pace: float | None = None  # commands done per second, when last measured
        self._lock = threading.Lock()

    def saw(self, head: int | None) -> None:
        now = time.monotonic()
        with self._lock:
            if head is None or (self._heads and head < self._heads[-1][1]):
                # The queue ran dry (SQLite may then hand out IDs again from 1), or every command in it is
                # held, or one whose worker died is free again: a fresh start.
                self._heads.clear()
                return
            self._heads.append((now, head))
            while self._heads and self._heads[0][0] < now - self.WINDOW:
                self._heads.popleft()

    def expected_wait(self, ahead: int) -> float | None:
        """Seconds a command with `ahead` waiting before it can expect; None when it cannot be told yet.
        A burst that comes after a quiet spell is judged by the pace last seen."""
        with self._lock:
            if len(self._heads) >= 2 and self._heads[-1][0] - self._heads[0][0] >= 0.5:
                (then, first), (now, last) = self._heads[0], self._heads[-1]
                self._pace = (last - first) / (now - then)
                if self._pace == 0:  # no progress at all: at least as long again as the head stood still
                    return now - then
            pace = self._pace
        return None if not pace else ahead / pace


def _settle(settled: asyncio.Future[None]) -> None:
    """Wake keep_on_loop: the command is kept, or failed to be, or KEEP_SECONDS are up (the first)."""
    if not settled.done():
        settled.set_result(None)


@dataclass(frozen=True)
class Step:
    """What the front does with a command: answer it in the ack (`answer`), run it now because it opens
    a form (`form`), or keep it for a worker."""

    command: SlashCommand
    answer: str | None = None
    form: bool = False


class Front:
    def __init__(
        self, deps: Deps, workers: Workers, doer: Doer, wake_others: Callable[[int], None] | None = None
    ) -> None:
        """`workers`: this process's own (none under `liaison run`); `wake_others`: wakes the workers of
        another process that NOTIFY does not reach (SQLite's worker process)."""
        self.deps, self.workers, self.doer = deps, workers, doer
        self._wake_others = wake_others
        self.progress = Progress()
        self.keeper = Keeper(deps.db, deps.clock, self._batch_kept)
        # Commands the database failed to keep run here, not on the keeper's one thread.
        self._here = ThreadPoolExecutor(max_workers=RUN_HERE_THREADS, thread_name_prefix="run-here")
        self.commands = catalog(deps.specs)
        self._by_name = {c.name: c for c in self.commands}

    def step(self, body: Mapping[str, Any]) -> Step | None:
        """What to do with the command in `body`; None for a command Liaison does not have."""
        command = self._by_name.get(str(body.get("command") or ""))
        if command is None:
            return None
        try:
            sub, args = command.resolve(str(body.get("text") or ""))
        except UsageError as error:
            return Step(command, answer=error.message)
        if sub is None:
            return Step(command, answer=command.help(self.commands).text)
        return Step(command, form=sub.needs_form(args))

    def keep(self, key: str, body: dict[str, Any]) -> dict[str, Any]:
        """Keep the command for a worker, waiting at most KEEP_SECONDS: the ack's arguments."""
        kept = self.keeper.submit(key, body)
        with contextlib.suppress(Exception):  # what went wrong, or that it is still being kept, is below
            kept.result(timeout=KEEP_SECONDS)
        return self._acknowledgement(kept, key, body)

    async def keep_on_loop(self, key: str, body: dict[str, Any]) -> dict[str, Any]:
        """keep() for the event loop: the loop goes on serving while the database keeps the command. At
        KEEP_SECONDS the keeping goes on, uncancelled. (A bare loop future: asyncio.wait and wrap_future
        cost the front a few per cent of its CPU per ack.)"""
        loop = asyncio.get_running_loop()
        settled = loop.create_future()
        kept = self.keeper.submit(key, body)
        kept.add_done_callback(lambda _kept: loop.call_soon_threadsafe(_settle, settled))
        timer = loop.call_later(KEEP_SECONDS, _settle, settled)
        await settled
        timer.cancel()
        return self._acknowledgement(kept, key, body)

    def _acknowledgement(self, kept: Future[int | None], key: str, body: dict[str, Any]) -> dict[str, Any]:
        if not kept.done():
            kept.add_done_callback(lambda late: self._here.submit(self._run_if_not_kept, late, key, body))
            return {}
        error = kept.exception()
        if isinstance(error, Exception):
            return self._not_kept(error)
        return self._kept(body, kept.result())

    def _batch_kept(self, head: int | None, count: int) -> None:
        self.progress.saw(head)
        # One worker per command: a worker goes on taking until the queue is empty, and each woken one
        # that finds nothing left costs a transaction.
        self.workers.wake(min(count, self.workers.count))
        if self._wake_others is not None and count:
            self._wake_others(count)

    def _kept(self, body: Mapping[str, Any], ahead: int | None) -> dict[str, Any]:
        if ahead is None:
            log.warning("ignored a replayed request (the same signed delivery was acted on before)")
            return {}
        wait = self.progress.expected_wait(ahead) or self.workers.expected_wait(ahead)
        if wait > QUEUED_SECONDS:
            return render.in_ack(QUEUED.format(command=body["command"], seconds=round(wait)))
        return {}

    @staticmethod
    def _not_kept(error: Exception) -> dict[str, Any]:
        return render.in_ack(errors.user_message(error))  # the database is away: nothing was saved

    def _run_if_not_kept(self, kept: Future[int | None], key: str, body: dict[str, Any]) -> None:
        """A command the database did not keep in time, and then failed to keep, is run here and tells
        its own outcome, once: its delivery key is noted first, so a replay of it does not run it again."""
        if kept.exception() is None:
            return  # kept late: a worker answers (a replay: nobody is told)
        try:
            if not deliveries.first_time(self.deps.db, key, self.deps.clock()):
                return  # a replay of it was kept or run meanwhile
        except (DatabaseUnavailable, DatabaseBusy):
            pass  # then the command fails the same way, and says nothing was saved
        self.doer.run(str(body["command"]), body, self.doer.respond_to(body))

    def close(self) -> None:
        """Keep what is pending, finish what is running here, then stop."""
        self.keeper.stop()
        self._here.shutdown(wait=True)
