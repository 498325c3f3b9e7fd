"""The front: what a slash command gets before Slack's 3 seconds are up. Help and usage errors are
answered in the ack; a command that opens a form is run at once (Slack's trigger_id for it is good for
3 s); everything else is kept in the database for the workers (bot/worker.py) and acknowledged once it is
kept: Slack never retries a slash command, so what was acknowledged must not live only in memory.

Over HTTP the front runs on the server's event loop (bot/server.py), before and without Bolt's threads;
over Socket Mode Bolt's command listener calls it (bot/listeners/commands.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as StillKeeping
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.respond import Respond
from sqlalchemy.exc import IntegrityError

from bot import errors, render
from bot.worker import Doer, Workers
from commands import catalog
from commands.grammar import UsageError
from commands.invocation import Deps
from commands.registry import SlashCommand
from storage import work

log = logging.getLogger("liaison")

# How long the ack waits for the database to keep a command. Past it the ack goes out empty (Slack's
# 3 s are near) and the outcome follows: the worker's answer, or, if the database could not keep it (a
# lock held longer than its busy timeout), the command run where it is, telling its own outcome.
KEEP_SECONDS = 1.5
# A command expected to wait longer than this for a worker is told at once that it is queued.
QUEUED_SECONDS = 2.0
QUEUED = "Liaison is busy: your `{command}` is queued and will be done in about {seconds} seconds."


@dataclass(frozen=True)
class Step:
    """What the front does with a command: answer it in the ack (`answer`), run it now because it opens
    a form (`form`), or keep it for a worker."""

    command: SlashCommand
    answer: str | None = None
    form: bool = False


class Front:
    def __init__(self, deps: Deps, workers: Workers, doer: Doer, keeping: ThreadPoolExecutor) -> None:
        self.deps, self.workers, self.doer, self.keeping = deps, workers, doer, keeping
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

    def keep(self, key: str, body: dict[str, Any], respond: Respond) -> dict[str, Any]:
        """Keep the command for a worker, waiting at most KEEP_SECONDS: the ack's arguments."""
        kept = self.keeping.submit(self._keep, key, body)
        try:
            ahead = kept.result(timeout=KEEP_SECONDS)
        except StillKeeping:
            self._when_kept_late(kept, body, respond)
            return {}
        except Exception as error:
            return self._not_kept(error)
        return self._kept(body, ahead)

    async def keep_on_loop(self, key: str, body: dict[str, Any], respond: Respond) -> dict[str, Any]:
        """keep() for the event loop: the loop goes on serving while the database keeps the command."""
        kept = self.keeping.submit(self._keep, key, body)
        try:
            ahead = await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(kept)), KEEP_SECONDS)
        except TimeoutError:
            self._when_kept_late(kept, body, respond)
            return {}
        except Exception as error:
            return self._not_kept(error)
        return self._kept(body, ahead)

    def _keep(self, key: str, body: dict[str, Any]) -> int:
        with self.deps.db.session() as session:
            return work.keep(session, key, str(body["command"]), body, self.deps.clock())

    def _kept(self, body: Mapping[str, Any], ahead: int) -> dict[str, Any]:
        self.workers.wake()
        wait = self.workers.expected_wait(ahead)
        if wait > QUEUED_SECONDS:
            return render.in_ack(QUEUED.format(command=body["command"], seconds=round(wait)))
        return {}

    @staticmethod
    def _not_kept(error: Exception) -> dict[str, Any]:
        if isinstance(error, IntegrityError):
            log.warning("ignored a replayed request (the same signed delivery was acted on before)")
            return {}
        return render.in_ack(errors.user_message(error))  # the database is away: nothing was saved

    def _when_kept_late(self, kept: Future[int], body: dict[str, Any], respond: Respond) -> None:
        run_here: Callable[[], None] = lambda: self.doer.run(str(body["command"]), body, respond)  # noqa: E731
        kept.add_done_callback(lambda late: _run_if_not_kept(late, run_here))


def _run_if_not_kept(kept: Future[int], run_here: Callable[[], None]) -> None:
    error = kept.exception()
    if error is None or isinstance(error, IntegrityError):
        return  # kept late: a worker answers (a replay: nobody is told)
    run_here()
