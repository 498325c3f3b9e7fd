"""`/advocacy`: policy-advocacy action items (comments on a bill, testimony, a coalition letter) with
owners in any organization, grouped by campaign. Its spec is `SPEC`; what it shares with the other kinds
is in commands/items/, its domain half in storage/advocacy.py."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from commands.cards import Button, Card
from commands.format import plain, when
from commands.forms import Field, FieldKind, Form
from commands.grammar import Arguments, UsageError, user_id
from commands.invocation import Deps, Invocation, Reply
from commands.items import fields, reading, sending
from commands.items.cards import drawing_of, publish, thread_field
from commands.items.changes import show_change
from commands.items.moving import buttons, mover
from commands.items.sources import Source, answer_in_thread
from commands.kinds.spec import CardAction, FormSpec, FormValues, KindSpec, Shortcuts
from commands.registry import NOTHING, SlashCommand, Subcommand, on_an_item, words_or_keys
from storage import advocacy, items, moves
from storage.advocacy import KIND, NewAction
from storage.audit import Actor
from storage.deadlines import spoken
from storage.item_tables import Advocacy, AdvocacyStatus
from storage.models import Partner
from storage.states import Side
from storage.threads import Summary

OPEN_ARGUMENTS = "title [owner:@person ...] [due:2026-12-15] [campaign:tag]"
FORM_CALLBACK = "advocacy.open"
ASSIGN_CALLBACK = "advocacy.assign"
ASSIGN_ACTION = "advocacy.assign"


LIST_FILTERS = reading.filters(done=reading.in_status(AdvocacyStatus.done))


@dataclass(frozen=True)
class Draft:
    channel_id: str
    title: str = ""
    owners: tuple[str, ...] = ()  # user IDs; none means the person creating it
    due: str | None = None
    campaign: str | None = None
    source: Source | None = None  # the message it is made from (a message shortcut)


def wants_form(args: Arguments) -> bool:
    """Whether `/advocacy ...` opens the form: no title, or it is to be confirmed there."""
    return not args.text.strip() or args.confirm


def create(inv: Invocation) -> Reply:
    """`/advocacy title owner:@... due:... campaign:...`: post it, or open the form when there is no title."""
    assert inv.channel_id is not None
    args = inv.args
    owners = tuple(user_id(v, "owner", inv.usage) for v in args.options.get("owner", []))
    draft = Draft(inv.channel_id, args.text.strip(), owners, args.first("due"), args.first("campaign"))
    if wants_form(args):
        return Reply("", form=open_form(inv.deps, inv.actor, draft))
    return send(inv.deps, inv.actor, draft)


def send(deps: Deps, actor: Actor, draft: Draft) -> Reply:
    owners = draft.owners or (actor.user_id,)
    with sending.new_item(deps, actor, draft.channel_id, draft.due) as new:
        # The owners' organizations are asked of Slack only once the sender may send at all.
        permalink = (draft.source.permalink or None) if draft.source else None
        action = NewAction(draft.title, _teams(deps, owners), draft.campaign, new.due, permalink)
        item = advocacy.open_action(new.session, new.me, action, new.place, deps.home_team_id, deps.detector)
        drawing = drawing_of(deps, new.session, item)
    posted = publish(deps, actor, item, drawing)
    due, place = new.deadline, new.place
    lines = [
        f"{'Posted' if posted else 'Saved'} *{item.ref}* for {_people(item.owners)}, "
        f"due {spoken(due.at, deps.clock())}.",
        *sending.due_notes(draft.due, due),
    ]
    if not posted:
        lines.append(sending.LATE_CARD)
    lines += answer_in_thread(deps, item, draft.source)
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
    sending.may_send(deps, actor, draft.channel_id)
    return Form(
        callback_id=FORM_CALLBACK,
        title="New action item",
        submit="Post",
        metadata=json.dumps({"channel": draft.channel_id}),
        fields=(
            *fields.where_fields(draft.channel_id),
            Field(
                "title",
                "What is to be done",
                FieldKind.long_text,
                draft.title or None,
                hint="No client details: action items go where several organizations read.",
                max_length=advocacy.TITLE_LIMIT,
            ),
            Field(
                "owners",
                "Owners (anyone in the office or a partner)",
                FieldKind.people,
                values=draft.owners or (actor.user_id,),
            ),
            fields.due_field(draft.due),
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


def form_errors(values: FormValues) -> dict[str, str]:
    errors = {}
    title, campaign = values.get("title"), values.get("campaign")
    if isinstance(title, str) and len(title) > advocacy.TITLE_LIMIT:
        errors["title"] = f"At most {advocacy.TITLE_LIMIT} characters; add the rest in the card's thread."
    if isinstance(campaign, str) and not advocacy.CAMPAIGN.match(campaign.lower()):
        errors["campaign"] = "A tag of letters, digits and hyphens, like bail-reform."
    return errors


def submitted(deps: Deps, actor: Actor, metadata: str, values: FormValues) -> Reply:
    """The new-action-item form, sent."""
    draft = Draft(
        channel_id=fields.channel_of(metadata, values),
        title=fields.typed(values, "title") or "",
        owners=tuple(_chosen_owners(values)),
        due=fields.typed(values, "due"),
        campaign=fields.typed(values, "campaign"),
        source=fields.source_of(deps, metadata),
    )
    return send(deps, actor, draft)


def _chosen_owners(values: FormValues) -> list[str]:
    chosen = values.get("owners")
    return chosen if isinstance(chosen, list) else []


def card(item: Advocacy, partner: Partner | None, thread: Summary) -> Card:
    """An action item's card: the same for every organization in the channel."""
    shown = [
        ("Campaign", item.campaign or "none"),
        ("Owners", _people(item.owners)),
        ("Due", when(item.due_at)),
        ("Status", item.status),
        ("Created by", f"<@{item.requester_id}>"),
    ]
    if item.result:
        shown.append(("Result", plain(item.result)))
    shown.append(thread_field(thread))
    steps = buttons(item)
    if item.status == AdvocacyStatus.open:  # Done…, Reassign…, Drop…
        reassign = Button("Reassign…", ASSIGN_ACTION, json.dumps({"ref": item.ref}))
        steps = (*steps[:1], reassign, *steps[1:])
    return Card(
        title=f"{item.ref} · Action item",
        fields=tuple(shown),
        body=plain(item.title),
        notes=("Its owners, its creator and coordinators update it with these buttons; talk in the thread.",),
        buttons=steps,
    )


