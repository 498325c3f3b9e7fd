"""What a command handler receives and returns. Plain data: no Slack client, no blocks."""

from __future__ import annotations

from collections.abc import Collection
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

from sqlmodel import Session

from commands.cards import Button, Card, Home, Image
from commands.forms import Form
from commands.grammar import Arguments
from storage import court_calendar
from storage.audit import Actor
from storage.clock import REAL, Clock
from storage.court_calendar import CourtCalendar
from storage.db import Database
from storage.disclosure import Permit
from storage.errors import LiaisonError
from storage.identifiers import Detector
from storage.kinds import Kinds
from storage.library import DEFAULT_TOPICS
from storage.people import Person, identify
from storage.permissions import Place

if TYPE_CHECKING:
    from commands.kinds.spec import Specs

GUARD_REFUSED = "liaison_guard_refused"  # the code of a write Liaison's own guard kept from Slack


class SlackRefused(LiaisonError):
    """Slack refused a post or an update (`code` is Slack's error); raised by Slack's post_*/update_*.
    `transient`: Slack was down, overloaded or unreachable even after the client's retries, so the same
    call may well succeed later (the outbox keeps it); otherwise it never will as it is. A write Liaison's
    own guard refused has the code GUARD_REFUSED and its explanation as the message."""

    def __init__(self, code: str, *, transient: bool = False, explanation: str | None = None) -> None:
        super().__init__(explanation or f"Slack refused it ({code}).")
        self.code = code
        self.transient = transient

    @property
    def guarded(self) -> bool:
        return self.code == GUARD_REFUSED


class Slack(Protocol):
    """What handlers may ask of Slack (the bot implements it with cached Web API calls)."""

    def place(self, channel_id: str, *, fresh: bool = False) -> Place:
        """The channel's kind and the other organizations' teams that can read it (`fresh`: not cached)."""
        ...

    def team_of(self, user_id: str) -> str | None:
        """The Slack team a person belongs to, or None if Slack will not say."""
        ...

    def timezone_of(self, user_id: str) -> str | None:
        """The person's Slack time zone (IANA name), or None when their profile has none."""
        ...

    def learn_people(self, user_ids: Collection[str]) -> None:
        """Ahead of `team_of`/`timezone_of` calls about these people: look them up in bulk when many."""
        ...

    def bulk(self) -> AbstractContextManager[None]:
        """Calls made inside go at the pace Slack's rate limits allow (the tick's sends), not at once."""
        ...

    def post_card(
        self, channel_id: str, card: Card, permit: Permit, *, posted_since: datetime | None = None
    ) -> str:
        """Post an item's card to the channel under the item's permit, once; returns the message ts.
        `posted_since`: it may be there already, posted since then (a retry whose first post's answer was
        lost, or a process killed while posting): one found by its metadata is redrawn and adopted."""
        ...

    def update_card(self, channel_id: str, ts: str, card: Card, permit: Permit) -> None:
        """Show the card's new state in place (the card is never re-posted)."""
        ...

    def post_in_thread(
        self, channel_id: str, thread_ts: str, text: str, permit: Permit, buttons: tuple[Button, ...] = ()
    ) -> None:
        """Add a line to an item's thread (never also sent to the channel), with buttons under it."""
        ...

    def delete_card(self, channel_id: str, ts: str) -> None:
        """Remove a card this process posted by mistake (a duplicate)."""
        ...

    def tell(self, user_id: str, text: str) -> bool:
        """A direct message to one person, best effort: False (and a log line) when Slack refused it."""
        ...

    def send_dm(
        self, user_id: str, text: str, buttons: tuple[Button, ...] = (), images: tuple[Image, ...] = ()
    ) -> None:
        """A direct message to one person, however long (sent as sections within Slack's limits, and as
        several messages in order when one would pass its 50 blocks), with pictures uploaded by
        `upload_image` under it; raises SlackRefused, so what must arrive (a digest) can be tried again."""
        ...

    def upload_image(self, filename: str, content: bytes, readable: str) -> str:
        """Upload a picture privately (shared with no one), for image blocks to show; its file ID. The
        guard reads `readable`, what the picture says. Raises SlackRefused."""
        ...

    def send_file(
        self, user_id: str, filename: str, content: str | bytes, comment: str, readable: str = ""
    ) -> None:
        """Upload a file (a CSV export, a calendar invitation, a PDF) into the person's DM; raises
        SlackRefused. For bytes, `readable` is what they say, for the guard to read."""
        ...

    def publish_home(self, user_id: str, home: Home) -> None:
        """Show `home` as the person's Home tab."""
        ...

    def saw_home(self, user_id: str) -> None:
        """The person opened their Home tab (from then on, changes to their items redraw it)."""
        ...

    def has_seen_home(self, user_id: str) -> bool:
        """Whether the person has opened their Home tab since Liaison started."""
        ...

    def link(self, channel_id: str, ts: str) -> str:
        """A link to a message, made without asking Slack (for lists of many items)."""
        ...

    def permalink(self, channel_id: str, ts: str) -> str:
        """A link to a message; SlackRefused when Slack will not give one (`message_not_found`: deleted)."""
        ...


