"""Finding what is in the library: search (privately, best first, with what matched in bold), show, the
lists, **Open**, **Share here**, and the shelf message through which partner staff search and suggest
without Liaison's slash commands. Whatever a partner's staff may not see is answered exactly as if it
did not exist."""

from __future__ import annotations

import json
from datetime import date

from sqlmodel import Session

from commands.cards import Button, Card
from commands.format import plain
from commands.forms import Choice, FieldKind, Form
from commands.forms import Field as FormField
from commands.grammar import UsageError
from commands.invocation import Deps, Invocation, Reply
from commands.kinds.spec import FormValues
from commands.library.entries import suggest_form
from storage import library, partners
from storage.audit import Actor
from storage.disclosure import Permit
from storage.library import Audience, Resource, ResourceKind, ResourceStatus, UseKind
from storage.library_search import Filters, Found, search
from storage.models import Role
from storage.people import Affiliation, Person
from storage.permissions import Action, record_allowed, refuse
from storage.wording import command

SHARE_ACTION, OPEN_ACTION = "resource.share", "resource.open"
SEARCH_ACTION, SUGGEST_ACTION = "resource.shelf.search", "resource.shelf.suggest"
SEARCH_FORM = "resource.search"
SHOWN = 8  # results a search shows
WITH_BUTTONS = 5  # results that get Share here and Open buttons (an actions block holds 25 elements)
NOTHING = "No library entries match"


def search_command(inv: Invocation) -> Reply:
    """`/resource search <words> [kind:] [topic:] [jurisdiction:]`."""
    filters = _filters(
        inv.args.first("kind"), inv.args.first("topic"), inv.args.first("jurisdiction"), inv.deps
    )
    if not inv.args.text.strip() and filters == Filters():
        raise UsageError(f"Say what to look for: `{inv.usage}`.")
    with inv.deps.db.session() as session:
        me = inv.person(session)
        found = _search(session, inv.deps, me, inv.args.text, filters)
        text = _results(inv.args.text, found, inv.deps.today())
    buttons = tuple(  # action IDs are unique within a message's block: one per result
        b
        for n, hit in enumerate(found.hits[:WITH_BUTTONS])
        for b in (
            Button(f"Share {hit.entry.ref} here", f"{SHARE_ACTION}.{n}", _value(hit.entry)),
            Button(f"Open {hit.entry.ref}", f"{OPEN_ACTION}.{n}", _value(hit.entry)),
        )
    )
    return Reply(text, buttons=buttons)


def _search(session: Session, deps: Deps, me: Person, words: str, filters: Filters) -> Found:
    if me.affiliation == Affiliation.unknown:
        return Found([], 0)  # the same answer as no results: nothing hints at what the library holds
    found = search(session, me, words, filters, deps.today(), SHOWN)
    library.record_uses(session, me, [hit.entry for hit in found.hits], UseKind.search)
    return found


def _filters(kind: str | None, topic: str | None, jurisdiction: str | None, deps: Deps) -> Filters:
    if kind is not None and kind.lower() not in ResourceKind.__members__.values():
        raise UsageError(f"`kind:{kind}` is not a kind of entry; use one of {', '.join(ResourceKind)}.")
    if topic is not None and topic.lower() not in deps.topics:
        raise UsageError(
            f"`topic:{topic}` is not a topic Liaison knows; use one of {', '.join(deps.topics)}."
        )
    return Filters(kind.lower() if kind else None, topic.lower() if topic else None, jurisdiction or None)


def _results(words: str, found: Found, today: date) -> str:
    asked = plain(words.strip()) or "those filters"
    if not found.hits:
        return (
            f"{NOTHING} `{asked}`. Try fewer or other words, or `/resource search` with `kind:` or "
            "`topic:` alone."
        )
    lines = []
    if found.read_as:
        lines.append(f"{NOTHING} `{asked}`; showing results for `{plain(found.read_as)}`.")
    shown = len(found.hits)
    if found.more:
        lines.append(
            f"*More than {found.total:,} entries match*: the best of the newest {found.total:,} first (the "
            f"first {shown}). Add words, `kind:` or `topic:` to narrow it."
        )
    else:
        lines.append(
            f"*{found.total} {'entry matches' if found.total == 1 else 'entries match'}*, best first"
            + (f" (the first {shown})" if found.total > shown else "")
            + ":"
        )
    for hit in found.hits:
        row = hit.entry
        review = " · :warning: *due for review*" if library.is_due(row, today) else ""
        link = f" · <{row.link}|link>" if row.link else ""
        lines.append(f"• {library.label(row)} · {library.age(row, today)}{review}{link}")
        if hit.snippet:
            lines.append(f"> {hit.snippet}")
    return "\n".join(lines)


def _value(row: Resource) -> str:
    return json.dumps({"ref": row.ref})


