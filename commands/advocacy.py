"""`/advocacy`: policy-advocacy action items (comments on a bill, testimony, a coalition letter) with
owners in any organization, grouped by campaign. What it shares with the other item kinds is in
commands/items.py."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from commands import items as shared
from commands.cards import Button, Card
from commands.format import plain, when
from commands.forms import Field, Form, Kind
from commands.grammar import UsageError, user_id
from commands.invocation import Deps, Invocation, Reply
from commands.registry import ITEM_ID, NOTHING, SlashCommand, Subcommand, words_or_keys
from storage import advocacy, items
from storage.advocacy import NewAction
from storage.audit import Actor
from storage.deadlines import spoken
from storage.items import Item
from storage.models import Advocacy, AdvocacyStatus, Partner
from storage.people import identify
from storage.states import Side
from storage.threads import Summary

OPEN_ARGUMENTS = "title [owner:@person ...] [due:2026-12-15] [campaign:tag]"
LIST_USAGE = "/advocacy list [mine|open|overdue|done|all] [campaign:tag] [owner:@person] [page:2]"
ASSIGN_USAGE = "/advocacy assign A-3 @person [@person ...]"
FORM_CALLBACK = "advocacy.open"
ASSIGN_CALLBACK = "advocacy.assign"
ASSIGN_ACTION = "advocacy.assign"


def _mine(item: Item, user_id: str, now: datetime) -> bool:
    return item.requester_id == user_id or (isinstance(item, Advocacy) and user_id in item.owners)


LIST_FILTERS = {
    "mine": _mine,
    "open": shared.still_open,
    "overdue": shared.overdue,
    "done": lambda item, _user_id, _now: item.status == AdvocacyStatus.done,
    "all": shared.any_item,
}


@dataclass(frozen=True)
class Draft:
    channel_id: str
    title: str = ""
    owners: tuple[str, ...] = ()  # user IDs; none means the person creating it
    due: str | None = None
    campaign: str | None = None


def create(inv: Invocation) -> Reply:
    """`/advocacy title owner:@... due:... campaign:...`: post it, or open the form when there is no title."""
    assert inv.channel_id is not None
    args = inv.args
    owners = tuple(user_id(v, "owner", f"/advocacy {OPEN_ARGUMENTS}") for v in args.options.get("owner", []))
    draft = Draft(inv.channel_id, args.text.strip(), owners, args.first("due"), args.first("campaign"))
    if not draft.title or args.confirm:
        return Reply("", form=open_form(inv.deps, inv.actor, draft))
    return send(inv.deps, inv.actor, draft)


def send(deps: Deps, actor: Actor, draft: Draft) -> Reply:
    due, place = shared.where_and_when(deps, actor, draft.channel_id, draft.due)
    owners = draft.owners or (actor.user_id,)
    new = NewAction(draft.title, _teams(deps, owners), draft.campaign, due)
    with deps.db.session() as session:
        me = identify(session, actor, deps.home_team_id, deps.admins)
        item = advocacy.open_action(session, me, new, place, deps.home_team_id, deps.detector)
    posted = shared.publish(deps, actor, item, card)
    lines = [
        f"{'Posted' if posted else 'Saved'} *{item.ref}* for {_people(item.owners)}, due {spoken(due)}.",
        *shared.due_notes(draft.due, due),
    ]
    if not posted:
        lines.append(shared.LATE_CARD)
    if place.external_teams:
        lines.append(
            "Its card is also in the other organizations' workspaces: deleting it here leaves their copies."
        )
    return Reply("\n".join(lines))


def _teams(deps: Deps, owners: Sequence[str]) -> dict[str, str | None]:
    return {owner: deps.slack.team_of(owner) for owner in dict.fromkeys(owners)}


def _people(user_ids: Sequence[str]) -> str:
    return ", ".join(f"<@{u}>" for u in user_ids)


def open_form(deps: Deps, actor: Actor, draft: Draft) -> Form:
    shared.may_send(deps, actor, draft.channel_id)
    return Form(
        callback_id=FORM_CALLBACK,
        title="New action item",
        submit="Post",
        metadata=json.dumps({"channel": draft.channel_id}),
        fields=(
            *shared.where_fields(draft.channel_id),
            Field(
                "title",
                "What is to be done",
                Kind.long_text,
                draft.title or None,
                hint="No client details: action items go where several organizations read.",
                max_length=advocacy.TITLE_LIMIT,
            ),
            Field(
                "owners",
                "Owners (anyone in the office or a partner)",
                Kind.people,
                values=draft.owners or (actor.user_id,),
            ),
            shared.due_field(draft.due),
            Field(
                "campaign",
                "Campaign (a tag, like bail-reform)",
                value=draft.campaign,
                optional=True,
                max_length=40,
            ),
        ),
        notes=("The card goes to this channel; every organization in it keeps its own copy.",),
    )


def form_errors(values: shared.FormValues) -> dict[str, str]:
    errors = {}
    title, campaign = values.get("title"), values.get("campaign")
    if isinstance(title, str) and len(title) > advocacy.TITLE_LIMIT:
        errors["title"] = f"At most {advocacy.TITLE_LIMIT} characters; add the rest in the card's thread."
    if isinstance(campaign, str) and not advocacy.CAMPAIGN.match(campaign.lower()):
        errors["campaign"] = "A tag of letters, digits and hyphens, like bail-reform."
    return errors


def draft_from_form(metadata: str, values: shared.FormValues) -> Draft:
    owners = values.get("owners")
    return Draft(
        channel_id=shared.channel_of(metadata, values),
        title=shared.typed(values, "title") or "",
        owners=tuple(owners) if isinstance(owners, list) else (),
        due=shared.typed(values, "due"),
        campaign=shared.typed(values, "campaign"),
    )


def card(item: Item, partner: Partner | None, thread: Summary) -> Card:
    """An action item's card: the same for every organization in the channel."""
    assert isinstance(item, Advocacy)
    fields = [
        ("Campaign", item.campaign or "none"),
        ("Owners", _people(item.owners)),
        ("Due", when(item.due_at)),
        ("Status", item.status),
        ("Created by", f"<@{item.requester_id}>"),
    ]
    if item.result:
        fields.append(("Result", plain(item.result)))
    fields.append(shared.thread_field(thread))
    moves = shared.buttons(item, "advocacy")
    if item.status == AdvocacyStatus.open:  # Done…, Reassign…, Drop…
        reassign = Button("Reassign…", ASSIGN_ACTION, json.dumps({"ref": item.ref}))
        moves = (*moves[:1], reassign, *moves[1:])
    return Card(
        title=f"{item.ref} · Action item",
        fields=tuple(fields),
        body=plain(item.title),
        notes=("Its owners, its creator and coordinators update it with these buttons; talk in the thread.",),
        buttons=moves,
    )


