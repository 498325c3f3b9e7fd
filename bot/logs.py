"""Liaison's log: what happened, never what a client's matter says (DESIGN: Confidentiality).

Liaison's own log lines name items, channels and classes, never text. The libraries it runs on are less
careful: Bolt logs a whole request body when a signature is wrong and when a request has no listener,
exceptions quote the value they choked on, and SQL errors carry their parameters. So: the libraries speak
only from WARNING up; their messages lose anything quoted, bracketed or called a body; every exception's
own message is left out (its type and where it happened stay, which is what a maintainer needs); and the
database engine hides statement parameters (storage/db.py)."""

from __future__ import annotations

import logging
import re
import sys
import traceback
from typing import Any

OURS = ("liaison", "bot", "commands", "storage", "bench")
CHATTY = (
    "slack_bolt",
    "slack_sdk",
    "sqlalchemy",
    "httpx",
    "httpcore",
    "websockets",
    "apscheduler",
    "alembic",
)
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# A library's message is kept up to where it starts quoting what it was given: the first bracket, quote,
# colon or `=`. Bolt says "Unhandled request ({...})" and "Invalid request signature detected (... body:
# ...)"; what follows the opening is the request, and may be a client's words.
_QUOTING = re.compile(r"""[({\["':=]""")


class WithoutClientText(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        if not record.name.startswith(OURS):
            record = logging.makeLogRecord(record.__dict__)
            message = record.getMessage()
            cut = _QUOTING.search(message)
            record.msg = message[: cut.start()].rstrip() + " (the rest is left out)" if cut else message
            record.args = None
        return super().format(record)

    def formatException(self, ei: Any) -> str:
        """Where it happened and what kind of error, for each exception in the chain; never its message,
        which may quote what it choked on (a value, a database row's key)."""
        lines: list[str] = []
        for exception in _chain(traceback.TracebackException(*ei)):
            lines += ["Traceback (most recent call last):", *exception.stack.format()]
            lines.append(f"{_name(exception)} (its message is left out of the log: it may quote a client)")
        return "\n".join(line.rstrip("\n") for line in lines)


def _name(exception: traceback.TracebackException) -> str:
    kind = exception.exc_type
    return kind.__qualname__ if kind is not None else "Exception"


def _chain(exception: traceback.TracebackException) -> list[traceback.TracebackException]:
    """The exception and the ones it was raised from or during, the first raised first."""
    chain: list[traceback.TracebackException] = []
    current: traceback.TracebackException | None = exception
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain[::-1]


class _UnusedTokenWarning(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment by itself and then warns that the client we pass
    (built from that same token) wins; the warning would only alarm whoever reads the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def configure(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(WithoutClientText(FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in CHATTY:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
    logging.getLogger("slack_bolt.App").addFilter(_UnusedTokenWarning())
