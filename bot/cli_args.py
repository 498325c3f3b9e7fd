"""The `liaison` command line's grammar: its subcommands and options, and a mistake in them answered in
one line that names it (not argparse's or Python's words for it), followed by that subcommand's usage."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import NoReturn

from commands.kinds import standard
from storage import exports

EXIT_USAGE = 2

Handler = Callable[[argparse.Namespace], int]


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose mistakes are one readable line, then the usage of the command at fault."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: {self._plainly(message)}", file=sys.stderr)
        print(f"{self.prog}: usage: {' '.join(self.format_usage().split()[1:])}", file=sys.stderr)
        sys.exit(EXIT_USAGE)

    def _plainly(self, message: str) -> str:
        """argparse's message in the words of someone running Liaison."""
        if required := re.fullmatch(r"the following arguments are required: (.*)", message):
            return "; ".join(self._missing(name) for name in required.group(1).split(", "))
        if unknown := re.fullmatch(r"unrecognized arguments: (.*)", message):
            return f"there is no option {unknown.group(1)} here (`{self.prog} --help` lists them)"
        if choice := re.fullmatch(r"argument (\S+): invalid choice: '([^']*)' \(choose from .*\)", message):
            options = self._choices(choice.group(1))
            return f"{choice.group(2)!r} is not one of {', '.join(options)}"
        if number := re.fullmatch(r"argument (\S+): invalid int value: '([^']*)'", message):
            return f"{number.group(1)} takes a whole number, not {number.group(2)!r}"
        if needs := re.fullmatch(r"argument (\S+): expected one argument", message):
            return f"{needs.group(1)} needs a value after it"
        if both := re.fullmatch(r"argument (\S+): not allowed with argument (\S+)", message):
            return f"{both.group(2)} and {both.group(1)} can't be used together"
        if value := re.fullmatch(r"argument (\S+): ('.*)", message):  # our own checks of a value
            return f"{value.group(1)} {value.group(2)}"
        return message.removeprefix("argument ")

    def _action(self, name: str) -> argparse.Action | None:
        for action in self._actions:
            names = {action.dest, action.metavar, "/".join(action.option_strings)}
            if name in names or name in action.option_strings:
                return action
        return None

    def _choices(self, name: str) -> list[str]:
        action = self._action(name)
        return [str(c) for c in action.choices] if action is not None and action.choices else []

    def _missing(self, name: str) -> str:
        choices = self._choices(name)
        action = self._action(name)
        what = (action.help or name) if action is not None else name
        return f"say {what}: {', '.join(choices)}" if choices else f"{name} is missing"


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day; write it as 2026-01-31") from None


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a time; write it as 2026-12-01T14:00Z") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} has no time zone; add Z for UTC (2026-12-01T14:00Z) or an offset like -05:00"
        )
    return moment.astimezone(UTC)


def _subcommands(parser: Parser, what: str) -> argparse._SubParsersAction[Parser]:
    return parser.add_subparsers(
        dest=what, required=True, metavar=what.upper(), help=f"which {what}", parser_class=Parser
    )


def _leaf(sub: argparse._SubParsersAction[Parser], name: str, help: str, handler: Handler) -> Parser:
    """A subcommand that runs `handler`; it remembers itself, so a stray option is answered with its usage."""
    leaf = sub.add_parser(name, help=help, description=help)
    leaf.set_defaults(handler=handler, leaf=leaf)
    return leaf


