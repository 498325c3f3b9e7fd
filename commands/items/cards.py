"""An item's card in the channel: posting it once (and, when Slack could not take it, posting it later),
drawing it for who reads the channel now, and redrawing it from the database as it is."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from sqlmodel import Session

from commands import home, outbox
from commands.cards import Card
from commands.format import readings, when
from commands.invocation import Deps, SlackRefused
from storage import cards, disclosure, items, moves
from storage.audit import Actor
from storage.disclosure import Permit
from storage.errors import InvalidInput, LiaisonError
from storage.item_tables import ItemBase
from storage.models import Partner
from storage.permissions import Action, check
from storage.threads import Summary, summary

log = logging.getLogger("liaison")
NOT_THERE = ("not_in_channel", "channel_not_found")
# A live send posts within a minute even through Slack's retries; a claim older than this was abandoned.
UNPOSTED_AFTER = timedelta(minutes=5)


class CardRefused(LiaisonError):
    """Slack refused an item's card for good (not a transient failure): the item was closed unposted."""


def named(card: Card, item: ItemBase) -> Card:
    """The item's card, naming the item (its message metadata carries the ID)."""
    return replace(card, ref=item.ref, stamp=stamp_of(item))


def stamp_of(item: ItemBase) -> str:
    """Twelve letters made from the item's ID and creation time: the same whenever its card is drawn, and
    different for an R-12 of another database."""
    digest = hashlib.sha256(f"{item.ref} {item.created_at.isoformat()}".encode()).digest()
    return "".join(chr(ord("a") + byte % 26) for byte in digest[:12])


NO_REPLIES = Summary(0, None)
REDRAWS = 3  # a card redrawn this often in a row, changing each time, is left to the next change


@dataclass(frozen=True)
class Drawing:
    """What an item's card is drawn from besides the item itself, read in the session that has the item,
    so that drawing a card opens no transaction of its own."""

    partner: Partner | None
    permit: Permit  # what a send about the item may carry now (storage/disclosure.py)
    thread: Summary = NO_REPLIES


def drawing_of(deps: Deps, session: Session, item: ItemBase, *, with_thread: bool = False) -> Drawing:
    thread = summary(session, item.ref) if with_thread else NO_REPLIES
    return Drawing(items.partner_of(session, item), items.permit(session, item, deps.today()), thread)


def card_of(deps: Deps, item: ItemBase, drawing: Drawing) -> Card:
    """The item's card as its kind draws it, masked for who reads its channel now, and named."""
    card = deps.specs.of(item).card(item, drawing.partner, drawing.thread)
    return named(drawn(deps, card, drawing.permit, item.channel_id), item)


def publish(
    deps: Deps, actor: Actor, item: ItemBase, drawing: Drawing | None = None, *, retry: bool = False
) -> bool:
    """Post a stored item's card and attach it; False when Slack could not be reached even after the
    retries: the item stays stored, unposted, and the next tick posts it. If Slack refuses it outright,
    the item is closed (nobody outside the office saw it) and the person told why. A `retry` (the card
    may be in the channel already: an earlier post's answer was lost, or the process died while posting)
    adopts the card found there instead of posting another. `drawing`: read with the item, when the
    caller has just stored it."""
    if drawing is None:
        with deps.db.session() as session:
            drawing = drawing_of(deps, session, item)
    # The item may have been stored by a process whose clock was moved (or by one that was not, when this
    # one's is): look from the earlier of the two, since looking too far back only costs a page.
    since = min(item.created_at, deps.clock.by_real_clock(item.created_at)) if retry else None
    try:
        ts = deps.slack.post_card(
            item.channel_id, card_of(deps, item, drawing), drawing.permit, posted_since=since
        )
    except SlackRefused as refused:
        if refused.transient:
            log.warning(
                "Slack did not take the card of %s (%s); the next tick posts it", item.ref, refused.code
            )
            with deps.db.session() as session:
                cards.release(session, item)
            return False
        with deps.db.session() as session:
            moves.withdraw_unposted(session, actor, item, refused.code)
        hint = (
            " Invite Liaison with `/invite @liaison` and send it again." if refused.code in NOT_THERE else ""
        )
        closed = str(items.kind_of(item).machine.error_status).replace("-", " ")
        if refused.guarded:
            raise CardRefused(
                f"{refused.message} {item.ref} is closed as {closed}: nobody outside the office saw it."
            ) from refused
        raise CardRefused(
            f"Slack refused to post the card ({refused.code}), so {item.ref} was not sent: nobody outside "
            f"the office saw it, and it is closed as {closed}.{hint}"
        ) from refused
    with deps.db.statements() as conn:
        attached = cards.attach(conn, item, ts)
    now = None
    if not attached:
        with deps.db.session() as session:
            now = session.get(type(item), item.id)
    if now is not None and now.posted and now.card_ts != ts:
        # Another process took the claim over meanwhile and attached a card of its own: this is the copy.
        log.warning("%s was posted by another process meanwhile; deleting this copy", item.ref)
        deps.slack.delete_card(item.channel_id, ts)
    home.refresh(deps, home.people_of(item))
    return True


