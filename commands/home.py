"""Liaison's Home tab: the viewer's own open items (as requester, owner or the one who took them), overdue
first, with what awaits them marked; for coordinators, each partner's open and overdue counts; buttons to
start a referral, a consult or an action item. Shown when the tab is opened and when the viewer's items
change."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from commands.cards import Button, Home
from commands.format import when
from commands.invocation import Deps, SlackRefused
from storage import items, partners
from storage.audit import Actor
from storage.items import Item
from storage.models import Advocacy, Consult, ConsultStatus, Referral, Role
from storage.people import Affiliation, Person, identify

log = logging.getLogger("liaison")
SHOWN = 25  # items listed; the rest are counted (a Home tab holds 100 blocks)
ACTION_ITEMS = "action items"  # what the partner column says of an action item (it has owners, no partner)
NEW_ACTION = "home.new"  # home.new.referral, home.new.consult, home.new.advocacy


def home_for(deps: Deps, user_id: str) -> Home:
    now = deps.clock()
    with deps.db.session() as session:
        me = identify(session, Actor(user_id, deps.home_team_id), deps.home_team_id, deps.admins)
        if me.affiliation != Affiliation.home:
            return Home(("Liaison's Home tab is for the office's own staff.",))
        shown = sorted(
            (item for kind in items.KINDS for item in items.involving(session, me, kind, SHOWN)),
            key=lambda i: i.due_at,
        )[:SHOWN]
        counts = [items.involving_count(session, me, kind, now) for kind in items.KINDS]
        names = {p.id: p.name for p in partners.everyone(session)}
        sections = [_mine(shown, sum(n for n, _ in counts), sum(late for _, late in counts), me, now, names)]
        if me.role in (Role.coordinator, Role.admin):
            sections.append(_by_partner(items.open_counts(session, now), names))
    buttons = tuple(
        Button(label, f"{NEW_ACTION}.{kind}", kind)
        for label, kind in (
            ("New referral", "referral"),
            ("New consult", "consult"),
            ("New action item", "advocacy"),
        )
    )
    return Home(tuple(sections), buttons)


def _partner_name(item: Item, names: dict[int | None, str]) -> str:
    return names[item.partner_id] if isinstance(item, Referral | Consult) else ACTION_ITEMS


def _awaits(me: Person, item: Item) -> bool:
    """Whether the next step is the viewer's: an answered consult to resolve, an action item they own."""
    if isinstance(item, Consult):
        return item.status == ConsultStatus.answered and item.requester_id == me.user_id
    return isinstance(item, Advocacy) and me.user_id in item.owners


def _mine(
    shown: list[Item], total: int, overdue: int, me: Person, now: datetime, names: dict[int | None, str]
) -> str:
    """The viewer's open items: the first SHOWN, overdue first (they are due soonest), then a count."""
    lines = [f"*Your open items: {total}*" + (f" ({overdue} overdue)" if overdue else "")]
    for item in shown:
        marks = (":warning: " if item.due_at < now else "") + (
            "*waiting on you* · " if _awaits(me, item) else ""
        )
        lines.append(
            f"• {marks}*{item.ref}* {_partner_name(item, names)}, {item.status}, due {when(item.due_at)}"
        )
    if total > len(shown):
        lines.append(
            f"…and {total - len(shown)} more: `/referral list mine`, `/consult list mine` and "
            "`/advocacy list mine` show them all."
        )
    if not total:
        lines.append("Nothing open. Start something with the buttons above.")
    return "\n".join(lines)


def _by_partner(counts: dict[int | None, tuple[int, int]], names: dict[int | None, str]) -> str:
    tallies = sorted((names.get(pid, ACTION_ITEMS), n, late) for pid, (n, late) in counts.items())
    lines = ["*Open items by partner* (open, overdue)"]
    lines += [f"• {name}: {n}, {late} overdue" for name, n, late in tallies]
    return "\n".join(lines if tallies else [*lines, "Nothing open."])


def opened(deps: Deps, user_id: str) -> None:
    """The person opened their Home tab: show it as it is now, and keep it so as their items change."""
    deps.slack.saw_home(user_id)
    refresh(deps, [user_id])


def refresh(deps: Deps, user_ids: Iterable[str]) -> None:
    """Show these people's Home tabs as they are now (best effort: a Home is a view, not a record). Only
    the Homes opened since Liaison started: drawing one costs queries, and most people never look (one
    who does is shown it afresh on opening it)."""
    for user_id in dict.fromkeys(user_ids):
        if not deps.slack.has_seen_home(user_id):
            continue
        if deps.slack.team_of(user_id) != deps.home_team_id:
            continue  # only the office's own people have Liaison's Home tab
        try:
            deps.slack.publish_home(user_id, home_for(deps, user_id))
        except SlackRefused as refused:
            log.warning("could not update %s's Home tab: %s", user_id, refused.code)
        except Exception:  # the change it follows is saved and shown; a stale Home must not undo that
            log.exception("could not update %s's Home tab", user_id)


def people_of(item: Item) -> list[str]:
    """Whose Home tab shows the item."""
    found = [item.requester_id]
    if isinstance(item, Advocacy):
        found += item.owners
    if isinstance(item, Consult) and item.taken_by:
        found.append(item.taken_by)
    return found
