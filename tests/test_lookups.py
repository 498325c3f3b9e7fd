"""Read-mostly lookups a worker remembers between commands (storage/lookups.py): the database marks every
change to their tables, whoever makes it, and a worker reads the mark with each command it takes; what it
remembered is used only under the same mark."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy import event, text
from sqlmodel import Session

from storage import court_calendar, lookups, partners, roles, work
from storage.court_calendar import OfficeClosure
from storage.db import Database
from storage.models import ChannelLink, Partner, PartnerKind, PartnerTeam, Role, StaffRole

PERSON = "U0SOMEONE"
CORE_INSERT = "INSERT INTO staff_role (user_id, role, updated_at, updated_by) VALUES (:u, 'admin', :t, 'x')"


def mark(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text("SELECT value FROM lookup_generation")).scalar_one())


def taken(db: Database, n: int) -> int | None:
    """The mark a worker's command carries: keep one and take it, as a worker does."""
    work.keep(db, f"key-{n}", "/referral", {"text": "need:housing"}, db.clock())
    kept = work.take(db, db.clock())
    assert kept is not None
    work.done(db, kept)
    return kept.lookups


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def statement(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        seen.append(" ".join(sql.split()))

    event.listen(db.engine, "before_cursor_execute", statement)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", statement)


def role(db: Database) -> Role:
    with db.session() as session:
        return roles.role_of(session, PERSON, ())


def closures(db: Database) -> dict[date, str]:
    with db.session() as session:
        return dict(court_calendar.load(session, "US", db.clock().date()).closures)


def test_a_write_the_command_rolls_back_is_not_remembered(db: Database) -> None:
    generation = taken(db, 1)
    with lookups.as_of(generation):
        with db.session() as session:
            session.execute(text(CORE_INSERT), {"u": PERSON, "t": db.clock()})
            assert roles.role_of(session, PERSON, ()) == Role.admin  # its own change, not yet committed
            session.rollback()
        assert role(db) == Role.defender
    with lookups.as_of(generation):  # the next command under the same mark
        assert role(db) == Role.defender


def test_a_database_put_back_to_an_earlier_mark_is_read_again(db: Database) -> None:
    """As when a backup is restored under a running worker: its data and its mark are the earlier ones."""
    earlier = taken(db, 1)
    with lookups.as_of(earlier):
        assert role(db) == Role.defender
    with db.session() as session:
        session.add(StaffRole(user_id=PERSON, role=Role.admin, updated_by="U0ADM"))
    later = taken(db, 2)
    with lookups.as_of(later):
        assert role(db) == Role.admin
    with db.engine.begin() as conn:  # the backup: no role, and the mark as it was
        conn.execute(text("DELETE FROM staff_role"))
        conn.execute(text("UPDATE lookup_generation SET value = :v"), {"v": earlier})
    with db.session() as session:  # one change since, as before: a count would now be `later` again
        session.add(OfficeClosure(day=date(2026, 12, 24), reason="Holiday party", closed_by="U0ADM"))
    now = taken(db, 3)
    assert now not in (earlier, later)
    with lookups.as_of(now):
        assert role(db) == Role.defender


def test_a_worker_remembers_a_role_until_another_process_changes_it(db: Database, db_url: str) -> None:
    other = Database(db_url)  # another process's engine: its change is counted by the database
    try:
        first = taken(db, 1)
        with lookups.as_of(first), statements(db) as seen:
            assert role(db) == Role.defender
            assert role(db) == Role.defender
        assert sum("staff_role" in s for s in seen) == 1, seen
        assert taken(db, 2) == first, "nothing changed: the same count"

        with other.session() as session:
            session.add(StaffRole(user_id=PERSON, role=Role.coordinator, updated_by="U0ADM"))
        second = taken(db, 3)
        assert second is not None and first is not None and second != first
        with lookups.as_of(second):
            assert role(db) == Role.coordinator
        with lookups.as_of(first):  # a command taken before the change reads it too, not the old
            assert role(db) == Role.coordinator
    finally:
        other.dispose()


def test_a_unit_of_work_sees_the_role_it_sets_itself(db: Database) -> None:
    generation = taken(db, 1)
    with lookups.as_of(generation):
        assert role(db) == Role.defender  # remembered
        with db.session() as session:
            session.add(StaffRole(user_id=PERSON, role=Role.coordinator, updated_by="U0ADM"))
            assert roles.role_of(session, PERSON, ()) == Role.coordinator
            session.flush()
            assert roles.role_of(session, PERSON, ()) == Role.coordinator


def test_a_closure_made_elsewhere_is_seen_by_the_next_command(db: Database, db_url: str) -> None:
    other = Database(db_url)
    try:
        first = taken(db, 1)
        with lookups.as_of(first), statements(db) as seen:
            assert closures(db) == {}
            assert closures(db) == {}
        assert sum("office_closure" in s for s in seen) == 1, seen
        day = db.clock().date()
        with other.session() as session:
            session.add(OfficeClosure(day=day, reason="Burst pipe", closed_by="U0ADM"))
        with lookups.as_of(taken(db, 2)):
            assert closures(db) == {day: "Burst pipe"}
    finally:
        other.dispose()


def test_a_value_read_under_one_mark_is_not_kept_once_another_mark_came(db: Database) -> None:
    """A thread still reading under the old mark when another has moved on to the new one: what it read
    may be the old value, and must not be remembered under the new mark."""
    reading, go = threading.Event(), threading.Event()

    def slowly_read_the_old() -> str:
        reading.set()
        go.wait(timeout=10)
        return "old"

    def under(mark: int, load: Callable[[], str]) -> str:
        with lookups.as_of(mark), db.session() as session:
            return lookups.read(session, "test", "key", load)

    old = threading.Thread(target=under, args=(1, slowly_read_the_old))
    old.start()
    assert reading.wait(timeout=10)
    assert under(2, lambda: "new") == "new"
    go.set()
    old.join(timeout=10)
    assert under(2, lambda: "read again") == "new"


def add_partner(db: Database) -> None:
    with db.session() as session:
        session.add(
            Partner(handle="legal-aid", name="Legal Aid", kind=PartnerKind.legal_aid, contacts=["U1"])
        )
        session.flush()
        session.add(ChannelLink(channel_id="C1", partner_id=id_of_partner(session), linked_by="U0ADM"))
        session.add(PartnerTeam(team_id="T1", partner_id=id_of_partner(session)))


def id_of_partner(session: Session) -> int:
    return int(session.execute(text("SELECT id FROM partner WHERE handle = 'legal-aid'")).scalar_one())


def test_a_remembered_partner_is_a_new_instance_in_each_session_changed_as_any_other(db: Database) -> None:
    """Remembered as column values: each session gets a clean instance of its own, so a change one command
    makes in place (never saved) does not reach the next, and a saved change is an ordinary one."""
    add_partner(db)
    generation = taken(db, 1)
    with lookups.as_of(generation), statements(db) as seen:
        with db.session() as session:
            first = partners.get(session, "legal-aid")
            first.contacts.append("U2")  # in place: not a change SQLAlchemy sees, and never saved
            session.expunge(first)
        with db.session() as session:
            again = partners.get(session, "Legal-Aid")
            assert again is not first and again.contacts == ["U1"] and not session.dirty
            assert [p.handle for p in partners.linked_partners(session, "C1")] == ["legal-aid"]
            assert partners.for_team(session, "T1") is again, "one instance of a partner in a session"
        with db.session() as session:
            assert [p.handle for p in partners.linked_partners(session, "C1")] == ["legal-aid"]
            assert partners.for_team(session, "T1") is not None
    assert sum(" partner" in s or "partner_team" in s for s in seen) == 3, seen
    with lookups.as_of(generation), db.session() as session:
        partners.get(session, "legal-aid").name = "Legal Aid Society"  # saved as the session ends
    later = taken(db, 2)
    assert later != generation
    with lookups.as_of(later), db.session() as session:
        assert partners.get(session, "legal-aid").name == "Legal Aid Society"


def test_a_channel_unlinked_or_a_team_moved_elsewhere_is_seen_by_the_next_command(
    db: Database, db_url: str
) -> None:
    """Who reads a channel decides what may be said in it: a change another process makes to the links
    is in force from the next command a worker takes."""
    add_partner(db)
    other = Database(db_url)
    try:
        with lookups.as_of(taken(db, 1)), db.session() as session:
            assert [p.handle for p in partners.linked_partners(session, "C1")] == ["legal-aid"]
            assert partners.for_team(session, "T1") is not None
        with other.engine.begin() as conn:
            conn.execute(text("DELETE FROM channel_link"))
            conn.execute(text("DELETE FROM partner_team"))
        with lookups.as_of(taken(db, 2)), db.session() as session:
            assert partners.linked_partners(session, "C1") == []
            assert partners.for_team(session, "T1") is None
    finally:
        other.dispose()


def test_who_reads_a_channel_is_decided_on_the_directory_as_it_is_then(db: Database, db_url: str) -> None:
    """A command may wait on Slack between being taken and deciding who reads its channel: a change made
    meanwhile in another process is in force for that decision (storage/lookups.py confirm), and the
    partner the command already holds is read again."""
    add_partner(db)
    other = Database(db_url)
    try:
        with lookups.as_of(taken(db, 1)):
            with db.session() as session:  # the directory remembered
                assert partners.barred(session, "C1", {"T1"}, lambda p: True) == []
            with db.session() as session:
                partner = partners.get(session, "legal-aid")  # from memory
                with other.engine.begin() as conn:
                    conn.execute(text("DELETE FROM partner_team"))
                    conn.execute(text("UPDATE partner SET status = 'inactive'"))
                assert partners.barred(session, "C1", {"T1"}, lambda p: True) is None, "T1 is nobody's now"
                assert partners.barred(session, "C1", set(), lambda p: p.status == "active") == ["Legal Aid"]
                assert partner.status == "inactive"
    finally:
        other.dispose()