def post_unposted_cards(deps: Deps, *, at_start: bool = False) -> list[str]:
    """Post the cards of items stored but not posted: Slack could not be reached when they were sent, or
    a process stopped in between. Each is checked again as a new one would be (who reads the channel now,
    the agreement today); one that would now be refused is closed and its requester told why. The
    requester is told when the card is up."""
    # A live send may be posting right now, so only claims older than any live post are taken; except at
    # start on SQLite, which serves one instance: then every claim was abandoned.
    cutoff = deps.clock() if at_start and deps.db.dialect == "sqlite" else deps.clock() - UNPOSTED_AFTER
    posted = []
    for kind in deps.kinds:
        with deps.db.session() as session:
            claimed = cards.claim_unposted(session, kind.model, cutoff)
        for item in claimed:
            requester = Actor(item.requester_id, deps.home_team_id)
            try:
                if _still_allowed(deps, item) and publish(deps, requester, item, retry=True):
                    posted.append(item.ref)
                    deps.slack.tell(
                        item.requester_id, f"The card of {item.ref} is now up in <#{item.channel_id}>."
                    )
            except SlackRefused as refused:  # Slack still down: the claim is given back for the next tick
                log.warning("the card of %s is still not posted (%s); trying again", item.ref, refused.code)
                with deps.db.session() as session:
                    cards.release(session, item)
            except CardRefused as refused:  # Slack refused the card for good: the item is closed
                deps.slack.tell(item.requester_id, refused.message)
            except InvalidInput as unseen:  # Liaison can no longer see the channel: closed, said once
                _withdraw(deps, item, unseen.message)
            except Exception:  # one item's trouble must not keep Liaison from starting or ticking
                log.exception("could not post the card of %s; trying again in a few minutes", item.ref)
    return posted


def _still_allowed(deps: Deps, item: ItemBase) -> bool:
    requester = Actor(item.requester_id, deps.home_team_id)
    place = deps.slack.place(item.channel_id, fresh=True)
    with deps.db.session() as session:
        verdict = check(
            session,
            deps.person(session, requester),
            Action.create_item,
            partner=items.partner_of(session, item),
            kind=items.kind_of(item),
            place=place,
            today=deps.today(),
        )
    if verdict.allowed:
        return True
    _withdraw(deps, item, verdict.reason)
    return False


def _withdraw(deps: Deps, item: ItemBase, reason: str) -> None:
    """An unposted item that may not (or can no longer) be posted is closed, and its requester told."""
    requester = Actor(item.requester_id, deps.home_team_id)
    with deps.db.session() as session:
        closed = moves.withdraw_unposted(session, requester, item, f"refused on retry: {reason}")
    if closed:
        deps.slack.tell(item.requester_id, f"{item.ref} was not posted, and is closed unposted: {reason}")


def permit_of(deps: Deps, item: ItemBase) -> Permit:
    """What a send about the item may carry now (storage/disclosure.py)."""
    with deps.db.session() as session:
        return items.permit(session, item, deps.today())


def drawn(deps: Deps, card: Card, permit: Permit, channel_id: str) -> Card:
    """The card as its permit lets those who read the channel now see it: what it may not show (a consent
    revoked since the item was sent, an organization that joined the channel since) is masked, so that a
    card is redrawn rather than refused at the door."""
    try:
        readers = deps.slack.place(channel_id).external_teams
    except LiaisonError:  # Slack would not say who reads it: as if strangers did
        readers = frozenset({"unknown"})
    if not readers <= permit.teams:
        permit = replace(permit, teams=frozenset())

    def shown(text: str) -> str:
        found = [f for reading in readings(text) for f in disclosure.blocked(deps.detector, reading, permit)]
        return deps.detector.masked(text, found) if found else text

    return replace(
        card,
        title=shown(card.title),
        body=shown(card.body),
        fields=tuple((label, shown(value)) for label, value in card.fields),
        warnings=tuple(shown(w) for w in card.warnings),
        notes=tuple(shown(n) for n in card.notes),
    )


def refresh_card(deps: Deps, item: ItemBase) -> None:
    """Show the item's card as the database has it now (status, deadline, thread). Two redraws racing
    each other can reach Slack in either order, so the one that drew an older state would be shown last:
    after its update each redraw looks again, and draws once more if the item changed meanwhile."""
    drawn_from: tuple[object, ...] | None = None
    for _ in range(REDRAWS):
        with deps.db.session() as session:
            now = session.get(type(item), item.id)
            if now is None or not now.posted:
                return
            drawing = drawing_of(deps, session, now, with_thread=True)
        state = (now.status, now.updated_at, now.due_at, drawing.thread)
        if state == drawn_from:
            return
        assert now.card_ts is not None
        deps.slack.update_card(now.channel_id, now.card_ts, card_of(deps, now, drawing), drawing.permit)
        drawn_from = state


def redraw_all(deps: Deps, shown: Sequence[ItemBase]) -> None:
    """Redraw these items' cards as they may be seen now; one card's trouble does not stop the others."""
    for item in shown:
        try:
            refresh_card(deps, item)
        except SlackRefused as refused:
            log.warning("could not redraw the card of %s: %s", item.ref, refused.code)
            if refused.transient:
                outbox.redraw_card_later(deps, item.ref, item.channel_id)


def thread_field(thread: Summary) -> tuple[str, str]:
    """The card's line about its thread: how many replies, and when the last came."""
    if thread.count == 0 or thread.last_at is None:
        return ("Replies", "none yet")
    return ("Replies", f"{thread.count}, last {when(thread.last_at)}")