def assign_form(deps: Deps, actor: Actor, ref: str, channel_id: str) -> Form:
    """Asked only of someone who may reassign the item."""
    with deps.db.session() as session:
        me = deps.person(session, actor)
        item = moves.acting_on(session, deps.kinds, me, ref, KIND)
        moves.require_side(
            session, me, item, frozenset({Side.owner, Side.requester}), "assign", f"reassign {ref}"
        )
    return Form(
        callback_id=ASSIGN_CALLBACK,
        title=f"Reassign {item.ref}",
        submit="Save",
        metadata=json.dumps({"ref": item.ref, "channel": channel_id}),
        fields=(Field("owners", "Owners", FieldKind.people, values=tuple(item.owner_ids())),),
        notes=(
            f"`{COMMAND.usage_of('assign')}` does the same, and takes people of partner organizations by "
            "@mention.",
        ),
    )


def assign(deps: Deps, actor: Actor, ref: str, owners: Sequence[str]) -> Reply:
    teams = _teams(deps, owners)
    with deps.db.session() as session:
        me = deps.person(session, actor)
        item, before = advocacy.reassign(session, deps.kinds, me, ref, teams, deps.home_team_id)
    line = f"<@{actor.user_id}> reassigned {item.ref} to {_people(item.owners)} (was {_people(before)})."
    return show_change(deps, item, line, f"{item.ref} now belongs to {_people(item.owners)}.")


