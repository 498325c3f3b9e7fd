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
from storage.item_tables import ItemBase
from storage.models import Role
from storage.people import Affiliation, Person

log = logging.getLogger("liaison")
SHOWN = 25  # items listed; the rest are counted (a Home tab holds 100 blocks)
NEW_ACTION = "home.new"  # home.new.referral, home.new.consult, home.new.advocacy


def home_for(deps: Deps, user_id: str) -> Home:
    now = deps.clock()
    with deps.db.session() as session:
        me = deps.person(session, Actor(user_id, deps.home_team_id))
        if me.affiliation != Affiliation.home:
            return Home(("Liaison's Home tab is for the office's own staff.",))
        shown = sorted(
            (item for kind in deps.kinds for item in items.involving(session, me, kind, SHOWN)),
            key=lambda i: i.due_at,
        )[:SHOWN]
        counts = [items.involving_count(session, me, kind, now) for kind in deps.kinds]
        names = _names(deps, {p.id: p.name for p in partners.everyone(session)})
        total, overdue = sum(n for n, _ in counts), sum(late for _, late in counts)
        sections = [_mine(deps, shown, total, overdue, me, now, names)]
        if me.role in (Role.coordinator, Role.admin):
            sections.append(_by_partner(items.open_counts(session, deps.kinds, now), names))
    sections += [section for feature in deps.specs.features for section in feature.home(deps, me)]
    images = tuple(image for feature in deps.specs.features for image in feature.home_images(deps, me))
    buttons = tuple(Button(spec.new_label, f"{NEW_ACTION}.{spec.name}", spec.name) for spec in deps.specs)
    return Home(tuple(sections), buttons, images)


Names = dict[int | str, str]  # a partner's ID, or a kind with owners instead: what the partner column says


def _names(deps: Deps, partner_names: dict[int | None, str]) -> Names:
    names: Names = {pid: name for pid, name in partner_names.items() if pid is not None}
    names.update({kind.name: f"{kind.noun}s" for kind in deps.kinds if not kind.addressed})
    return names


def _column(item: ItemBase, names: Names) -> str:
    return names[item.addressee_id() or items.kind_of(item).name]


def _mine(
    deps: Deps, shown: list[ItemBase], total: int, overdue: int, me: Person, now: datetime, names: Names
) -> str:
    """The viewer's open items: the first SHOWN, overdue first (they are due soonest), then a count."""
    lines = [f"*Your open items: {total}*" + (f" ({overdue} overdue)" if overdue else "")]
    for item in shown:
        marks = (":warning: " if item.due_at < now else "") + (
            "*waiting on you* · " if deps.specs.of(item).awaits(me.user_id, item) else ""
        )
        lines.append(f"• {marks}*{item.ref}* {_column(item, names)}, {item.status}, due {when(item.due_at)}")
    if total > len(shown):
        lists = [f"`{kind.command} list mine`" for kind in deps.kinds]
        said = ", ".join(lists[:-1]) + f" and {lists[-1]}" if len(lists) > 1 else lists[0]
        lines.append(f"…and {total - len(shown)} more: {said} show them all.")
    if not total:
        lines.append("Nothing open. Start something with the buttons above.")
    return "\n".join(lines)


def _by_partner(counts: dict[int | str, tuple[int, int]], names: Names) -> str:
    tallies = sorted((names.get(key, str(key)), n, late) for key, (n, late) in counts.items())
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


def people_of(item: ItemBase) -> list[str]:
    """Whose Home tab shows the item: its requester, its owners, whoever took it."""
    taker = item.taker()
    return [item.requester_id, *item.owner_ids(), *([taker] if taker else [])]
