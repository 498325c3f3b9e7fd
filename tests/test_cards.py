"""Card claims on SQLite and PostgreSQL: only the claim's holder attaches, young claims are left to their
sender, a card not posted closes its referral without deleting it, and nothing moves until it is posted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from storage import audit, cards, moves, partners
from storage.audit import Actor
from storage.clock import REAL
from storage.db import Database
from storage.directory import parse_fields
from storage.errors import Conflict
from storage.identifiers import Detector
from storage.item_tables import Referral, ReferralStatus
from storage.models import ItemEvent
from storage.moves import Move
from storage.people import identify
from storage.wording import CLOSE, OPEN, as_words, command
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


def test_an_unposted_items_note_keeps_what_a_refusal_said_in_words(db: Database) -> None:
    """A refusal's reason may name a command to type (storage/wording.py marks it); what is stored is
    the words a person reads, never the marks, however long the reason."""
    referral = _referral(db)
    named = "Legal Aid Society of the Greater Metropolitan Denver Region and Its Surrounding Counties"
    why = f"{named} is inactive; an admin can reactivate it with {command('liaison partner edit legal-aid')}."
    with db.session() as session:
        assert moves.withdraw_unposted(session, ADMIN, referral, f"refused on retry: {why}")
    with db.session() as session:
        (event,) = session.exec(select(ItemEvent).where(ItemEvent.item == referral.ref)).all()
        (entry,) = audit.search(session, subjects=[referral.ref], page=1, size=5).entries
    for stored in (event.note or "", entry.reason or ""):
        assert OPEN not in stored and CLOSE not in stored, stored
        assert stored.startswith(f"card not posted: refused on retry: {named} is inactive"), stored
    assert "`/liaison partner edit legal-aid`" in (event.note or "")


def test_stored_words_name_commands_as_people_type_them() -> None:
    assert as_words(f"ask an admin: {command('liaison role @person admin')}") == (
        "ask an admin: `/liaison role @person admin`"
    )