def assign_form(deps: Deps, actor: Actor, ref: str, channel_id: str) -> Form:
    """Asked only of someone who may reassign the item."""
    with deps.db.session() as session:
        me = identify(session, actor, deps.home_team_id, deps.admins)
        item = items.acting_on(session, me, ref, items.ADVOCACY_ITEMS)
        assert isinstance(item, Advocacy)
        items.require_side(
            session, me, item, frozenset({Side.owner, Side.requester}), "assign", f"reassign {ref}"
        )
    return Form(
        callback_id=ASSIGN_CALLBACK,
        title=f"Reassign {item.ref}",
        submit="Save",
        metadata=json.dumps({"ref": item.ref, "channel": channel_id}),
        fields=(Field("owners", "Owners", Kind.people, values=tuple(item.owners)),),
        notes=(f"`{ASSIGN_USAGE}` does the same, and takes people of partner organizations by @mention.",),
    )


def assign(deps: Deps, actor: Actor, ref: str, owners: Sequence[str]) -> Reply:
    teams = _teams(deps, owners)
    with deps.db.session() as session:
        me = identify(session, actor, deps.home_team_id, deps.admins)
        item, before = advocacy.reassign(session, me, ref, teams, deps.home_team_id)
    line = f"<@{actor.user_id}> reassigned {item.ref} to {_people(item.owners)} (was {_people(before)})."
    return shared.show_change(deps, item, card, line, f"{item.ref} now belongs to {_people(item.owners)}.")


def assign_command(inv: Invocation) -> Reply:
    if len(inv.args.words) != 1 or not inv.args.users:
        raise UsageError(f"Name one action item and its new owners.\nUsage: `{ASSIGN_USAGE}`")
    return assign(inv.deps, inv.actor, inv.args.words[0], inv.args.users)


