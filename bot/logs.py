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
_QUOTED = re.compile(r"""body: .*|'[^']*'|"[^"]*"|\{.*\}|\[.*\]""", re.DOTALL)


class WithoutClientText(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        if not record.name.startswith(OURS):
            record = logging.makeLogRecord(record.__dict__)
            record.msg, record.args = _QUOTED.sub("(left out)", record.getMessage()), None
        return super().format(record)

    def formatException(self, ei: object) -> str:
        text = super().formatException(ei)  # type: ignore[arg-type]
        *frames, last = text.rstrip("\n").split("\n")
        kind = last.split(":", 1)[0]
        return "\n".join([*frames, f"{kind} (its message is left out of the log: it may quote a client)"])


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
