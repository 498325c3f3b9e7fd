"""One pass of the scheduler: what is due now is sent, once. Run every minute by the bot, and by hand with
`liaison tick [--at ISO-TIME] [--dry-run]`."""

from __future__ import annotations

from datetime import datetime

from commands import digest, reminders
from commands.invocation import Deps


def tick(deps: Deps, now: datetime, *, dry_run: bool = False) -> list[str]:
    """Reminders, then digests; what was sent (or would be), a line each."""
    return reminders.send_reminders(deps, now, dry_run=dry_run) + digest.send_digests(
        deps, now, dry_run=dry_run
    )
