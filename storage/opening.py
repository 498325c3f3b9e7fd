"""Creating items, whatever their kind: what every new item carries, the checks before it is stored
(who may send what where, its text screened), and storing it with a claim on its card (storage/cards.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from storage import audit, cards, disclosure, work
from storage.errors import InvalidInput
from storage.identifiers import Detector
from storage.item_tables import ItemBase
from storage.kinds import AnyKind
from storage.models import Partner
from storage.people import Person
from storage.permissions import Action, Place, record_allowed, require

CASE_LIMIT = 64  # the office's case number, as the column holds it
TEXT_LIMIT = 2500  # a card's details or question: leaves room within Slack's 3,000-character section
# Liaison hides an item's case number wherever it appears in what goes out, so a number as short as `00`
# or `12` would be hidden inside times and dates and garble them (`22:00` read as `22:▇▇▇`).
CASE_SHORTEST = 5  # letters and digits


def case_number_problem(case_number: str) -> str | None:
    """Why `case_number` cannot be an item's case number, in words for the person, or None."""
    if len(case_number) > CASE_LIMIT:
        return f"A case number has at most {CASE_LIMIT} characters."
    alphanumerics = [c for c in case_number if c.isalnum()]
    if len(alphanumerics) < CASE_SHORTEST or not any(c.isdigit() for c in alphanumerics):
        return (
            f"A case number has at least {CASE_SHORTEST} letters and digits, one of them a digit, "
            "like 24-CR-0113: Liaison hides it wherever it appears, and a shorter one would hide "
            "parts of dates and times."
        )
    return None


@dataclass(frozen=True)
class Opening:
    """What every new item carries, whatever its kind."""

    partner: Partner
    text: str  # what the partner should know, or the question: it goes on the card
    due_at: datetime
    case_number: str | None  # internal: kept in Liaison, never posted
    consent: bool = False  # the requester confirmed the client agreed to share identifying details
    source_permalink: str | None = None  # the Slack message it was made from (a message shortcut)


def open_item(
    session: Session,
    person: Person,
    kind: AnyKind,
    new: Opening,
    place: Place,
    today: date,
    *,
    detector: Detector,
    summary: str,
    shown: Mapping[str, str] | None = None,
    **columns: object,
) -> ItemBase:
    """Check who may send what where, screen the text, and store the item with a claim on its card; the
    caller posts the card and attaches it (storage/cards.py). `columns` are the kind's own; `shown` are
    its other words the card shows (a referral's need), screened as the text is."""
    require(
        session,
        person,
        Action.create_item,
        subject=new.partner.handle,
        channel_id=place.channel_id,
        partner=new.partner,
        kind=kind,
        place=place,
        today=today,
    )
    what = kind.text_name
    if len(new.text) > TEXT_LIMIT:
        raise InvalidInput(
            f"That is {len(new.text)} characters of {what}; the card holds {TEXT_LIMIT}. "
            "Shorten it and add the rest in the card's thread.",
            what,
        )
    if new.case_number is not None and (problem := case_number_problem(new.case_number)):
        raise InvalidInput(f"`case:{new.case_number[:CASE_LIMIT]}` is not taken. {problem}", "case")
    # Each field alone, and all of them together as the card shows them side by side: a name split
    # between the need and the details (`need:maria` `Ortiz, 41, ...`) is a name all the same.
    fields = [(new.text, what), *((v, k) for k, v in (shown or {}).items())]
    if shown:
        fields.append((" ".join([*shown.values(), new.text]), f"{what} with the {', '.join(shown)}"))
    for words, called in fields:
        disclosure.screen(
            session,
            detector,
            person,
            words,
            new.partner,
            place.channel_id,
            today,
            kind=kind.name,
            case_number=new.case_number,
            consent=new.consent,
            what=called,
            purpose=f"{kind.noun}: {summary}",
        )
    item = store(
        session,
        person,
        kind,
        place,
        new.due_at,
        f"to {new.partner.handle}, {summary}",
        partner_id=new.partner.id,
        case_number=new.case_number,
        source_permalink=new.source_permalink,
        **columns,
    )
    if place.external_teams:
        record_allowed(
            session,
            person,
            Action.create_item,
            subject=item.ref,
            channel_id=place.channel_id,
            reason=f"posted where only {new.partner.name} reads",
        )
    return item


def store(
    session: Session,
    person: Person,
    kind: AnyKind,
    place: Place,
    due_at: datetime,
    summary: str,
    **columns: object,
) -> ItemBase:
    """Store a checked new item with a claim on its card (the caller posts the card and attaches it:
    storage/cards.py), audited as `<kind>.open` with `summary`."""
    item: ItemBase = kind.model(
        card_ts=cards.new_claim(),
        due_at=due_at,
        requester_id=person.user_id,
        channel_id=place.channel_id,
        **columns,
    )
    session.add(item)
    session.flush()
    audit.record(
        session,
        person.actor,
        f"{kind.name}.open",
        subject=item.ref,
        channel_id=place.channel_id,
        reason=summary,
    )
    work.settle(session, item.ref)  # a worker that stops now leaves a command that is not stored twice
    return item
