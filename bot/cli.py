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
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot import demo, logs, scheduler
from bot.app import create_app
from bot.config import ConfigError, Settings, load_settings
from bot.manifest import manifest_yaml
from bot.server import serve
from bot.slack_client import SlackUnreachable, installation, web_client
from commands import card_for
from commands.items import post_unposted_cards
from commands.tick import tick
from storage import crypto, directory_file, exports, keys, retention
from storage.audit import Actor
from storage.crypto import UnreadableText
from storage.db import Database
from storage.directory_file import InvalidFile
from storage.errors import DatabaseUnavailable
from storage.types import start_clock_at, utcnow

SETTINGS_HINT = "settings come from the environment or a .env file here; .env.example lists them all"
DATABASE_HINT = "check DATABASE_URL and that the database server is running"
EXIT_CONFIG = 2
EXIT_UNREACHABLE = 1


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logs.configure()
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"liaison: {problem}", file=sys.stderr)
        print(f"liaison: {SETTINGS_HINT}", file=sys.stderr)
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="liaison", description="Liaison, the interagency coordination bot.")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run the bot (Socket Mode if SLACK_APP_TOKEN is set, else HTTP)")
    mode = run.add_mutually_exclusive_group()
    mode.add_argument("--http", dest="mode", action="store_const", const="http", help="serve HTTP")
    mode.add_argument("--socket", dest="mode", action="store_const", const="socket", help="use Socket Mode")
    run.add_argument("--port", type=int, help="HTTP port (default: PORT, or 3000)")
    run.add_argument("--host", default="0.0.0.0", help="address to listen on (default: all)")
    run.set_defaults(handler=_run)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(required=True, metavar="ACTION")
    db_sub.add_parser("upgrade", help="apply database migrations").set_defaults(handler=_db_upgrade)

    directory = sub.add_parser("partners", help="the partner directory as a YAML file")
    directory_sub = directory.add_subparsers(required=True, metavar="ACTION")
    importing = directory_sub.add_parser("import", help="add or update partners from a YAML file")
    importing.add_argument("file", type=Path, help="the YAML file (see README: Partner directory file)")
    importing.set_defaults(handler=_partners_import)
    exporting = directory_sub.add_parser("export", help="write the partner directory as YAML")
    exporting.add_argument("-o", "--output", type=Path, help="write to this file instead of the screen")
    exporting.set_defaults(handler=_partners_export)

    ticking = sub.add_parser("tick", help="one pass of the scheduler: send the reminders and digests due now")
    ticking.add_argument("--at", help="act as if it were this time (ISO, with a zone: 2026-12-01T14:00Z)")
    ticking.add_argument("--dry-run", action="store_true", help="print what would be sent; send nothing")
    ticking.set_defaults(handler=_tick)

    exporting_items = sub.add_parser(
        "export", help="write referrals, consults, action items or the audit log as CSV"
    )
    exporting_items.add_argument("what", choices=exports.WHAT, help="what to export")
    exporting_items.add_argument(
        "--from", dest="first", type=date.fromisoformat, help="first day (YYYY-MM-DD)"
    )
    exporting_items.add_argument("--to", dest="last", type=date.fromisoformat, help="last day (YYYY-MM-DD)")
    exporting_items.add_argument("-o", "--output", type=Path, help="write to this file instead of the screen")
    exporting_items.set_defaults(handler=_export)

    purging = sub.add_parser(
        "purge", help="remove the text of items closed longer ago than the retention period"
    )
    purging.add_argument("--dry-run", action="store_true", help="list what would be removed; remove nothing")
    purging.add_argument("--at", help="purge as of this time (ISO, with a zone), for operations and tests")
    purging.set_defaults(handler=_purge)

    keys_parser = sub.add_parser("keys", help="the keys that encrypt stored client text (LIAISON_DATA_KEY)")
    keys_sub = keys_parser.add_subparsers(required=True, metavar="ACTION")
    keys_sub.add_parser("new", help="print a new key").set_defaults(handler=_keys_new)
    keys_sub.add_parser(
        "rotate", help="re-encrypt everything with the first key (and encrypt what was stored plain)"
    ).set_defaults(handler=_keys_rotate)

    sub.add_parser(
        "check", help="check configuration, database and Slack; print what was found"
    ).set_defaults(handler=_check)
    sub.add_parser(
        "demo", help="an offline walk-through of a referral, against the Slack stand-in"
    ).set_defaults(handler=_demo)
    sub.add_parser("manifest", help="print the Slack app manifest (manifest.yml)").set_defaults(
        handler=_manifest
    )
    return parser


def _socket_mode(args: argparse.Namespace, settings: Settings) -> bool:
    mode = getattr(args, "mode", None)
    return mode == "socket" or (mode is None and settings.socket_mode_available)


def _run(args: argparse.Namespace) -> int:
    settings = load_settings()
    if settings.start_time is not None:
        start_clock_at(settings.start_time)
        logging.getLogger("liaison").warning(
            "the clock starts at %s (LIAISON_START_TIME)", settings.start_time
        )
    socket_mode = _socket_mode(args, settings)
    settings.require_slack(socket_mode=socket_mode)
    db = Database(settings.database_url, settings.keyring())
    db.upgrade()
    keys.check(db)  # a wrong key is found now, not when someone opens a referral
    liaison = create_app(settings, db, socket_mode=socket_mode)
    for ref in post_unposted_cards(liaison.deps, card_for, at_start=True):
        logging.getLogger("liaison").info(
            "posted the card of %s, left unposted when Liaison last stopped", ref
        )
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
    return 0


