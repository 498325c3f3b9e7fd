"""Slash commands: answered in the ack when nothing needs doing (help, a usage error), run at once when
they open a form (Slack's trigger_id is good for 3 s), and otherwise kept in the database for a worker
(bot/worker.py) and acknowledged once kept: Slack never retries a slash command, so what was
acknowledged must not live only in memory."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as StillKeeping
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from sqlalchemy.exc import IntegrityError

from bot import door, errors, render
from bot.identity import actor_of
from bot.listeners.replays import KEY, first_delivery
from bot.worker import Doer, Workers
from commands import catalog, registry
from commands.grammar import Arguments, UsageError
from commands.invocation import Deps, Invocation
from commands.registry import SlashCommand
from storage import work
from storage.errors import LiaisonError

log = logging.getLogger("liaison")

# How long the ack waits for the database to keep a command. Past it the ack goes out empty (Slack's
# 3 s are near) and the outcome follows: the worker's answer, or, if the database could not keep it (a
# lock held longer than its busy timeout), the command run where it is, telling its own outcome.
KEEP_SECONDS = 1.5
# A command expected to wait longer than this for a worker is told at once that it is queued.
QUEUED_SECONDS = 2.0
QUEUED = "Liaison is busy: your `{command}` is queued and will be done in about {seconds} seconds."


def register(app: App, deps: Deps, workers: Workers, doer: Doer, keeping: ThreadPoolExecutor) -> None:
    commands = catalog(deps.specs)
    for command in commands:
        app.command(command.name)(_listener(command, commands, deps, workers, doer, keeping))


def _listener(
    command: SlashCommand,
    commands: tuple[SlashCommand, ...],
    deps: Deps,
    workers: Workers,
    doer: Doer,
    keeping: ThreadPoolExecutor,
) -> Callable[..., None]:
    def on_command(
        ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond, client: WebClient
    ) -> None:
        try:
            sub, args = command.resolve(body.get("text") or "")
        except UsageError as error:
            ack(**render.in_ack(error.message))
            return
        if sub is None:
            ack(**render.in_ack(command.help(commands).text))
        elif sub.needs_form(args):
            ack()
            _open_form(command, commands, deps, body, context, respond, client)
        else:
            key = context.get(KEY) or f"uuid:{uuid.uuid4().hex}"
            kept = keeping.submit(_keep, deps, key, command.name, body)
            ack(**_acknowledgement(command, kept, workers, lambda: doer.run(command.name, body, respond)))

    on_command.__name__ = f"on_{command.name.lstrip('/')}_command"
    return on_command


def _keep(deps: Deps, key: str, name: str, body: dict[str, Any]) -> int:
    with deps.db.session() as session:
        return work.keep(session, key, name, body, deps.clock())


def _acknowledgement(
    command: SlashCommand, kept: Future[int], workers: Workers, run_here: Callable[[], None]
) -> dict[str, Any]:
    """The ack of a command handed to the workers: empty once it is kept (the answer follows), what went
    wrong when it could not be kept, or that it is queued when the workers are behind."""
    try:
        ahead = kept.result(timeout=KEEP_SECONDS)
    except StillKeeping:
        kept.add_done_callback(lambda late: _run_if_not_kept(late, run_here))
        return {}
    except IntegrityError:
        log.warning("ignored a replayed request (the same signed delivery was acted on before)")
        return {}
    except Exception as error:
        return render.in_ack(errors.user_message(error))
    workers.wake()
    wait = workers.expected_wait(ahead)
    if wait > QUEUED_SECONDS:
        return render.in_ack(QUEUED.format(command=command.name, seconds=round(wait)))
    return {}


def _run_if_not_kept(kept: Future[int], run_here: Callable[[], None]) -> None:
    error = kept.exception()
    if error is None or isinstance(error, IntegrityError):
        return  # kept late: a worker answers (a replay: nobody is told)
    run_here()


def _open_form(
    command: SlashCommand,
    commands: tuple[SlashCommand, ...],
    deps: Deps,
    body: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
) -> None:
    with errors.reported_to(respond):
        if not first_delivery(deps, context):
            return
        actor = actor_of(body, context)
        if actor is None:  # Slack always names who typed a command; do nothing if it did not
            raise LiaisonError("Liaison could not tell who sent this command, so it did nothing.")

        def invocation(args: Arguments) -> Invocation:
            return Invocation(deps=deps, actor=actor, channel_id=body.get("channel_id"), args=args)

        reply = registry.run(command, invocation, body.get("text") or "", commands)
        if reply.form is not None:  # the trigger_id is good for 3 s from the command: open it now
            with door.viewed_by(actor.user_id):
                client.views_open(trigger_id=body["trigger_id"], view=render.form(reply.form))
        else:
            respond(**render.ephemeral(reply))