def show(inv: Invocation) -> Reply:
    if len(inv.args.words) != 1:
        raise UsageError("Name one action item, like `/advocacy show A-3`.")
    with inv.deps.db.session() as session:
        me = inv.person(session)
        item = items.get(session, me, inv.args.words[0], items.ADVOCACY_ITEMS)
        assert isinstance(item, Advocacy)
        lines = [
            f"*{item.ref}* {plain(item.title)}",
            f"Campaign {item.campaign or 'none'}, owners {_people(item.owners)}, *{item.status}*",
            f"Due {when(item.due_at)}, created by <@{item.requester_id}> on {when(item.created_at)}",
            *([f"Result: {plain(item.result)}"] if item.result else []),
            *shared.details_lines(inv.deps, session, me, item),
        ]
    return Reply("\n".join(lines))


def list_items(inv: Invocation) -> Reply:
    campaign = advocacy.campaign_tag(inv.args.first("campaign"))
    owner = inv.args.first("owner")
    owner_id = user_id(owner, "owner", LIST_USAGE) if owner else None

    def line(item: Item, _partner: Partner | None) -> str:
        assert isinstance(item, Advocacy)
        tag = f" [{item.campaign}]" if item.campaign else ""
        return f"{plain(item.title[:80])}{tag}: {item.status}, {_people(item.owners)}"

    def keep(item: Item) -> bool:
        assert isinstance(item, Advocacy)
        return (campaign is None or item.campaign == campaign) and (
            owner_id is None or owner_id in item.owners
        )

    return shared.listing(inv, items.ADVOCACY_ITEMS, LIST_FILTERS, LIST_USAGE, line, keep)


def list_campaigns(inv: Invocation) -> Reply:
    with inv.deps.db.session() as session:
        visible = items.visible_to(session, inv.person(session), items.ADVOCACY_ITEMS)
    found = advocacy.campaigns([i for i in visible if isinstance(i, Advocacy)], inv.deps.clock())
    if not found:
        return Reply("No action items yet. Post one with `/advocacy title campaign:tag`.")
    lines = ["*Campaigns*: open, overdue, done, dropped"]
    for c in found:
        name = f"`{c.tag}`" if c.tag else "_no campaign_"
        lines.append(f"• {name}: {c.open} open, {c.overdue} overdue, {c.done} done, {c.dropped} dropped")
    lines.append("One campaign's items: `/advocacy list all campaign:tag`.")
    return Reply("\n".join(lines))


COMMAND = SlashCommand(
    name="/advocacy",
    empty_is_default=True,
    description=(
        "Track policy-advocacy action items (comments, testimony, letters) with owners in any organization."
    ),
    default=Subcommand(
        "add",
        "post an action item in this channel; owners default to you, due to 5 business days.",
        create,
        arguments=OPEN_ARGUMENTS,
        keys=frozenset({"owner", "due", "campaign"}),
        repeatable=frozenset({"owner"}),
        takes_text=True,
    ),
    subcommands=(
        Subcommand(
            "list",
            "action items, soonest due first (open ones unless you say otherwise).",
            list_items,
            arguments="[mine|open|overdue|done|all] [campaign:tag] [owner:@person] [page:2]",
            keys=frozenset({"campaign", "owner", "page"}),
            takes_text=True,
            expects=words_or_keys(*LIST_FILTERS),
        ),
        Subcommand(
            "campaigns",
            "each campaign with its open, overdue, done and dropped items.",
            list_campaigns,
            expects=NOTHING,
        ),
        Subcommand(
            "show",
            "one action item with its history and thread.",
            show,
            arguments="A-3",
            takes_text=True,
            expects=ITEM_ID,
        ),
        Subcommand(
            "done",
            "mark an item done, with a link to the result if there is one.",
            shared.mover(
                items.ADVOCACY_ITEMS, AdvocacyStatus.done, "/advocacy done A-3 [link to the result]", card
            ),
            arguments="A-3 [link]",
            takes_text=True,
            expects=ITEM_ID,
        ),
        Subcommand(
            "drop",
            "drop an item, saying why.",
            shared.mover(items.ADVOCACY_ITEMS, AdvocacyStatus.dropped, "/advocacy drop A-3 why", card),
            arguments="A-3 why",
            takes_text=True,
            expects=ITEM_ID,
        ),
        Subcommand(
            "reopen",
            "open a done or dropped item again.",
            shared.mover(items.ADVOCACY_ITEMS, AdvocacyStatus.open, "/advocacy reopen A-3", card),
            arguments="A-3",
            takes_text=True,
            expects=ITEM_ID,
        ),
        Subcommand(
            "assign",
            "give an item new owners, in the office or a partner.",
            assign_command,
            arguments="A-3 @person [@person ...]",
            takes_text=True,
            expects=ITEM_ID,
        ),
    ),
)