def _tick(args: argparse.Namespace) -> int:
    """One scheduler pass by hand: what is due at --at (default now) is sent, or with --dry-run listed."""
    settings = load_settings()
    if not settings.bot_token:  # a tick only posts: no signing secret or app token needed
        raise ConfigError(
            ["SLACK_BOT_TOKEN is not set: `liaison tick` posts reminders and digests as the bot"]
        )
    if settings.start_time is not None and args.at is None:
        start_clock_at(settings.start_time)
    at = _moment(args.at)
    db = Database(settings.database_url, settings.keyring())
    db.upgrade()
    liaison = create_app(settings, db, socket_mode=False)
    deps = replace(liaison.deps, clock=lambda: at)
    lines = tick(deps, at, dry_run=args.dry_run)
    for line in lines:
        print(line)
    if not lines:
        print(f"nothing due at {at.isoformat()}")
    return 0


def _moment(text: str | None) -> datetime:
    if text is None:
        return utcnow()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError([f"--at {text!r} is not a time; write it as 2026-12-01T14:00:00Z"]) from None
    if moment.tzinfo is None:
        raise ConfigError([f"--at {text!r} has no time zone; add Z for UTC or an offset like -05:00"])
    return moment.astimezone(UTC)


def _export(args: argparse.Namespace) -> int:
    settings = load_settings()
    db = Database(settings.database_url, settings.keyring())
    db.upgrade()
    zone = ZoneInfo(settings.timezone)
    since = datetime.combine(args.first, time(), zone) if args.first else datetime(2000, 1, 1, tzinfo=UTC)
    until = (
        datetime.combine(args.last + timedelta(days=1), time(), zone)
        if args.last
        else utcnow() + timedelta(days=1)
    )
    with db.session() as session:
        text = exports.as_csv(exports.rows(session, args.what, since, until))
    if args.output is None:
        print(text, end="")
    else:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {text.count(chr(10)) - 1} {args.what} rows to {args.output}")
    return 0


def _purge(args: argparse.Namespace) -> int:
    settings = load_settings()  # LIAISON_START_TIME never moves a purge: it removes text for good
    db = Database(settings.database_url, settings.keyring())
    db.upgrade()
    actor = Actor(user_id=f"cli:{getpass.getuser()}"[:32], team_id=None)
    with db.session() as session:
        now = _moment(args.at)
        done = retention.purge(session, actor, now, settings.retention_days, dry_run=args.dry_run)
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
    db = Database(settings.database_url, settings.keyring())
    db.upgrade()
    changed = keys.rotate(db)
    print(f"re-encrypted {changed} stored values with the first key; older keys may now be removed")
    return 0


def _db_upgrade(args: argparse.Namespace) -> int:
    db = Database(load_settings().database_url)
    db.upgrade()
    current, _ = db.revisions()
    print(f"database {db.describe()} is at migration {current}")
    return 0


def _check(args: argparse.Namespace) -> int:
    settings = load_settings()
    socket_mode = _socket_mode(args, settings)
    print(
        f"configuration: ok; would run in {'Socket Mode' if socket_mode else 'HTTP mode'}"
        f"{'' if socket_mode else f' on port {settings.port}'}; fallback time zone {settings.timezone}"
    )
    settings.require_slack(socket_mode=socket_mode)
    db = Database(settings.database_url)
    current, head = db.revisions()
    state = "up to date" if current == head else f"needs `liaison db upgrade` (at {current}, newest {head})"
    print(f"database: {db.describe()} reachable, schema {state}")
    home = installation(web_client(settings.bot_token, settings.api_url))
    print(f"slack: team {home.team} ({home.team_id}), bot user {home.bot_user_id}, via {settings.api_url}")
    keyring = (
        "off (LIAISON_ALLOW_PLAINTEXT=1)"
        if settings.keyring() is None
        else f"on, {len(settings.data_keys)} key(s)"
    )
    print(f"encryption of stored client text: {keyring}")
    admins = ", ".join(sorted(settings.admins)) or "none (set LIAISON_ADMINS)"
    print(f"admins from LIAISON_ADMINS: {admins}")
    return 0


def _partners_import(args: argparse.Namespace) -> int:
    source: Path = args.file
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidFile([f"can't read {source}: {exc.strerror}"]) from exc
    entries = directory_file.read(text, source.name)
    settings = load_settings()
    db = Database(settings.database_url)
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
            return installation(web_client(settings.bot_token, settings.api_url)).team_id
        except SlackUnreachable as exc:
            print(f"liaison: warning: {exc}", file=sys.stderr)
    print(
        "liaison: warning: without Slack, teams were not checked against the office's own workspace",
        file=sys.stderr,
    )
    return None


def _partners_export(args: argparse.Namespace) -> int:
    db = Database(load_settings().database_url)
    db.upgrade()
    with db.session() as session:
        text = directory_file.write(session)
    if args.output is None:
        print(text, end="")
    else:
        args.output.write_text(text, encoding="utf-8")
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


if __name__ == "__main__":
    sys.exit(main())