def show(inv: Invocation) -> Reply:
    with inv.deps.db.session() as session:
        me = inv.person(session)
        row = library.seen(session, me, inv.args.text.strip(), inv.deps.today())
        library.record_uses(session, me, [row], UseKind.open)
        return Reply(details(session, row, me, inv.deps.today()))


def details(session: Session, row: Resource, me: Person, today: date) -> str:
    """Everything about an entry the person may know."""
    lines = [
        f"*{row.ref} · {library.KIND_NAMES.get(row.kind, row.kind)}: {plain(row.title)}*",
        plain(row.summary),
    ]
    if row.link:
        lines.append(f"Link: <{row.link}|{plain(row.link[:80])}>")
    if row.kind == ResourceKind.expert:
        lines += [f"Expertise: {plain(row.expertise or '')}"]
        lines += [f"How to reach them: {plain(row.contact)}"] if row.contact else []
        lines += [f"Past testimony: {plain(row.testimony)}"] if row.testimony else []
    facts = [
        f"Topics: {', '.join(row.topics) or 'none'}",
        f"Jurisdiction: {plain(row.jurisdiction or 'any')}",
        f"Court: {row.court_level}",
    ]
    lines.append(" · ".join(facts))
    state = f"Status: {row.status}" + (
        " (due for review)" if library.is_due(row, today) and row.status in library.SEEN else ""
    )
    lines.append(
        f"{state} · last verified {row.last_verified} · next review {row.review_due} · "
        f"{library.age(row, today)}"
    )
    if row.note and row.status in (ResourceStatus.withdrawn, ResourceStatus.declined):
        lines.append(f"Why {row.status}: {plain(row.note)}")
    if me.affiliation == Affiliation.home:
        lines.append(f"Who may see it: {_audience(session, row)} · looked after by <@{row.owner_id}>")
    return "\n".join(lines)


def _audience(session: Session, row: Resource) -> str:
    if row.audience == Audience.office:
        return "the office only"
    if row.audience == Audience.agreement:
        return "every partner whose agreement covers resources"
    names = [p.name for p in partners.everyone(session) if p.id in library.reader_ids(session, row)]
    return "the office and " + ", ".join(names)


LISTS = ("mine", "stale", "new", "suggested")


def listing(inv: Invocation) -> Reply:
    which = (inv.args.text.strip().lower() or "new").split()[0]
    if which not in LISTS:
        raise UsageError(f"`{which}` is not a list; use one of {', '.join(LISTS)}.")
    today = inv.deps.today()
    with inv.deps.db.session() as session:
        me = inv.person(session)
        if me.affiliation != Affiliation.home and which in ("mine", "stale", "suggested"):
            raise UsageError("Partner staff can see `/resource list new` and search the library.")
        if which == "suggested" and me.role not in (Role.coordinator, Role.admin):
            refuse(
                me,
                "resource.curate",
                f"Only a coordinator or an admin sees the suggestions; you are a {me.role}.",
            )
        rows, total = library.listed(session, which, me, today, limit=50)
        rows = [r for r in rows if library.may_see(session, me, r, today)][:20]
        if me.affiliation != Affiliation.home:
            total = len(rows)
    titles = {
        "mine": "Entries you look after",
        "stale": "Entries due for review",
        "new": "Newest entries",
        "suggested": "Suggestions waiting for curators",
    }
    lines = [f"*{titles[which]}: {total}*"]
    lines += [
        f"• {library.label(r)} · next review {r.review_due}"
        + (" · :warning: due" if library.is_due(r, today) else "")
        for r in rows
    ]
    if total > len(rows):
        lines.append(f"…and {total - len(rows)} more.")
    if not rows:
        lines.append("Nothing here.")
    return Reply("\n".join(lines))


# ---- Open and Share here ------------------------------------------------------------------------------


def opened(deps: Deps, actor: Actor, ref: str, _channel_id: str) -> Reply:
    with deps.db.session() as session:
        me = deps.person(session, actor)
        row = library.seen(session, me, ref, deps.today())
        library.record_uses(session, me, [row], UseKind.open)
        return Reply(details(session, row, me, deps.today()), trouble=True)


def share_command(inv: Invocation) -> Reply:
    return shared(inv.deps, inv.actor, inv.args.text.strip(), inv.channel_id or "")


