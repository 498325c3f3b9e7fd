"""The scheduler: a short tick, every LIAISON_TICK_SECONDS, that asks the database what is due. Nothing is
scheduled per item, so nothing is lost when Liaison restarts. Of several instances on PostgreSQL one ticks
at a time (storage/leader.py); were two to tick at once, the database's claims would still decide who
sends."""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler

from commands.invocation import Deps
from commands.tick import purge_old_text, tick
from storage.leader import Leadership

log = logging.getLogger("liaison")


def start(deps: Deps, every_seconds: int) -> BackgroundScheduler | None:
    """Start ticking (None when every_seconds is 0: the scheduler is off)."""
    if every_seconds <= 0:
        return None
    scheduler = BackgroundScheduler(timezone="UTC")
    leads = Leadership(deps.db)
    # One tick at a time (max_instances=1); a tick that is late by more than the interval is skipped,
    # since the next one does the same work.
    scheduler.add_job(
        _tick,
        "interval",
        seconds=every_seconds,
        args=[deps, leads],
        max_instances=1,
        coalesce=True,
        id="tick",
    )
    # Hourly, on its own: closed items' text past the retention period (a tick's minute may never be 0).
    scheduler.add_job(
        _purge, "interval", hours=1, args=[deps, leads], max_instances=1, coalesce=True, id="purge"
    )
    scheduler.start()
    return scheduler


def _purge(deps: Deps, leads: Leadership) -> None:
    if not leads.held():
        return
    try:
        for line in purge_old_text(deps, deps.clock()):
            log.info("retention: %s", line)
    except Exception:
        log.exception("retention: the purge failed; the next one tries again")


def _tick(deps: Deps, leads: Leadership) -> None:
    if not leads.held():
        return  # another instance runs the scheduler
    try:
        for line in tick(deps, deps.clock()):
            log.info("scheduler: %s", line)
    except Exception:  # a bad tick must not stop the next one
        log.exception("scheduler: the tick failed; the next one tries again")
