"""One pass of the scheduler: what is due now is sent, once. Run every minute by the bot, and by hand with
`liaison tick [--at ISO-TIME] [--dry-run]`."""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial

from commands import digest, outbox, reminders
from commands.invocation import Deps
from commands.items.cards import post_unposted_cards, refresh_card
from storage import retention
from storage.audit import SYSTEM

log = logging.getLogger("liaison")


def purge_old_text(deps: Deps, now: datetime, *, dry_run: bool = False) -> list[str]:
    with deps.db.session() as session:
        done = retention.purge(session, deps.kinds, SYSTEM, now, deps.retention_days, dry_run=dry_run)
    return [f"{'would remove' if dry_run else 'removed'} the text of {ref}" for ref in done.refs]


def finish_kept_work(deps: Deps, now: datetime, *, dry_run: bool = False) -> list[str]:
    """What Slack could not take earlier: cards not yet posted, then the outbox (card redraws and thread
    lines), oldest first."""
    redraw = partial(refresh_card, deps)
    if dry_run:
        return outbox.deliver(deps, redraw, now, dry_run=True)
    cards = [f"posted the card of {ref}" for ref in post_unposted_cards(deps)]
    return cards + outbox.deliver(deps, redraw, now)


def tick(deps: Deps, now: datetime, *, dry_run: bool = False) -> list[str]:
    """Work kept from earlier, reminders, then digests, each on its own (trouble with one does not hold
    up the others); what was sent (or would be), a line each."""
    done = []
    with deps.slack.bulk():
        for part in (finish_kept_work, reminders.send_reminders, digest.send_digests):
            try:
                done += part(deps, now, dry_run=dry_run)
            except Exception:  # the database or Slack is down: the next tick tries again
                log.exception("scheduler: %s failed this tick", part.__name__)
        for feature in deps.specs.features:
            if dry_run:
                continue  # a feature's sends are claimed as they go; a dry run lists the items' only
            try:
                done += feature.tick(deps, now)
            except Exception:
                log.exception("scheduler: the %s's part failed this tick", feature.name)
    return done
