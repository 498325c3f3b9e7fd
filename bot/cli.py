"""The `liaison` command line: run the bot, migrate the database, check the set-up, print the manifest.

Every failure a person can fix ends in one line saying what to do (exit 2 for configuration, 1 for an
unreachable service), never a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from bot import cli_args, cli_library, demo, dotenv_file, logs, running
from bot.app import create_app
from bot.cli_base import Refused, all_settings_checked, database, quiet_slack_sdk, wants_socket_mode
from bot.config import ConfigError, Settings, load_settings
from bot.dotenv_file import DotenvProblem
from bot.manifest import manifest_yaml
from bot.slack_client import SlackUnreachable, installation, web_client
from commands.kinds import standard
from commands.tick import tick
from storage import crypto, directory_file, exports, keys, regions, retention
from storage.audit import Actor
from storage.clock import REAL
from storage.crypto import UnreadableText
from storage.db import Database, sqlite_file
from storage.directory_file import InvalidFile
from storage.errors import DatabaseBusy, DatabaseUnavailable

SETTINGS_HINT = "settings come from the environment or a .env file here; .env.example lists them all"
DATABASE_HINT = "check DATABASE_URL and that the database server is running"
EXIT_CONFIG = 2
EXIT_UNREACHABLE = 1
ENV_FILE, ENV_TEMPLATE = Path(".env"), Path(".env.example")


def main(argv: Sequence[str] | None = None) -> int:
    args = cli_args.parse(cli_args.parser(HANDLERS), argv)
    # A running bot logs what it does; a one-off command says what it did, and its log only what went wrong.
    logs.configure(logging.INFO if args.handler in (running.run, running.work) else logging.WARNING)
    handler: Callable[[argparse.Namespace], int] = args.handler
    for warning in dotenv_file.duplicate_warnings(ENV_FILE):
        print(f"liaison: warning: {warning}", file=sys.stderr)
    try:
        return handler(args)
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"liaison: {problem}", file=sys.stderr)
        print(f"liaison: {SETTINGS_HINT}", file=sys.stderr)
        return EXIT_CONFIG
    except (Refused, DotenvProblem) as exc:
        print(f"liaison: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except SlackUnreachable as exc:
        print(f"liaison: {exc}", file=sys.stderr)
        return EXIT_UNREACHABLE
    except InvalidFile as exc:
        for problem in exc.problems:
            print(f"liaison: {problem}", file=sys.stderr)
        print("liaison: nothing was imported; fix the file and import it again", file=sys.stderr)
        return EXIT_CONFIG
    except UnreadableText as exc:
        print(f"liaison: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except DatabaseUnavailable as exc:
        print(f"liaison: can't reach the database at {exc.where}: {DATABASE_HINT}", file=sys.stderr)
        return EXIT_UNREACHABLE
    except DatabaseBusy as exc:  # another writer held what this one needed, or changed it meanwhile
        print(f"liaison: {exc.message}", file=sys.stderr)
        return EXIT_UNREACHABLE


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise Refused(
            f"can't write {path}: {exc.strerror}; check the folder exists and you may write there"
        ) from None


def _tick(args: argparse.Namespace) -> int:
    """One scheduler pass by hand: what is due at --at (default now) is sent, or with --dry-run listed."""
    settings = load_settings()
    if not settings.bot_token:  # a tick only posts: no signing secret or app token needed
        raise ConfigError(
            ["SLACK_BOT_TOKEN is not set: `liaison tick` posts reminders and digests as the bot"]
        )
    clock = settings.clock() if args.at is None else settings.clock().starting_at(args.at)
    at = clock()  # the whole pass runs on this clock: what it writes and what it reads as "now"
    db = database(settings, settings.keyring(), clock=clock)
    db.upgrade()
    with quiet_slack_sdk():
        liaison = create_app(settings, db, socket_mode=False)
    try:
        lines = tick(liaison.deps, at, dry_run=args.dry_run)
    finally:
        if liaison.pacer is not None:  # the calls not yet counted in the shared rate budget
            liaison.pacer.close()
    for line in lines:
        print(line)
    if not lines:
        print(f"nothing due at {at.isoformat()}")
    return 0


def _export(args: argparse.Namespace) -> int:
    settings = load_settings()
    db = database(settings, settings.keyring())
    db.upgrade()
    if args.first and args.last and args.last < args.first:
        raise ConfigError(["--to comes before --from"])
    span = exports.period(args.first, args.last, ZoneInfo(settings.timezone), db.clock())
    with db.session() as session:
        text = exports.as_csv(exports.rows(session, standard().kinds, args.what, span.since, span.until))
    if args.output is None:
        print(text, end="")
    else:
        _write(args.output, text)
        print(f"wrote {text.count(chr(10)) - 1} {args.what} rows, {span.words}, to {args.output}")
    return 0


def _purge(args: argparse.Namespace) -> int:
    settings = load_settings()  # LIAISON_START_TIME never moves a purge: it removes text for good
    db = database(settings, settings.keyring(), clock=REAL)
    db.upgrade()
    actor = Actor(user_id=f"cli:{getpass.getuser()}"[:32], team_id=None)
    with db.session() as session:
        now = args.at or REAL()
        done = retention.purge(
            session, standard().kinds, actor, now, settings.retention_days, dry_run=args.dry_run
        )
    verb = "would remove" if args.dry_run else "removed"
    print(
        f"{verb} the text of {len(done.refs)} items closed over {settings.retention_days} days ago"
        + (f": {', '.join(done.refs)}" if done.refs else "")
    )
    if done.held:
        print(f"kept {len(done.held)} under a legal hold: {', '.join(done.held)}")
    return 0


def _keys_new(_args: argparse.Namespace) -> int:
    print(crypto.new_key())
    return 0


def _keys_rotate(_args: argparse.Namespace) -> int:
    settings = load_settings()
    if not settings.data_keys:
        raise ConfigError(
            ["LIAISON_DATA_KEY is not set: put the new key first, then the old ones, and rotate"]
        )
    db = database(settings, settings.keyring())
    db.upgrade()
    changed = keys.rotate(db)
    print(f"re-encrypted {changed} stored values with the first key; older keys may now be removed")
    return 0


def _db_upgrade(args: argparse.Namespace) -> int:
    db = database(load_settings(), create=True)
    db.upgrade()
    current, _ = db.revisions()
    print(f"database {db.describe()} is at migration {current}")
    return 0


def _check(args: argparse.Namespace) -> int:
    settings = load_settings()
    socket_mode = wants_socket_mode(args, settings)
    keyring = all_settings_checked(settings, socket_mode)
    print(
        f"configuration: ok; would run in {'Socket Mode' if socket_mode else 'HTTP mode'}"
        f"{'' if socket_mode else f' on port {settings.port}'}; fallback time zone {settings.timezone}; "
        f"public holidays (LIAISON_HOLIDAYS) of {regions.name_of(settings.holidays)}"
    )
    path = sqlite_file(settings.database_url)
    if path is not None and not path.exists():
        print(f"database: none yet at {path}; `liaison run` creates it there (if not, check DATABASE_URL)")
    else:
        db = Database(settings.database_url)
        current, head = db.revisions()
        state = (
            "up to date" if current == head else f"needs `liaison db upgrade` (at {current}, newest {head})"
        )
        print(f"database: {db.describe()} reachable, schema {state}")
    with quiet_slack_sdk():
        home = installation(web_client(settings.bot_token, settings.api_url))
    print(f"slack: team {home.team} ({home.team_id}), bot user {home.bot_user_id}, via {settings.api_url}")
    encryption = (
        "off (LIAISON_ALLOW_PLAINTEXT=1)" if keyring is None else f"on, {len(settings.data_keys)} key(s)"
    )
    print(f"encryption of stored client text: {encryption}")
    admins = ", ".join(sorted(settings.admins)) or "none (set LIAISON_ADMINS)"
    print(f"admins from LIAISON_ADMINS: {admins}")
    return 0


def _partners_import(args: argparse.Namespace) -> int:
    source: Path = args.file
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidFile([f"can't read {source}: {exc.strerror}"]) from exc
    entries = directory_file.read(text, source.name, standard().scopes)
    settings = load_settings()
    db = database(settings)
    db.upgrade()
    actor = Actor(user_id=f"cli:{getpass.getuser()}"[:32], team_id=None)
    with db.session() as session:
        report = directory_file.apply(session, actor, entries, source.name, _home_team(settings))
    print("\n".join(report))
    return 0


def _home_team(settings: Settings) -> str | None:
    """The office's own workspace, which no partner may have; None, with a warning, when offline."""
    if settings.bot_token:
        try:
            with quiet_slack_sdk():
                return installation(web_client(settings.bot_token, settings.api_url)).team_id
        except SlackUnreachable as exc:
            print(f"liaison: warning: {exc}", file=sys.stderr)
    print(
        "liaison: warning: without Slack, teams were not checked against the office's own workspace",
        file=sys.stderr,
    )
    return None


