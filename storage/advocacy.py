"""Advocacy action items: what only they have (a title, a campaign, owners in any organization). They hold
no client data, so they may be posted where several organizations read; their text is refused if it looks
identifying. Moves, history and cards are shared with the other kinds: storage/items.py."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast
from sqlmodel import Session, col

from storage import audit, clock, disclosure, items, moves, opening, partners
from storage.advocacy_states import ADVOCACY
from storage.errors import Conflict, InvalidInput
from storage.identifiers import Detector
from storage.item_tables import Advocacy, AdvocacyStatus, ItemBase
from storage.kinds import DigestList, Exported, ItemKind, Kinds, own
from storage.people import Person
from storage.permissions import Action, Place, require
from storage.states import Side
from storage.updates import update_if
from storage.wording import command, person


def _owned_by(person: Person) -> Sequence[Any]:
    # owners is a JSON list of IDs: its text holds "U123" with the quotes
    return (cast(col(Advocacy.owners), String).contains(f'"{person.user_id}"', autoescape=True),)


def _owners(_session: Session, item: ItemBase) -> list[str]:
    return item.owner_ids()


KIND = ItemKind(
    name="advocacy",
    prefix="A",
    model=Advocacy,
    statuses=AdvocacyStatus,
    machine=ADVOCACY,
    text_column="title",
    text_name="title",
    noun="action item",
    plural="advocacy",
    addressed=False,
    involving=_owned_by,
    must_act=_owners,
    purged=("result",),  # its title is never about a client; what came of it may be
    exported=(
        Exported("title", own("title")),
        Exported("campaign", own("campaign")),
        Exported("owners", lambda item, _handles: " ".join(item.owner_ids())),
        Exported("result", own("result")),
    ),
    digest=(
        DigestList(
            "advocacy_this_week",
            lambda item, at: item.status == AdvocacyStatus.open and at.now <= item.due_at <= at.week_end,
        ),
    ),
)
TITLE_LIMIT = 300
MOST_OWNERS = 10
CAMPAIGN = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")  # a tag: bail-reform


@dataclass(frozen=True)
class NewAction:
    title: str
    owner_teams: Mapping[str, str | None]  # owner's user ID -> their Slack team (None: Slack would not say)
    campaign: str | None
    due_at: datetime
    source_permalink: str | None = None  # the Slack message it was made from (a message shortcut)


def open_action(
    session: Session, person: Person, new: NewAction, place: Place, home_team_id: str, detector: Detector
) -> Advocacy:
    """Check and store an action item; the caller posts its card (storage/cards.py)."""
    require(session, person, Action.create_item, channel_id=place.channel_id, kind=KIND)
    title = new.title.strip()
    if not title:
        raise InvalidInput("An action item needs a title: what is to be done.", "title")
    if len(title) > TITLE_LIMIT:
        raise InvalidInput(
            f"The title is {len(title)} characters; keep it under {TITLE_LIMIT} and put the rest in the "
            "card's thread.",
            "title",
        )
    campaign = campaign_tag(new.campaign)
    owners = checked_owners(session, new.owner_teams, home_team_id)
    disclosure.screen_shared(detector, person, title, place.channel_id, what="title")
    if campaign:  # a tag is free text on the card too: `campaign:24-cr-0113` must not get through
        disclosure.screen_shared(detector, person, campaign, place.channel_id, what="campaign")
        disclosure.screen_shared(
            detector, person, f"{campaign} {title}", place.channel_id, what="title and campaign"
        )
    item = opening.store(
        session,
        person,
        KIND,
        place,
        new.due_at,
        f"campaign {campaign or 'none'}, owners {','.join(owners)}",
        title=title,
        campaign=campaign,
        owners=owners,
        source_permalink=new.source_permalink,
    )
    assert isinstance(item, Advocacy)
    return item


def campaign_tag(text: str | None) -> str | None:
    if text is None:
        return None
    tag = text.strip().lower()
    if not CAMPAIGN.match(tag):
        raise InvalidInput(
            f"`campaign:{text}` must be a tag of letters, digits and hyphens, like `bail-reform`.", "campaign"
        )
    return tag


def checked_owners(session: Session, owner_teams: Mapping[str, str | None], home_team_id: str) -> list[str]:
    """The owners, if each is home staff or a partner's staff: someone Liaison cannot place in an
    organization could not act on the item, so would own it in name only."""
    if not owner_teams:
        raise InvalidInput("Name at least one owner, like `owner:@maria`.", "owner")
    if len(owner_teams) > MOST_OWNERS:
        raise InvalidInput(f"At most {MOST_OWNERS} owners; the thread can hold everyone else.", "owner")
    for user_id, team_id in owner_teams.items():
        if team_id != home_team_id and partners.for_team(session, team_id) is None:
            raise InvalidInput(
                f"{person(user_id)} is not in the office's workspace or a partner's, so Liaison could not "
                "let them act on the item. Choose someone else, or an admin adds their organization with "
                f"{command('liaison partner add')}.",
                "owner",
            )
    return list(owner_teams)


def reassign(
    session: Session,
    kinds: Kinds,
    person: Person,
    ref: str,
    owner_teams: Mapping[str, str | None],
    home_team_id: str,
) -> tuple[Advocacy, list[str]]:
    """Give an open action item new owners (its owners, creator and coordinators may). Returns the item
    and its owners before."""
    item = moves.acting_on(session, kinds, person, ref, KIND)
    assert isinstance(item, Advocacy)
    sides = frozenset({Side.owner, Side.requester})
    moves.require_side(session, person, item, sides, "assign", f"reassign {item.ref}")
    if item.status != AdvocacyStatus.open:
        raise Conflict(f"{item.ref} is {item.status}; reopen it before giving it new owners.")
    owners, before = checked_owners(session, owner_teams, home_team_id), list(item.owners)
    if owners == before:
        raise Conflict(f"{item.ref} already has exactly those owners.")
    # Conditional on what was read: of two reassignments at once, or one and a Done, one wins.
    still = (col(Advocacy.status) == AdvocacyStatus.open.value, col(Advocacy.updated_at) == item.updated_at)
    if not update_if(session, Advocacy, item.id, *still, owners=owners, updated_at=clock.now()):
        session.rollback()
        raise Conflict(f"Someone changed {item.ref} just before you; nothing was changed. Look at its card.")
    session.refresh(item)
    audit.record(
        session,
        person.actor,
        "advocacy.assign",
        subject=item.ref,
        channel_id=item.channel_id,
        reason=f"owners {','.join(before)} -> {','.join(owners)}",
    )
    return item, before


@dataclass(frozen=True)
class Campaign:
    tag: str
    open: int
    overdue: int  # open and past due
    done: int
    dropped: int


def campaigns(visible: Sequence[Advocacy], now: datetime) -> list[Campaign]:
    """Each campaign's counts, from the items the person may see, busiest first."""
    counts: dict[str, Counter[str]] = {}
    for item in visible:
        tally = counts.setdefault(item.campaign or "", Counter())
        tally[item.status] += 1
        tally["overdue"] += items.is_overdue(item, now)
    found = [
        Campaign(tag, c[AdvocacyStatus.open], c["overdue"], c[AdvocacyStatus.done], c[AdvocacyStatus.dropped])
        for tag, c in counts.items()
    ]
    return sorted(found, key=lambda c: (-c.open, c.tag))
