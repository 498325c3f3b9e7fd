"""What the `liaison` subcommands share: the one-line refusal, the configured database, quiet first
contact with Slack, and the check of every setting a running bot needs."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from bot.config import ConfigError, Settings
from storage.clock import Clock
from storage.crypto import Keyring
from storage.db import Database, sqlite_file


class Refused(Exception):
    """Something the person must put right first; the message says what, in one line."""


@contextmanager
def quiet_slack_sdk() -> Iterator[None]:
    """slack_sdk logs every retry of a call that cannot connect; while Liaison first reaches Slack, the
    one line SlackUnreachable gives says all of it."""
    logger = logging.getLogger("slack_sdk.web.base_client")
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = False


def database(
    settings: Settings, keyring: Keyring | None = None, *, create: bool = False, clock: Clock | None = None
) -> Database:
    """The configured database. A SQLite file that is not there is refused (a mistyped path would
    otherwise become a new, empty database), unless this command creates one: then it says where."""
    path = sqlite_file(settings.database_url)
    if path is not None and not path.exists():
        if not create:
            raise Refused(
                f"there is no database at {path}: check DATABASE_URL (`liaison run` or `liaison db upgrade` "
                "creates a new one)"
            )
        print(f"liaison: no database at {path} yet: creating a new one there", file=sys.stderr)
    return Database(settings.database_url, keyring, clock or settings.clock())


def wants_socket_mode(args: argparse.Namespace, settings: Settings) -> bool:
    mode = getattr(args, "mode", None)
    return mode == "socket" or (mode is None and settings.socket_mode_available)


def all_settings_checked(settings: Settings, socket_mode: bool) -> Keyring | None:
    """The keyring, once every setting `run` needs is known to be right; else all that is wrong at once."""
    problems: list[str] = []
    keyring = None
    try:
        settings.require_slack(socket_mode=socket_mode)
    except ConfigError as exc:
        problems += exc.problems
    try:
        keyring = settings.keyring()
    except ConfigError as exc:
        problems += exc.problems
    if problems:
        raise ConfigError(problems)
    return keyring