def reassigned(deps: Deps, actor: Actor, metadata: str, values: FormValues) -> Reply:
    """The Reassign… form, sent."""
    return assign(deps, actor, fields.ref_in(metadata), _chosen_owners(values))


def assign_command(inv: Invocation) -> Reply:
    if len(inv.args.words) != 1 or not inv.args.users:
        raise UsageError(f"Name one action item and its new owners.\nUsage: `{inv.usage}`")
    return assign(inv.deps, inv.actor, inv.args.words[0], inv.args.users)


def show(inv: Invocation) -> Reply:
    return reading.one(inv, KIND, "A-3", _shown)


def _shown(item: Advocacy, _partner: Partner | None) -> list[str]:
    return [
        f"*{item.ref}* {plain(item.title)}",
        f"Campaign {item.campaign or 'none'}, owners {_people(item.owners)}, *{item.status}*",
        f"Due {when(item.due_at)}, created by <@{item.requester_id}> on {when(item.created_at)}",
        *([f"Result: {plain(item.result)}"] if item.result else []),
    ]


def list_items(inv: Invocation) -> Reply:
    campaign = advocacy.campaign_tag(inv.args.first("campaign"))
    owner = inv.args.first("owner")
    owner_id = user_id(owner, "owner", inv.usage) if owner else None

    def line(item: Advocacy, _partner: Partner | None) -> str:
        tag = f" [{item.campaign}]" if item.campaign else ""
        return f"{plain(item.title[:80])}{tag}: {item.status}, {_people(item.owners)}"

    def keep(item: Advocacy) -> bool:
        return (campaign is None or item.campaign == campaign) and (
            owner_id is None or owner_id in item.owners
        )

    return reading.listing(inv, KIND, LIST_FILTERS, line, keep)


def list_campaigns(inv: Invocation) -> Reply:
    with inv.deps.db.session() as session:
        visible = items.visible_to(session, inv.person(session), KIND)
    found = advocacy.campaigns(visible, inv.deps.clock())
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
        opens_form=wants_form,
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
        on_an_item(
            "show",
            "one action item with its history and thread.",
            show,
            arguments="A-3",
        ),
        on_an_item(
            "done",
            "mark an item done, with a link to the result if there is one.",
            mover(KIND, AdvocacyStatus.done),
            arguments="A-3 [link to the result]",
        ),
        on_an_item(
            "drop",
            "drop an item, saying why.",
            mover(KIND, AdvocacyStatus.dropped),
            arguments="A-3 why",
        ),
        on_an_item(
            "reopen",
            "open a done or dropped item again.",
            mover(KIND, AdvocacyStatus.open),
            arguments="A-3",
        ),
        on_an_item(
            "assign",
            "give an item new owners, in the office or a partner.",
            assign_command,
            arguments="A-3 @person [@person ...]",
        ),
    ),
)


def _new_form(deps: Deps, actor: Actor, channel_id: str) -> Form:
    return open_form(deps, actor, Draft(channel_id=channel_id))


def _from_message(deps: Deps, actor: Actor, channel_id: str, text: str) -> Form:
    return open_form(deps, actor, Draft(channel_id=channel_id, title=text))


def _owned_by(user_id: str, item: Advocacy) -> bool:
    return user_id in item.owners


SPEC = KindSpec(
    kind=KIND,
    card=card,
    command=COMMAND,
    new_form=_new_form,
    new_label="New action item",
    forms=(FormSpec(FORM_CALLBACK, submitted, form_errors), FormSpec(ASSIGN_CALLBACK, reassigned)),
    actions=(CardAction(ASSIGN_ACTION, assign_form),),
    awaits=_owned_by,
    digest_titles={"advocacy_this_week": "Action items due this week"},
    shortcuts=Shortcuts(
        "Make an action item",
        "Post an action item in this channel, starting from this message; no client details.",
        _from_message,
        "title",
    ),
)
