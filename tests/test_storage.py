"""Storage on SQLite and PostgreSQL alike: migrations, UTC timestamps, the append-only audit log."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from storage import audit, roles
from storage.audit import Actor
from storage.db import Database
from storage.errors import DatabaseUnavailable
from storage.library_search import FULL_TEXT_OBJECTS
from storage.models import Decision, Role, StaffRole
from storage.tables import METADATA


def _product_tables(_object: object, name: str | None, type_: str, _reflected: bool, _other: object) -> bool:
    # Tests may declare their own tables (tests/test_note_kind.py's "test_note"); migrations never make them.
    # The library's full-text index is the database's own (migration 0014), outside the models.
    if name in FULL_TEXT_OBJECTS or (type_ == "table" and (name or "").startswith("resource_fts")):
        return False
    return not (type_ == "table" and (name or "").startswith("test_"))


def test_migrations_create_exactly_the_tables_the_models_describe(db: Database) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": _product_tables})
        differences = compare_metadata(context, METADATA)
    assert differences == []


def test_upgrade_twice_is_harmless_and_reports_the_newest_revision(db: Database) -> None:
    db.upgrade()
    current, head = db.revisions()
    assert current == head is not None


def test_timestamps_come_back_timezone_aware_in_utc(db: Database) -> None:
    eastern = timezone(timedelta(hours=-5))
    typed = datetime(2026, 12, 4, 17, 0, tzinfo=eastern)
    with db.session() as session:
        session.add(StaffRole(user_id="U1", role=Role.coordinator, updated_at=typed, updated_by="U0"))
    with db.session() as session:
        stored = session.get(StaffRole, "U1")
        assert stored is not None
        assert stored.updated_at == typed
        assert stored.updated_at.tzinfo is not None and stored.updated_at.utcoffset() == timedelta(0)
        assert stored.updated_at.hour == 22


def test_a_naive_timestamp_is_refused_rather_than_guessed(db: Database) -> None:
    with pytest.raises(Exception, match="naive datetime"), db.session() as session:
        session.add(
            StaffRole(user_id="U2", role=Role.admin, updated_at=datetime(2026, 1, 1), updated_by="U0")
        )
    with db.session() as session:
        assert session.get(StaffRole, "U2") is None


def test_audit_rows_are_written_with_the_change_and_read_newest_first(db: Database) -> None:
    partner_user = Actor(user_id="U0LAS", team_id="T0LEGAL")
    with db.session() as session:
        audit.record(session, partner_user, "referral.accept", subject="R-1", channel_id="C1")
        audit.record(
            session,
            partner_user,
            "referral.complete",
            subject="R-1",
            decision=Decision.denied,
            reason="R-1 is cancelled",
        )
    with db.session() as session:
        rows = audit.entries(session, subject="R-1")
    assert [(r.action, r.decision, r.actor_team_id) for r in rows] == [
        ("referral.complete", Decision.denied, "T0LEGAL"),
        ("referral.accept", Decision.done, "T0LEGAL"),
    ]
    assert all(r.at.tzinfo == UTC for r in rows)


def test_an_audit_row_is_rolled_back_with_a_failed_change(db: Database) -> None:
    with pytest.raises(RuntimeError), db.session() as session:
        audit.record(session, audit.SYSTEM, "something", subject="X-1")
        raise RuntimeError("the change failed after the audit row was added")
    with db.session() as session:
        assert audit.entries(session, subject="X-1") == []


def test_audit_rows_are_written_as_their_unit_of_work_commits_whatever_happens_between(db: Database) -> None:
    """Rows are written together at the commit: a flush or a read in between keeps them, a rollback drops
    only its own transaction's, and a session that commits twice writes each row once."""
    with db.session() as session:
        audit.record(session, audit.SYSTEM, "first", subject="X-2")
        session.add(StaffRole(user_id="U3", role=Role.coordinator, updated_by="U0"))
        session.flush()
        assert roles.role_of(session, "U3", ()) == Role.coordinator
        audit.record(session, audit.SYSTEM, "second", subject="X-2")
        session.commit()
        audit.record(session, audit.SYSTEM, "dropped", subject="X-2")
        session.rollback()
        audit.record(session, audit.SYSTEM, "third", subject="X-2")
    with db.session() as session:
        rows = audit.entries(session, subject="X-2")
    assert [r.action for r in rows] == ["third", "second", "first"]


def test_a_pooled_connection_the_server_dropped_a_moment_ago_is_replaced_not_used(db: Database) -> None:
    """A connection given back less than a second ago is not pinged before its next use, unless the server
    has sent it something since: a dropped one has (its goodbye), and the pool reconnects."""
    if db.dialect != "postgresql":
        pytest.skip("a server connection: PostgreSQL's")
    with db.session() as session:
        backend = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    killer = Database(db.url)  # another pool: this one's only connection is the one to drop
    try:
        with killer.session() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        gone = "SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with killer.session() as other:
                if not other.execute(text(gone), {"pid": backend}).scalar_one():
                    break
            time.sleep(0.01)
    finally:
        killer.dispose()
    with db.session() as session:  # not DatabaseUnavailable: "nothing was saved" would be untrue here
        assert session.execute(text("SELECT pg_backend_pid()")).scalar_one() != backend


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET action = 'rewritten'", "DELETE FROM audit_log"])
def test_the_database_itself_refuses_to_change_or_delete_audit_rows(db: Database, statement: str) -> None:
    with db.session() as session:
        audit.record(session, audit.SYSTEM, "kept")
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
        conn.execute(text(statement))
    with db.session() as session:
        assert [row.action for row in session.exec(text("SELECT action FROM audit_log"))] == ["kept"]


def test_roles_default_to_defender_and_configured_admins_always_win(db: Database) -> None:
    with db.session() as session:
        session.add(StaffRole(user_id="U0COORD", role=Role.coordinator, updated_by="U0ADM"))
        session.add(StaffRole(user_id="U0ADM", role=Role.defender, updated_by="U0ADM"))
    with db.session() as session:
        assert roles.role_of(session, "U0NEW", set()) == Role.defender
        assert roles.role_of(session, "U0COORD", set()) == Role.coordinator
        assert roles.role_of(session, "U0ADM", {"U0ADM"}) == Role.admin


def test_an_unreachable_database_raises_a_readable_error_and_ping_says_so() -> None:
    dead = Database("postgresql+psycopg://postgres@127.0.0.1:1/test")
    assert dead.ping() is False
    with pytest.raises(DatabaseUnavailable) as caught, dead.session() as session:
        session.exec(text("SELECT 1"))
    assert "nothing was saved" in caught.value.message
    assert caught.value.where == "postgresql+psycopg://postgres@127.0.0.1:1/test"


def test_an_in_memory_database_can_be_made_and_answers() -> None:
    """The bench's bare app serves /healthz from one: its pool (one connection per thread) takes no wait."""
    memory = Database("sqlite://")
    try:
        assert memory.ping()
    finally:
        memory.dispose()