def _partners_export(args: argparse.Namespace) -> int:
    db = database(load_settings())
    db.upgrade()
    with db.session() as session:
        text = directory_file.write(session)
    if args.output is None:
        print(text, end="")
    else:
        _write(args.output, text)
        print(f"wrote the partner directory to {args.output}")
    return 0


def _demo(_args: argparse.Namespace) -> int:
    logging.getLogger().setLevel(logging.WARNING)  # the transcript is the output, not the bot's log
    try:
        demo.run(sys.stdout)
    except AssertionError as exc:  # the stand-in's wait_for: a step did not happen
        print(f"liaison: the demo stopped: {exc}", file=sys.stderr)
        return EXIT_UNREACHABLE
    return 0


def _manifest(_args: argparse.Namespace) -> int:
    print(manifest_yaml(), end="")
    return 0


def _init(_args: argparse.Namespace) -> int:
    done = dotenv_file.prepare(ENV_FILE, ENV_TEMPLATE)
    for notice in done.notices:
        print(f"liaison: {notice}")
    for warning in done.warnings:
        print(f"liaison: warning: {warning}", file=sys.stderr)
    return 0


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "run": running.run,
    "work": running.work,
    "init": _init,
    "db upgrade": _db_upgrade,
    "partners import": _partners_import,
    "partners export": _partners_export,
    "library import": cli_library.import_file,
    "library export": cli_library.export_file,
    "tick": _tick,
    "export": _export,
    "purge": _purge,
    "keys new": _keys_new,
    "keys rotate": _keys_rotate,
    "check": _check,
    "demo": _demo,
    "manifest": _manifest,
}


if __name__ == "__main__":
    sys.exit(main())