def shared(deps: Deps, actor: Actor, ref: str, channel_id: str) -> Reply:
    """**Share here**: a small card in the channel, only if every organization reading it may see the
    entry."""
    today = deps.today()
    place = deps.slack.place(channel_id, fresh=True)
    with deps.db.session() as session:
        me = deps.person(session, actor)
        row = library.seen(session, me, ref, today)
        if row.status not in library.SEEN:
            raise UsageError(f"{row.ref} is {row.status}, so it can't be shared.")
        why_not = _who_may_not(session, row, place.external_teams, channel_id, today)
        if why_not:
            refuse(
                me,
                "resource.share",
                f"{row.ref} can't be shared here: {why_not}",
                subject=row.ref,
                channel_id=channel_id,
            )
        card = _card(row, today)
    deps.slack.post_card(channel_id, card, Permit(None))
    with deps.db.session() as session:
        me = deps.person(session, actor)
        library.record_uses(session, me, [row], UseKind.share)
        record_allowed(
            session,
            me,
            Action.create_item,
            subject=row.ref,
            reason="library entry shared",
            channel_id=channel_id,
        )
    return Reply(f"Shared {row.ref} here.", trouble=True)


def _who_may_not(session: Session, row: Resource, teams: frozenset[str], channel_id: str, today: date) -> str:
    """Why some organization that reads the channel may not see the entry; "" when every one may."""
    barred = partners.barred(
        session, channel_id, teams, lambda p: library.partner_may_see(session, row, p, today)
    )
    if barred is None:
        return "people of an organization Liaison does not know read this channel."
    if not barred:
        return ""
    said = " and ".join(barred)
    if row.audience == Audience.office:
        return f"it is for the office only, and {said} read{'s' * (len(barred) == 1)} this channel."
    return f"{said} read{'s' * (len(barred) == 1)} this channel and may not see it ({_fix(row)})."


def _fix(row: Resource) -> str:
    if row.audience == Audience.partners:
        return f"its owner can name them with {command('resource edit ' + row.ref)}"
    return f"their agreement does not cover `{library.SCOPE}`"


def _card(row: Resource, today: date) -> Card:
    fields = [
        ("Kind", library.KIND_NAMES.get(row.kind, row.kind)),
        ("Topics", ", ".join(row.topics) or "none"),
    ]
    fields += [("Jurisdiction", plain(row.jurisdiction or "any")), ("Last verified", str(row.last_verified))]
    summary = plain(row.summary if len(row.summary) <= 400 else row.summary[:399] + "…")
    link = f"\n<{row.link}|Open the document>" if row.link else ""
    return Card(
        title=f"{row.ref} · {row.title}"[:150],
        fields=tuple(fields),
        body=summary + link,
        buttons=(Button("Details", OPEN_ACTION, _value(row)),),
        notes=("From the shared case-resource library. `/resource show " + row.ref + "` for more.",),
    )


# ---- the shelf: partners search and suggest without the slash commands ------------------------------------


def shelf(inv: Invocation) -> Reply:
    """`/resource shelf`: the library's message in this channel, with its two buttons (coordinators)."""
    with inv.deps.db.session() as session:
        me = inv.person(session)
        if me.affiliation != Affiliation.home or me.role not in (Role.coordinator, Role.admin):
            refuse(
                me,
                "resource.shelf",
                "Only the office's coordinators and admins can post the library's shelf.",
            )
    card = Card(
        title="The shared case-resource library",
        fields=(("What is in it", "memos, briefs, motions, experts, templates, training material"),),
        body="Search what the office and its partners have written, or suggest something of your own.",
        buttons=(
            Button("Search the library", SEARCH_ACTION, json.dumps({"ref": "library"}), "primary"),
            Button("Suggest a resource", SUGGEST_ACTION, json.dumps({"ref": "library"})),
        ),
    )
    inv.deps.slack.post_card(inv.channel_id or "", card, Permit(None))
    return Reply(
        "The library's shelf is posted here: anyone in the channel can search it and suggest entries."
    )


def search_form(deps: Deps, _actor: Actor, _ref: str, channel_id: str) -> Form:
    kinds = (
        Choice("any", "any kind"),
        *(Choice(k, library.KIND_NAMES.get(k, k.value)) for k in ResourceKind),
    )
    return Form(
        callback_id=SEARCH_FORM,
        title="Search the library",
        submit="Search",
        fields=(
            FormField("words", "Words to look for", max_length=200),
            FormField("kind", "Kind", FieldKind.choice, value="any", choices=kinds),
            FormField("topic", "Topic", optional=True, hint=f"One of: {', '.join(deps.topics)}"),
        ),
        metadata=json.dumps({"channel": channel_id}),
    )


def suggest(deps: Deps, _actor: Actor, _ref: str, channel_id: str) -> Form:
    return suggest_form(deps, channel_id)


def searched(deps: Deps, actor: Actor, _metadata: str, values: FormValues) -> Reply:
    """The shelf's search form: results privately in the shelf's channel."""
    words = str(values.get("words") or "")
    kind = str(values.get("kind") or "any")
    topic = values.get("topic")
    filters = _filters(None if kind == "any" else kind, str(topic) if topic else None, None, deps)
    with deps.db.session() as session:
        me = deps.person(session, actor)
        found = _search(session, deps, me, words, filters)
        return Reply(_results(words, found, deps.today()))
