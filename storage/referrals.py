"""Referrals: what only a referral has (its need and priority). Everything else is shared with the other
item kinds: storage/items.py."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from storage import items
from storage.errors import InvalidInput
from storage.identifiers import Detector
from storage.items import Opening
from storage.models import Priority, Referral
from storage.people import Person
from storage.permissions import Place

# Needs are categories (housing, mental-health): letters only, so no number (case, SSN, phone) rides along.
NEED = re.compile(r"^[a-z][a-z_-]{0,39}$")


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
    referral = items.open_item(
        session,
        person,
        items.REFERRALS,
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
