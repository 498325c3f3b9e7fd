"""Referrals: what only a referral has (its need and priority). Everything else is shared with the other
item kinds: storage/items.py."""

from __future__ import annotations

import re
from datetime import date

from sqlmodel import Session

from storage import items
from storage.errors import InvalidInput
from storage.items import Opening
from storage.models import Priority, Referral
from storage.people import Person
from storage.permissions import Place

# Needs are categories (housing, mental-health): letters only, so no number (case, SSN, phone) rides along.
NEED = re.compile(r"^[a-z][a-z_-]{0,39}$")


def open_referral(
    session: Session, person: Person, new: Opening, need: str, priority: Priority, place: Place, today: date
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
        summary=f"need {need}",
        need=need,
        details=new.text,
        priority=priority,
    )
    assert isinstance(referral, Referral)
    return referral
