"""Card claims on SQLite and PostgreSQL: only the claim's holder attaches, young claims are left to their
sender, a card not posted closes its referral without deleting it, and nothing moves until it is posted."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage import cards, moves, partners
from storage.audit import Actor
from storage.clock import REAL
from storage.db import Database
from storage.directory import parse_fields
from storage.errors import Conflict
from storage.identifiers import Detector
from storage.item_tables import Referral, ReferralStatus
from storage.moves import Move
from storage.people import identify
from tests.kinds import KINDS, SCOPES

ADMIN = Actor("U0ADM", "T0HOME")


def _referral(db: Database, claimed_ago: timedelta = timedelta()) -> Referral:
    with db.session() as session:
        partner = partners.for_team(session, "T0LEGAL") or partners.add(
            session,
            ADMIN,
            "legal-aid",
            parse_fields([("name", "Legal Aid Society"), ("kind", "legal_aid"), ("team", "T0LEGAL")], SCOPES),
        )
        referral = Referral(
            partner_id=partner.id,
            need="housing",
            details="Details.",
            requester_id="U0DEF",
            due_at=REAL() + timedelta(days=2),
            channel_id="C0LEGAL",
            card_ts=cards.new_claim(REAL() - claimed_ago),
        )
        session.add(referral)
    return referral


def test_only_the_claims_holder_attaches_its_card(db: Database) -> None:
    mine = _referral(db, claimed_ago=timedelta(minutes=10))
    with db.session() as session:
        (theirs,) = cards.claim_unposted(session, Referral, REAL() - timedelta(minutes=5))
    assert theirs.card_ts != mine.card_ts
    with db.session() as session:
        assert cards.attach(session, mine, "1700000000.000100") is False, "the claim was taken over"
        assert cards.attach(session, theirs, "1700000000.000200") is True
    with db.session() as session:
        assert session.get(Referral, mine.id).card_ts == "1700000000.000200"


def test_a_young_claim_is_left_to_its_sender(db: Database) -> None:
    _referral(db)
    with db.session() as session:
        assert cards.claim_unposted(session, Referral, REAL() - timedelta(minutes=5)) == []


def test_a_card_not_posted_closes_its_referral_and_keeps_it(db: Database) -> None:
    referral = _referral(db)
    with db.session() as session:
        assert moves.withdraw_unposted(session, ADMIN, referral, "not_in_channel") is True
    with db.session() as session:
        kept = session.get(Referral, referral.id)
        assert kept is not None and kept.status == ReferralStatus.entered_in_error and kept.card_ts is None
        assert [e.note for e in moves.history(session, kept)] == ["card not posted: not_in_channel"]
    assert _referral(db).id != referral.id, "a withdrawn referral's ID is never given to another"


def test_nothing_moves_while_the_card_is_being_posted(db: Database) -> None:
    referral = _referral(db)
    with pytest.raises(Conflict, match="card is still being posted"), db.session() as session:
        requester = identify(session, Actor("U0DEF", "T0HOME"), "T0HOME", set())
        moves.move(
            session,
            KINDS,
            requester,
            Move(referral.ref, ReferralStatus.requested, ReferralStatus.cancelled),
            Detector(),
            REAL().date(),
        )
