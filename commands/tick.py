"""One pass of the scheduler: what is due now is sent, once. Run every minute by the bot, and by hand with
`liaison tick [--at ISO-TIME] [--dry-run]`."""

from __future__ import annotations

import logging
from datetime import datetime

from commands import digest, reminders
from commands.invocation import Deps
from storage import retention
from storage.audit import SYSTEM

log = logging.getLogger("liaison")


def purge_old_text(deps: Deps, now: datetime, *, dry_run: bool = False) -> list[str]:
    with deps.db.session() as session:
        done = retention.purge(session, SYSTEM, now, deps.retention_days, dry_run=dry_run)
    return [f"{'would remove' if dry_run else 'removed'} the text of {ref}" for ref in done.refs]


def tick(deps: Deps, now: datetime, *, dry_run: bool = False) -> list[str]:
    """Reminders, then digests, each on its own (trouble with one does not hold up the other); what was
    sent (or would be), a line each."""
    done = []
    for part in (reminders.send_reminders, digest.send_digests):
        try:
            done += part(deps, now, dry_run=dry_run)
        except Exception:  # the database or Slack is down: the next tick tries again
            log.exception("scheduler: %s failed this tick", part.__name__)
    return done