@dataclass(frozen=True)
class Deps:
    """Long-lived things a handler may use, built once when the app starts."""

    db: Database
    home_team_id: str  # the workspace that installed Liaison: its users are home staff
    admins: frozenset[str]  # LIAISON_ADMINS
    slack: Slack
    # The Database's clock in the office's zone: tests and `tick --at` move both (storage/clock.py).
    clock: Clock = REAL
    retention_days: int = 365  # LIAISON_RETENTION_DAYS: closed items' text is removed after this
    # What identifies a client, with the office's own case-number pattern and do-not-post names.
    detector: Detector = field(default_factory=Detector)
    specs: Specs = field(default_factory=lambda: _standard_specs())  # the kinds of item it runs with
    topics: tuple[str, ...] = DEFAULT_TOPICS  # the library's topics (LIAISON_LIBRARY_TOPICS)
    holidays: str = court_calendar.DEFAULT_REGION  # whose public holidays close the office (LIAISON_HOLIDAYS)

    @property
    def timezone(self) -> str:
        """LIAISON_TIMEZONE, the office's zone and the fallback for people without one."""
        return self.clock.zone.key

    @property
    def kinds(self) -> Kinds:
        """The kinds' domain halves (storage/kinds.py), for the storage functions that take them."""
        return self.specs.kinds

    def person(self, session: Session, actor: Actor) -> Person:
        """Who is acting: home staff, a partner's staff or unknown, with their role."""
        return identify(session, actor, self.home_team_id, self.admins)

    def zone_of(self, user_id: str | None) -> str:
        """The person's Slack time zone, else the office's (LIAISON_TIMEZONE)."""
        return (self.slack.timezone_of(user_id) if user_id else None) or self.timezone

    def calendar(self, session: Session) -> CourtCalendar:
        """The court calendar as it is now: read once per command or scheduler pass and passed on (a
        closure made by another process is then seen by the next command; a worker's command may get the
        closures remembered since the last change anywhere: storage/lookups.py)."""
        return court_calendar.load(session, self.holidays, self.today())

    def today(self) -> date:
        """Today in the office's time zone (agreements start and end on the office's days)."""
        return self.clock.today()


@dataclass(frozen=True)
class Invocation:
    deps: Deps
    actor: Actor
    channel_id: str | None
    args: Arguments
    usage: str = ""  # how the subcommand is typed, from the registry (commands/registry.py), for errors

    def person(self, session: Session) -> Person:
        return self.deps.person(session, self.actor)


@dataclass(frozen=True)
class Reply:
    """What to show the person who typed the command: privately (mrkdwn text), or a form to fill in."""

    text: str
    form: Form | None = None
    # Something the person must hear of even after a click, whose result is otherwise seen on the card.
    trouble: bool = False
    buttons: tuple[Button, ...] = ()  # under the text (a search's Share here and Open)


def _standard_specs() -> Specs:
    from commands.kinds import standard  # the kinds' modules import this one

    return standard()
