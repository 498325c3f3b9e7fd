"""An item's card: the one message in the channel that says what the item is and where it stands. Plain
data here; bot/render.py turns it into Block Kit. Referrals, consults and advocacy items all use it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Button:
    label: str
    action_id: str  # what the bot's action listener matches
    value: str  # what the click carries back (at most 2,000 characters)
    style: str | None = None  # "primary" or "danger"


@dataclass(frozen=True)
class Card:
    title: str  # "R-12 · Referral to Legal Aid Society"
    fields: tuple[tuple[str, str], ...]  # (label, mrkdwn value), at most 10
    body: str = ""  # what the addressee should know
    warnings: tuple[str, ...] = field(default_factory=tuple)  # shown first, above everything (do not contact)
    notes: tuple[str, ...] = field(default_factory=tuple)  # small print under the card
    buttons: tuple[Button, ...] = field(default_factory=tuple)  # next steps; each click is checked anyway
    # The item it shows, carried in the message's metadata so the card can be found again, and a
    # stamp of its creation that tells it from an R-12 of another database posted in the same channel.
    ref: str = ""
    stamp: str = ""

    @property
    def fallback(self) -> str:
        """The notification text: the title and the fields, never more than the card shows."""
        return f"{self.title}: " + ", ".join(f"{label} {value}" for label, value in self.fields)


@dataclass(frozen=True)
class Image:
    """A picture uploaded to Slack (a chart), shown by its file ID; `alt_text` says what it shows, numbers
    included, for anyone who cannot see it."""

    file_id: str
    alt_text: str
    title: str = ""


@dataclass(frozen=True)
class Home:
    """A person's Home tab: sections of mrkdwn, and buttons and pictures above them."""

    sections: tuple[str, ...]
    buttons: tuple[Button, ...] = ()
    images: tuple[Image, ...] = ()
