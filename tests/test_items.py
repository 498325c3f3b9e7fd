"""The item layer every kind shares, on SQLite and PostgreSQL: a consult is answered only by its own
partner's staff, once, and again after it is reopened; the rules of each state machine; the migration
that moved referral history into the shared history table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from storage import advocacy, cards, moves, partners, threads
from storage.audit import Actor
from storage.clock import REAL
from storage.consult_states import CONSULT
from storage.db import Database
from storage.directory import parse_fields
from storage.errors import Conflict
from storage.identifiers import Detector
from storage.item_tables import Advocacy, AdvocacyStatus, Consult, ConsultStatus
from storage.item_tables import ConsultStatus as C
from storage.item_tables import ReferralStatus as R
from storage.people import identify
from storage.referral_states import REFERRAL
from storage.states import Side
from tests.kinds import KINDS, SCOPES

ADMIN = Actor("U0ADM", "T0HOME")
REQUESTER = Actor("U0DEF", "T0HOME")
CIVIL = Actor("U0CRO", "T0CIVIL")
LEGAL = Actor("U0LAS", "T0LEGAL")
CHANNEL = "C0CIVIL"
TODAY = REAL().date()


def _consult(db: Database) -> Consult:
    with db.session() as session:
        for handle, team in (("civil-rights", "T0CIVIL"), ("legal-aid", "T0LEGAL")):
            if partners.for_team(session, team) is None:
                partners.add(
                    session,
                    ADMIN,
                    handle,
                    parse_fields([("name", handle), ("kind", "other"), ("team", team)], SCOPES),
                )
        civil = partners.for_team(session, "T0CIVIL")
        assert civil is not None
        consult = Consult(
            partner_id=civil.id,
            question="Any rulings?",
            due_at=REAL() + timedelta(days=3),
            requester_id=REQUESTER.user_id,
            channel_id=CHANNEL,
            card_ts=cards.new_claim(),
        )
        session.add(consult)
        session.flush()
        assert cards.attach(session, consult, f"1790000000.{consult.id:06d}")
    return consult


def _reply(db: Database, consult: Consult, actor: Actor, ts: str, at: datetime) -> threads.Recorded | None:
    assert consult.card_ts is not None
    with db.session() as session:
        return threads.record_reply(
            session, KINDS, CHANNEL, consult.card_ts, ts, actor.user_id, actor.team_id, "text", at
        )


def _status(db: Database, consult: Consult) -> str:
    with db.session() as session:
        stored = session.get(Consult, consult.id)
        assert stored is not None
        return stored.status


def test_only_the_addressed_partners_reply_answers_a_consult_and_only_once(db: Database) -> None:
    consult = _consult(db)
    at = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    for actor, ts in ((REQUESTER, "1.1"), (LEGAL, "1.2"), (Actor("U0STR", "T0STRANGER"), "1.3")):
        recorded = _reply(db, consult, actor, ts, at)
        assert recorded is not None and not recorded.answered
    assert _status(db, consult) == ConsultStatus.open
    answer = _reply(db, consult, CIVIL, "1.4", at + timedelta(minutes=5))
    assert answer is not None and answer.answered and answer.from_partner
    assert _reply(db, consult, CIVIL, "1.4", at) is None, "a redelivered reply is kept once"
    later = _reply(db, consult, CIVIL, "1.5", at + timedelta(minutes=9))
    assert later is not None and not later.answered
    with db.session() as session:
        stored = session.get(Consult, consult.id)
        assert stored is not None and stored.status == ConsultStatus.answered
        assert stored.first_response_at == at + timedelta(minutes=5)
        assert [(e.from_status, e.to_status, e.actor_team_id) for e in moves.history(session, stored)] == [
            ("open", "answered", "T0CIVIL")
        ]
        assert threads.summary(session, consult.ref) == threads.Summary(5, at + timedelta(minutes=9))


def test_a_reopened_consult_is_answered_again_by_the_partners_next_reply(db: Database) -> None:
    consult = _consult(db)
    with db.session() as session:
        requester = identify(session, REQUESTER, "T0HOME", set())
        moves.move(
            session,
            KINDS,
            requester,
            moves.Move(consult.ref, C.open, C.resolved, note="Thanks."),
            Detector(),
            TODAY,
        )
    with db.session() as session:
        moves.move(
            session,
            KINDS,
            identify(session, REQUESTER, "T0HOME", set()),
            moves.Move(consult.ref, C.resolved, C.open),
            Detector(),
            TODAY,
        )
    recorded = _reply(db, consult, CIVIL, "2.1", REAL())
    assert recorded is not None and recorded.answered
    assert _status(db, consult) == ConsultStatus.answered


def test_two_moves_from_the_same_status_exactly_one_wins(db: Database) -> None:
    consult = _consult(db)
    with db.session() as session:
        requester = identify(session, REQUESTER, "T0HOME", set())
        moves.move(session, KINDS, requester, moves.Move(consult.ref, C.open, C.withdrawn), Detector(), TODAY)
    with pytest.raises(Conflict, match="withdrawn now, so it can't become resolved"), db.session() as session:
        moves.move(
            session,
            KINDS,
            identify(session, REQUESTER, "T0HOME", set()),
            moves.Move(consult.ref, C.open, C.resolved),
            Detector(),
            TODAY,
        )


def test_each_machine_says_who_may_do_what() -> None:
    assert CONSULT.next_moves(C.open, [Side.requester]) == [C.resolved]
    assert CONSULT.next_moves(C.open, [Side.partner]) == [], (
        "a consult is answered in its thread, not by a button"
    )
    assert CONSULT.next_moves(C.resolved) == [C.open]
    assert CONSULT.next_moves(C.withdrawn) == []
    assert not CONSULT.can_move(C.answered, C.open)
    assert REFERRAL.can_move(R.completed, R.entered_in_error) and not REFERRAL.can_move(
        R.completed, R.accepted
    )
    assert REFERRAL.button(R.on_hold, R.in_progress) == ("Resume", None)


OLD_ROWS = (
    "INSERT INTO partner (id, handle, name, kind, services, contact_channels, contacts, scope, "
    "identifying_allowed, status, on_slack, created_at, updated_at) "
    "VALUES (1, 'p', 'P', 'other', '[]', '[]', '[]', '[]', false, 'active', true, :t, :t)",
    "INSERT INTO referral (id, partner_id, need, details, priority, due_at, status, requester_id, "
    "channel_id, card_ts, created_at, updated_at) "
    "VALUES (12, 1, 'housing', 'd', 'routine', :t, 'accepted', 'U0DEF', 'C1', '1.1', :t, :t)",
    "INSERT INTO referral_event (referral_id, at, actor_user_id, actor_team_id, from_status, to_status, "
    "note) "
    "VALUES (12, :t, 'U0LAS', 'T0LEGAL', 'requested', 'accepted', 'ok')",
)


def test_the_migration_keeps_referral_history_in_the_shared_table(db_url: str) -> None:
    database = Database(db_url)
    try:
        database.upgrade("0004")
        with database.engine.begin() as conn:
            for statement in OLD_ROWS:
                conn.execute(text(statement), {"t": "2026-11-24 12:00:00+00:00"})
        database.upgrade()
        with database.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT item, actor_user_id, from_status, to_status, note FROM item_event")
            )
            assert [tuple(row) for row in rows] == [("R-12", "U0LAS", "requested", "accepted", "ok")]
    finally:
        database.dispose()


def test_campaign_counts_overdue_only_what_is_still_open() -> None:
    now = datetime(2026, 12, 20, 12, 0, tzinfo=UTC)
    past, future = now - timedelta(days=1), now + timedelta(days=1)

    def action(campaign: str | None, status: AdvocacyStatus, due_at: datetime) -> Advocacy:
        return Advocacy(
            title="t", campaign=campaign, status=status, due_at=due_at, requester_id="U", channel_id="C"
        )

    found = advocacy.campaigns(
        [
            action("bail-reform", AdvocacyStatus.open, past),
            action("bail-reform", AdvocacyStatus.open, future),
            action("bail-reform", AdvocacyStatus.done, past),
            action("bail-reform", AdvocacyStatus.dropped, past),
            action(None, AdvocacyStatus.open, future),
        ],
        now,
    )
    assert found == [
        advocacy.Campaign("bail-reform", open=2, overdue=1, done=1, dropped=1),
        advocacy.Campaign("", open=1, overdue=0, done=0, dropped=0),
    ]


def test_do_not_post_names_never_go_even_with_consent(db: Database) -> None:
    from storage import disclosure
    from storage.directory import parse_fields
    from storage.errors import PermissionDenied

    detector = Detector(None, ["Maria Ortiz"])
    with db.session() as session:
        partner = partners.add(
            session,
            ADMIN,
            "legal-aid",
            parse_fields(
                [("name", "Legal Aid"), ("kind", "other"), ("team", "T0LEGAL"), ("identifying", "yes")],
                SCOPES,
            ),
        )
        me = identify(session, REQUESTER, "T0HOME", set())
        with pytest.raises(PermissionDenied, match="a name on the do-not-post list"):
            disclosure.screen(
                session,
                detector,
                me,
                "Maria Ortiz, DOB 1/2/1990",
                partner,
                "C1",
                TODAY,
                kind="referral",
                case_number="24-CR-1",
                consent=True,
            )
        disclosure.screen(
            session,
            detector,
            me,
            "DOB 1/2/1990",
            partner,
            "C1",
            TODAY,
            kind="referral",
            case_number="24-CR-1",
            consent=True,
        )


def test_exported_cells_never_run_as_formulas() -> None:
    from storage.exports import as_csv

    assert as_csv([["=cmd|' /C calc'!A0", "R-1", "@SUM(1)"]]).strip() == "'=cmd|' /C calc'!A0,R-1,'@SUM(1)"
