"""The mark of the lookups' tables as the database sets it (storage/lookups.py; migrations 0021 to 0023):
a new one for every change, whoever makes it; a trigger for every change on every table followed; a new
one when a migration runs; and, on PostgreSQL, set as the write commits, so writers of the directory do
not wait on each other for it."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot import errors
from storage import lookups
from storage.court_calendar import OfficeClosure
from storage.db import MIGRATING, Database, alembic_config
from storage.errors import ChangedMeanwhile, DatabaseBusy
from storage.models import Partner, PartnerKind, Role, StaffRole
from tests.databases import database_url
from tests.interleave import Transaction
from tests.test_lookups import PERSON, mark


def test_every_change_to_a_role_or_a_closure_leaves_a_new_mark(db: Database) -> None:
    marks = [mark(db)]
    with db.session() as session:
        session.add(StaffRole(user_id=PERSON, role=Role.coordinator, updated_by="U0ADM"))
    marks.append(mark(db))
    with db.session() as session:
        row = session.get(StaffRole, PERSON)
        assert row is not None
        row.role = Role.admin
    marks.append(mark(db))
    with db.session() as session:
        session.execute(text("DELETE FROM staff_role"))
    marks.append(mark(db))
    with db.session() as session:
        session.add(OfficeClosure(day=date(2026, 12, 24), reason="Holiday party", closed_by="U0ADM"))
    marks.append(mark(db))
    with db.session() as session:
        session.execute(text("UPDATE office_closure SET reason = 'Party'"))
    marks.append(mark(db))
    assert len(set(marks)) == len(marks), marks


def test_every_followed_table_has_its_triggers(db: Database) -> None:
    """A table rebuilt by a later SQLite migration (alembic's batch mode) loses its triggers: then nothing
    would mark its changes and a worker would remember for good. Each change has its trigger: SQLite's
    are one for each of insert, update and delete; PostgreSQL's one for all three and one for TRUNCATE."""
    found = (
        "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'"
        if db.dialect == "sqlite"
        else "SELECT event_object_table, trigger_name || '_' || lower(event_manipulation) "
        "FROM information_schema.triggers WHERE event_object_schema = current_schema()"
    )
    with db.engine.connect() as conn:
        triggers = {tuple(row) for row in conn.execute(text(found))}
    wanted = {
        (
            table,
            f"{table}_{change}_lookups_changed"
            if db.dialect == "sqlite"
            else f"{table}_lookups_changed_{change}",
        )
        for table in lookups.FOLLOWED
        for change in ("insert", "update", "delete")
    }
    assert wanted <= triggers, sorted(wanted - triggers)
    if db.dialect == "postgresql":  # and its mark set at the commit (migration 0023), TRUNCATE's at once
        with db.engine.connect() as conn:
            deferred = dict(conn.execute(text(DEFERRED)).tuples().all())
        assert deferred == {
            **{f"{table}_lookups_changed": True for table in lookups.FOLLOWED},
            **{f"{table}_lookups_truncated": False for table in lookups.FOLLOWED},
        }, deferred


DEFERRED = """
SELECT tgname, tgdeferrable AND tginitdeferred FROM pg_trigger
WHERE tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace = current_schema()::regnamespace)
  AND tgname LIKE '%lookups%'
"""


def test_a_migration_of_the_directory_leaves_a_new_mark(db_url: str) -> None:
    """A worker that stays up while the schema is migrated (another instance runs it) forgets what it
    remembered: the directory may have changed while no trigger was on its tables."""
    fresh = Database(db_url)
    try:
        fresh.upgrade("0021")
        marks = [mark(fresh)]
        fresh.upgrade()
        marks.append(mark(fresh))
        with fresh.engine.begin() as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            command.downgrade(config, "0021")
        marks.append(mark(fresh))
        assert len(set(marks)) == 3, marks
    finally:
        fresh.dispose()


def test_directory_writes_that_meet_on_one_row_wait_and_do_not_deadlock(tmp_path: Path) -> None:
    """On PostgreSQL the mark is set as a write commits (a deferred trigger), not at the write, so two
    transactions writing the directory wait on each other only for the rows they share: writes meeting on
    one row in opposite orders (an import beside a `partner edit`) wait, and do not deadlock. Before,
    the second writer waited on the first's mark while holding a row the first was about to write."""
    with database_url("postgresql", tmp_path) as url:
        db = Database(url)
        db.upgrade()
        with db.session() as session:
            session.add_all(Partner(handle=h, name=h, kind=PartnerKind.legal_aid, contacts=[]) for h in "ab")
        before = mark(db)
        first, second = Transaction(db), Transaction(db)
        try:
            first.step(EDIT, {"name": "first", "handle": "a"})
            second.step(EDIT, {"name": "second", "handle": "b"})  # before: waited on the first's mark
            first.step(EDIT, {"name": "first", "handle": "b"})  # b is the second's until it commits
            second.commit()
            first.commit()
            assert (second.finish(), first.finish()) == (None, None)
            with db.engine.connect() as conn:
                names = dict(conn.execute(text("SELECT handle, name FROM partner")).tuples().all())
            assert names == {"a": "first", "b": "first"}, names
            after = mark(db)
            assert after != before
            with db.engine.begin() as conn:  # TRUNCATE has no deferred trigger: its own, at once
                conn.execute(text("TRUNCATE channel_link"))
            assert mark(db) != after
        finally:
            first.finish()
            second.finish()
            db.dispose()


EDIT = "UPDATE partner SET name = :name WHERE handle = :handle"
NOTHING = "so nothing was saved. Please try again."


def test_writers_of_the_same_partners_in_opposite_orders_one_is_told_nothing_was_saved(
    tmp_path: Path,
) -> None:
    """The data's own cycle still deadlocks: PostgreSQL rolls one writer back, and that person is told
    someone changed the same records meanwhile (not that the database cannot be reached); the other's
    change is saved whole."""
    with database_url("postgresql", tmp_path) as url:
        db = Database(url)
        db.upgrade()
        with db.session() as session:
            session.add_all(Partner(handle=h, name=h, kind=PartnerKind.legal_aid, contacts=[]) for h in "ab")
        both_hold_one = threading.Barrier(2, timeout=30)
        outcomes: dict[str, str] = {}

        def write(order: str) -> None:
            try:
                with db.session() as session:
                    for n, handle in enumerate(order):
                        session.execute(text(EDIT), {"name": order, "handle": handle})
                        if n == 0:
                            both_hold_one.wait()
                outcomes[order] = "saved"
            except ChangedMeanwhile as error:
                outcomes[order] = errors.user_message(error)

        writers = [threading.Thread(target=write, args=(order,)) for order in ("ab", "ba")]
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join(timeout=30)
        try:
            told = sorted(outcomes.values())
            assert told == [f"Someone changed the same records at the same moment, {NOTHING}", "saved"], (
                outcomes
            )
            saved = next(order for order, outcome in outcomes.items() if outcome == "saved")
            with db.engine.connect() as conn:
                names = set(conn.execute(text("SELECT name FROM partner")).scalars())
            assert names == {saved}, "the one saved is saved whole, the other not at all"
        finally:
            db.dispose()


def test_a_transaction_sets_the_mark_once_however_many_rows_it_writes(tmp_path: Path) -> None:
    """Row by row, the mark would be set again for every row (a statement changing 40,000 took 12 s to
    commit): set once, the rows after the first leave it alone. Fired at once here, to count it."""
    with database_url("postgresql", tmp_path) as url:
        db = Database(url)
        db.upgrade()
        try:
            with db.session() as session:
                session.add_all(
                    Partner(handle=f"p{n}", name="p", kind=PartnerKind.legal_aid, contacts=[])
                    for n in range(30)
                )
            before = mark(db)
            with db.engine.begin() as conn:
                conn.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
                # The count may hold earlier transactions' not yet reported: what this one adds to it.
                earlier = conn.execute(text(MARKS_WRITTEN)).scalar_one()
                conn.execute(text("UPDATE partner SET name = 'q'"))
                conn.execute(text("DELETE FROM partner WHERE handle LIKE 'p1%'"))
                updated = conn.execute(text(MARKS_WRITTEN)).scalar_one() - earlier
            assert updated == 1
            assert mark(db) != before
        finally:
            db.dispose()


MARKS_WRITTEN = (
    "SELECT n_tup_upd FROM pg_stat_xact_user_tables "
    "WHERE relname = 'lookup_generation' AND schemaname = current_schema()"
)


def test_a_commit_waits_for_the_mark_a_bounded_time_and_then_saves_nothing(tmp_path: Path) -> None:
    """PostgreSQL gives a commit's own work no statement timeout. A writer whose commit waits for the mark
    held by another (a long import committing, an open TRUNCATE) gives up after the function's lock
    timeout: told the database is busy, and its change is not saved. Without that bound the watchdog cut
    the connection after 10 s, the person was told nothing was saved, and the change then committed."""
    with database_url("postgresql", tmp_path) as url:
        db = Database(url)
        db.upgrade()
        holder = db.engine.connect()
        try:
            with db.session() as session:
                session.add(Partner(handle="a", name="a", kind=PartnerKind.legal_aid, contacts=[]))
            holder.execute(text("UPDATE lookup_generation SET value = value + 1"))  # held until it ends
            with pytest.raises(DatabaseBusy) as told, db.session() as session:
                session.execute(text(EDIT), {"name": "edited", "handle": "a"})
            assert type(told.value) is DatabaseBusy
            holder.rollback()
            with db.engine.connect() as conn:
                assert conn.execute(text("SELECT name FROM partner")).scalar_one() == "a"
        finally:
            holder.close()
            db.dispose()


def test_a_migration_may_alter_a_table_it_has_written(tmp_path: Path) -> None:
    """Migrations run in one transaction, where the deferred triggers fire at each statement (MIGRATING):
    PostgreSQL refuses to alter a table with trigger events pending, as a migration that fills a column
    and then makes it NOT NULL would."""
    with database_url("postgresql", tmp_path) as url:
        db = Database(url)
        db.upgrade()
        try:
            with db.session() as session:
                session.add(Partner(handle="a", name="a", kind=PartnerKind.legal_aid, contacts=[]))
            fill_then_alter = (
                "UPDATE partner SET mou_ref = 'MOU-1'",
                "ALTER TABLE partner ALTER mou_ref SET NOT NULL",
            )
            with pytest.raises(DBAPIError, match="pending trigger events"), db.engine.begin() as conn:
                for statement in fill_then_alter:
                    conn.execute(text(statement))
            with db.engine.begin() as conn:  # as Database.upgrade runs the migrations
                for statement in (*MIGRATING, *fill_then_alter):
                    conn.execute(text(statement))
        finally:
            db.dispose()
