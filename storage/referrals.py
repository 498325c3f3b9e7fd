"""Referrals: a client's need referred to a partner, followed to an outcome. What only a referral has (its
need, its priority, its flags) and its kind (`KIND`); what every kind shares is in storage/items.py,
storage/opening.py and storage/moves.py, its state machine in storage/referral_states.py."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from storage import items, moves, opening, partners
from storage.errors import InvalidInput
from storage.identifiers import Detector
from storage.item_tables import ItemBase, Priority, Referral, ReferralStatus
from storage.kinds import DigestList, Exported, ItemKind, at, own
from storage.opening import Opening
from storage.people import Person
from storage.permissions import Place
from storage.referral_states import REFERRAL

# Needs are categories (housing, mental-health): letters only, so no number (case, SSN, phone) rides along.
NEED = re.compile(r"^[a-z][a-z_-]{0,39}$")


def _last_mover(session: Session, item: ItemBase) -> list[str]:
    """Whom a referral's reminder names: whoever at the partner last moved it, else its contacts."""
    partner = items.addressee(session, item)
    teams = set(partners.teams_of(session, partner))
    moved = [e for e in moves.history(session, item) if e.actor_team_id in teams]
    return [moved[-1].actor_user_id] if moved else list(partner.contacts)


KIND = ItemKind(
    name="referral",
    prefix="R",
    model=Referral,
    statuses=ReferralStatus,
    machine=REFERRAL,
    text_column="details",
    text_name="details",
    noun="referral",
    plural="referrals",
    must_act=_last_mover,
    purged=("details",),
    exported=(
        Exported("partner", lambda r, handles: handles[r.addressee_id() or 0]),
        Exported("need", own("need")),
        Exported("priority", own("priority")),
        Exported("first_response_at", lambda r, _h: at(r.first_response())),
    ),
    digest=(
        DigestList(
            "unanswered_referrals",  # requested more than two business days ago, not yet accepted
            lambda item, at: item.status == ReferralStatus.requested and item.created_at < at.waiting_since,
        ),
    ),
)


@dataclass(frozen=True)
class Flags:
    do_not_contact: bool = False  # the partner must not contact the client directly
    part2: bool = False  # derived from substance-use treatment records (42 CFR Part 2)


def open_referral(
    session: Session,
    person: Person,
    new: Opening,
    need: str,
    priority: Priority,
    place: Place,
    today: date,
    detector: Detector,
    flags: Flags = Flags(),
) -> Referral:
    """Check and store a referral; the caller posts its card (storage/cards.py)."""
    if not NEED.match(need):
        raise InvalidInput(
            f"`need:{need}` must be a category in letters, like `housing` or `mental-health`, at most 40 "
            "characters.",
            "need",
        )
    referral = opening.open_item(
        session,
        person,
        KIND,
        new,
        place,
        today,
        detector=detector,
        summary=f"need {need}",
        shown={"need": need},
        need=need,
        details=new.text,
        priority=priority,
        do_not_contact=flags.do_not_contact,
        part2=flags.part2,
    )
    assert isinstance(referral, Referral)
    return referral