def parser(handlers: dict[str, Handler]) -> Parser:
    """The whole command line; `handlers` maps each subcommand ("db upgrade" for nested ones) to its code."""
    top = Parser(prog="liaison", description="Liaison, the interagency coordination bot.")
    sub = _subcommands(top, "command")

    run = _leaf(sub, "run", "run the bot (Socket Mode if SLACK_APP_TOKEN is set, else HTTP)", handlers["run"])
    mode = run.add_mutually_exclusive_group()
    mode.add_argument("--http", dest="mode", action="store_const", const="http", help="serve HTTP")
    mode.add_argument("--socket", dest="mode", action="store_const", const="socket", help="use Socket Mode")
    run.add_argument("--port", type=int, help="HTTP port (default: PORT, or 3000)")
    run.add_argument("--host", default="0.0.0.0", help="address to listen on (default: all)")

    work = _leaf(
        sub,
        "work",
        "only do the commands a `liaison run` front kept (PostgreSQL; `liaison run` starts these itself)",
        handlers["work"],
    )
    work.add_argument("--threads", type=int, default=4, help="workers in this process (default: 4)")
    # SQLite's one worker process, woken by its `liaison run` through its standard input.
    work.add_argument("--wakes-on-stdin", action="store_true", help=argparse.SUPPRESS)

    _leaf(
        sub,
        "init",
        "create .env from .env.example if there is none, and put a new LIAISON_DATA_KEY in it if it has none",
        handlers["init"],
    )

    db_sub = _subcommands(sub.add_parser("db", help="database maintenance"), "action")
    _leaf(
        db_sub,
        "upgrade",
        "apply the database migrations (and create the database if there is none)",
        handlers["db upgrade"],
    )

    directory_sub = _subcommands(
        sub.add_parser("partners", help="the partner directory as a YAML file"), "action"
    )
    importing = _leaf(
        directory_sub, "import", "add or update partners from a YAML file", handlers["partners import"]
    )
    importing.add_argument("file", type=Path, help="the YAML file (see README: Partner directory file)")
    exporting = _leaf(
        directory_sub, "export", "write the partner directory as YAML", handlers["partners export"]
    )
    exporting.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write to this file instead of the screen"
    )

    library_sub = _subcommands(
        sub.add_parser("library", help="the shared case-resource library as a CSV or YAML file"), "action"
    )
    bank = _leaf(
        library_sub,
        "import",
        "add entries from a CSV or YAML file (a bad row imports nothing; repeats are skipped)",
        handlers["library import"],
    )
    bank.add_argument("file", type=Path, help="the CSV or YAML file (see README: The library)")
    bank.add_argument("--dry-run", action="store_true", help="check the file and report; import nothing")
    bank.add_argument("--owner", metavar="USER", help="who looks after the entries (default: an admin)")
    shelf = _leaf(library_sub, "export", "write every library entry as CSV", handlers["library export"])
    shelf.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write to this file instead of the screen"
    )

    ticking = _leaf(
        sub, "tick", "one pass of the scheduler: send the reminders and digests due now", handlers["tick"]
    )
    ticking.add_argument(
        "--at", type=_moment, metavar="TIME", help="act as if it were this time (2026-12-01T14:00Z)"
    )
    ticking.add_argument("--dry-run", action="store_true", help="print what would be sent; send nothing")

    exporting_items = _leaf(
        sub, "export", "write referrals, consults, action items or the audit log as CSV", handlers["export"]
    )
    exporting_items.add_argument("what", choices=exports.choices(standard().kinds), help="what to export")
    first, last = "first day (2026-01-01)", "last day (2026-12-31)"
    exporting_items.add_argument("--from", dest="first", type=_day, metavar="DAY", help=first)
    exporting_items.add_argument("--to", dest="last", type=_day, metavar="DAY", help=last)
    exporting_items.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write to this file instead of the screen"
    )

    purging = _leaf(
        sub,
        "purge",
        "remove the text of items closed longer ago than the retention period",
        handlers["purge"],
    )
    purging.add_argument("--dry-run", action="store_true", help="list what would be removed; remove nothing")
    purging.add_argument(
        "--at", type=_moment, metavar="TIME", help="purge as of this time (2026-12-01T14:00Z)"
    )

    keys_sub = _subcommands(
        sub.add_parser("keys", help="the keys that encrypt stored client text (LIAISON_DATA_KEY)"), "action"
    )
    _leaf(keys_sub, "new", "print a new key", handlers["keys new"])
    _leaf(
        keys_sub,
        "rotate",
        "re-encrypt everything with the first key (and encrypt what was stored plain)",
        handlers["keys rotate"],
    )

    _leaf(sub, "check", "check configuration, database and Slack; print what was found", handlers["check"])
    _leaf(sub, "demo", "an offline walk-through of a referral, against the Slack stand-in", handlers["demo"])
    _leaf(sub, "manifest", "print the Slack app manifest (manifest.yml)", handlers["manifest"])
    return top


def parse(top: Parser, argv: Sequence[str] | None) -> argparse.Namespace:
    """The arguments, or exit with one line: a stray option is answered with its own subcommand's usage
    (argparse would give the top-level one)."""
    args, extra = top.parse_known_args(argv)
    if extra:
        leaf: Parser = getattr(args, "leaf", top)
        leaf.error(f"unrecognized arguments: {' '.join(extra)}")
    return args
