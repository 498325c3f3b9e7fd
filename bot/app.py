"""The app factory: one Bolt App per process, built from settings, with everything registered explicitly."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from slack_bolt import App

from bot import errors, listeners
from bot.config import Settings
from bot.journal import Replayer
from bot.slack_client import Installation, installation, web_client
from bot.workspace import SlackWorkspace
from commands.invocation import Deps
from storage import confidentiality
from storage.db import Database
from storage.journal import Journal
from storage.rate_budget import SharedBudget

# Bolt runs each listener on this pool and answers Slack when the listener calls ack(), so a request is
# acknowledged only once a thread is free. The work after the ack waits on the database pool and on
# Slack, not on the CPU: enough threads that a burst of commands still finds one free for its ack
# (bench/results.md shows what 32 did at concurrency 20).
LISTENER_THREADS = 128


class _UnusedTokenWarning(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment by itself and then warns that the client we pass
    (built from that same token) wins; the warning would only alarm whoever reads the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


logging.getLogger("slack_bolt.App").addFilter(_UnusedTokenWarning())


class _NoRequestBody(logging.Filter):
    """Bolt logs a request whose signature fails with its whole body, which may be a person's words (a
    thread reply, a form): logged here without it. The request is refused with 401 all the same."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage().startswith("Invalid request signature detected"):
            record.msg, record.args = "Invalid request signature detected (the request is not logged)", ()
        return True


logging.getLogger("slack_bolt.RequestVerification").addFilter(_NoRequestBody())


@dataclass(frozen=True)
class Liaison:
    app: App
    deps: Deps
    installation: Installation
    executor: ThreadPoolExecutor
    replayer: Replayer | None = None  # with a journal: applies what the database could not take at once

    def close(self) -> None:
        """Let in-flight listeners finish their work (answers, posts) before the process exits."""
        self.executor.shutdown(wait=True)
        if self.replayer is not None:
            self.replayer.stop()
            self.replayer.journal.close()


def create_app(
    settings: Settings, db: Database, *, socket_mode: bool, journal: Journal | None = None
) -> Liaison:
    """`journal`: where message events go first (the running bot's; a one-off tick has none)."""
    client = web_client(settings.bot_token, settings.api_url)
    pacer = getattr(client, "pacer", None)
    if pacer is not None and db.dialect == "postgresql":  # instances share one app's rate budget
        pacer.share(SharedBudget(db))
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
    deps = Deps(
        db=db,
        home_team_id=home.team_id,
        admins=settings.admins,
        timezone=settings.timezone,
        slack=SlackWorkspace(client, home.team_id, home.url, bot_user_id=home.bot_user_id),
        retention_days=settings.retention_days,
    )
    confidentiality.configure(settings.case_number_pattern, settings.do_not_post)
    errors.register(app)
    replayer = Replayer(deps, journal) if journal is not None else None
    listeners.register(app, deps, replayer.arrived if replayer else None)
    if replayer is not None:
        replayer.register(app)  # after the shape check: only requests shaped as Slack's are journalled
    return Liaison(app=app, deps=deps, installation=home, executor=executor, replayer=replayer)
