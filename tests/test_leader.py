"""Which instance runs the scheduler (storage/leader.py): on PostgreSQL the one holding an advisory lock;
the lock goes to another instance at once when the leader stops, and once the server ends a cut leader's
session."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import text

from storage.db import Database
from storage.leader import Leadership
from tests.databases import database_url


def test_one_instance_on_postgresql_runs_the_scheduler_and_another_takes_over_when_it_goes(
    tmp_path: Path,
) -> None:
    with database_url("postgresql", tmp_path) as url:
        first, second = Database(url), Database(url)
        leads, waits = Leadership(first), Leadership(second)
        try:
            assert leads.held() and leads.held(), "the first to ask leads, and goes on leading"
            assert not waits.held()
            leads.release()  # its process stops
            assert waits.held() and not leads.held(), "the lead is given up at once"
        finally:
            leads.release()
            waits.release()
            first.dispose()
            second.dispose()


# The session holding this schema's scheduler lock (a bigint key is held as classid, its high half, and
# objid).
CUT_THE_LEADER = """
SELECT bool_or(pg_terminate_backend(pid)) FROM pg_locks
WHERE locktype = 'advisory' AND granted AND objsubid = 1
  AND ((classid::bigint << 32) | objid::bigint)
    = hashtextextended('liaison scheduler ' || current_schema(), 0)
"""


def test_an_instance_whose_connection_is_cut_stops_leading_and_another_takes_over(tmp_path: Path) -> None:
    with database_url("postgresql", tmp_path) as url:
        first, second = Database(url), Database(url)
        leads, waits = Leadership(first), Leadership(second)
        try:
            assert leads.held()
            with second.engine.connect() as admin:  # the server ends the leader's session, as an outage does
                ended = admin.execute(text(CUT_THE_LEADER)).scalar_one()
            assert ended
            deadline = time.monotonic() + 10
            while not waits.held():  # the server lets the lock go once the session has ended
                assert time.monotonic() < deadline, "nobody took over the scheduler"
                time.sleep(0.05)
            assert not leads.held(), "the cut instance knows it no longer leads"
        finally:
            leads.release()
            waits.release()
            first.dispose()
            second.dispose()
