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
from storage import items
from storage.audit import Actor
from storage.items import Item
from storage.models import Advocacy, Consult, ConsultStatus, Role
from storage.people import Affiliation, Person, identify

log = logging.getLogger("liaison")
SHOWN = 25  # items listed; the rest are counted (a Home tab holds 100 blocks)
NEW_ACTION = "home.new"  # home.new.referral, home.new.consult, home.new.advocacy


def home_for(deps: Deps, user_id: str) -> Home:
    now = deps.clock()
    with deps.db.session() as session:
        me = identify(session, Actor(user_id, deps.home_team_id), deps.home_team_id, deps.admins)
        if me.affiliation != Affiliation.home:
            return Home(("Liaison's Home tab is for the office's own staff.",))
        visible = [
            item for kind in items.KINDS for item in items.visible_to(session, me, kind, open_only=True)
        ]
        names = {
            item.ref: getattr(items.partner_of(session, item), "name", "action items") for item in visible
        }
    mine = sorted((i for i in visible if _involves(me, i)), key=lambda i: (i.due_at >= now, i.due_at))
    sections = [_mine(mine, me, now, names)]
    if me.role in (Role.coordinator, Role.admin):
        sections.append(_by_partner(visible, now, names))
    buttons = tuple(
        Button(label, f"{NEW_ACTION}.{kind}", kind)
        for label, kind in (
            ("New referral", "referral"),
            ("New consult", "consult"),
            ("New action item", "advocacy"),
        )
    )
    return Home(tuple(sections), buttons)


def _involves(me: Person, item: Item) -> bool:
    if item.requester_id == me.user_id:
        return True
    if isinstance(item, Advocacy):
        return me.user_id in item.owners
    return isinstance(item, Consult) and item.taken_by == me.user_id


def _awaits(me: Person, item: Item) -> bool:
    """Whether the next step is the viewer's: an answered consult to resolve, an action item they own."""
    if isinstance(item, Consult):
        return item.status == ConsultStatus.answered and item.requester_id == me.user_id
    return isinstance(item, Advocacy) and me.user_id in item.owners


def _mine(mine: list[Item], me: Person, now: datetime, names: dict[str, str]) -> str:
    overdue = sum(item.due_at < now for item in mine)
    lines = [f"*Your open items: {len(mine)}*" + (f" ({overdue} overdue)" if overdue else "")]
    for item in mine[:SHOWN]:
        marks = (":warning: " if item.due_at < now else "") + (
            "*waiting on you* · " if _awaits(me, item) else ""
        )
        lines.append(f"• {marks}*{item.ref}* {names[item.ref]}, {item.status}, due {when(item.due_at)}")
    if len(mine) > SHOWN:
        lines.append(
            f"…and {len(mine) - SHOWN} more: `/referral list mine`, `/consult list mine` and "
            "`/advocacy list mine` show them all."
        )
    if not mine:
        lines.append("Nothing open. Start something with the buttons above.")
    return "\n".join(lines)


def _by_partner(visible: Iterable[Item], now: datetime, names: dict[str, str]) -> str:
    counts: dict[str, list[int]] = {}
    for item in visible:
        tally = counts.setdefault(names[item.ref], [0, 0])
        tally[0] += 1
        tally[1] += item.due_at < now
    lines = ["*Open items by partner* (open, overdue)"]
    lines += [f"• {name}: {n}, {late} overdue" for name, (n, late) in sorted(counts.items())]
    return "\n".join(lines if counts else [*lines, "Nothing open."])


def refresh(deps: Deps, user_ids: Iterable[str]) -> None:
    """Show these people's Home tabs as they are now (best effort: a Home is a view, not a record)."""
    for user_id in dict.fromkeys(user_ids):
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
