"""Adding to the library and looking after what is in it: the entry form (add, edit, a partner's
suggestion), the curators' approve and decline, verify and withdraw. Every text field passes the
identifier guard before anything is stored: an entry is read by several organizations, so it never
carries a client's details."""

from __future__ import annotations

import json

from sqlmodel import Session

from commands.format import plain
from commands.forms import Choice, FieldKind, Form
from commands.forms import Field as FormField
from commands.grammar import UsageError
from commands.invocation import Deps, Invocation, Reply
from commands.items.fields import written_by_liaison
from commands.kinds.spec import FormValues
from storage import disclosure, library, roles
from storage.audit import Actor
from storage.library import Audience, CourtLevel, Draft, Resource, ResourceKind, ResourceStatus
from storage.library_drafts import TYPED
from storage.models import Partner, Role
from storage.people import Affiliation, Person
from storage.permissions import refuse
from storage.wording import command, person

ADD_FORM, EDIT_FORM, SUGGEST_FORM = "resource.add", "resource.edit", "resource.suggest"
KEPT_OUT = "Library entries are read by several organizations"
AUDIENCES = (
    Choice(Audience.agreement, "Every partner whose agreement covers resources"),
    Choice(Audience.partners, "Only the partners named below"),
    Choice(Audience.office, "The office only"),
)
CONTACT_HINT = (
    "Experts: a link to their page or their Slack handle. Liaison keeps no phone numbers or email "
    "addresses, which it cannot tell from a client's."
)


def entry_form(
    deps: Deps, callback: str, metadata: dict[str, str], typed: dict[str, str | None], *, curated: bool
) -> Form:
    """The entry form, prefilled with `typed`; `curated`: the office's own form, which says who may see it."""
    kinds = tuple(Choice(k, library.KIND_NAMES.get(k, k.value)) for k in ResourceKind)
    fields = [
        FormField("kind", "Kind", FieldKind.choice, value=typed.get("kind"), choices=kinds),
        FormField("title", "Title", value=typed.get("title"), max_length=library.LIMITS["title"]),
        FormField(
            "summary",
            "Summary: what it argues or covers, and when it helps",
            FieldKind.long_text,
            value=typed.get("summary"),
            max_length=library.LIMITS["summary"],
        ),
        FormField(
            "link",
            "Link",
            value=typed.get("link"),
            optional=True,
            hint="An https address; experts may leave it empty.",
        ),
        FormField(
            "topics",
            "Topics",
            value=typed.get("topics"),
            optional=True,
            hint=f"Comma-separated, from: {', '.join(deps.topics)}",
        ),
        FormField(
            "jurisdiction", "Jurisdiction", value=typed.get("jurisdiction"), optional=True, max_length=80
        ),
        FormField(
            "court_level",
            "Court level",
            FieldKind.choice,
            value=typed.get("court_level") or CourtLevel.any,
            choices=tuple(Choice(c, c.value) for c in CourtLevel),
        ),
    ]
    if curated:
        fields += [
            FormField(
                "audience",
                "Who may see it",
                FieldKind.choice,
                value=typed.get("audience") or Audience.agreement,
                choices=AUDIENCES,
            ),
            FormField(
                "partners",
                "Partners (when only named partners may)",
                value=typed.get("partners"),
                optional=True,
                hint="Their handles, comma-separated.",
            ),
            FormField(
                "review_months",
                "Review every (months)",
                value=typed.get("review_months"),
                optional=True,
                hint="Default 12, or 6 for briefs and motions (caselaw goes stale).",
            ),
        ]
    fields += [
        FormField(
            "expertise",
            "Experts: area of expertise",
            value=typed.get("expertise"),
            optional=True,
            max_length=300,
        ),
        FormField(
            "contact",
            "Experts: how to reach them",
            value=typed.get("contact"),
            optional=True,
            hint=CONTACT_HINT,
            max_length=300,
        ),
        FormField(
            "testimony",
            "Experts: past testimony",
            FieldKind.long_text,
            value=typed.get("testimony"),
            optional=True,
            max_length=2000,
        ),
    ]
    titles = {
        ADD_FORM: "Add to the library",
        EDIT_FORM: "Edit a library entry",
        SUGGEST_FORM: "Suggest a resource",
    }
    return Form(
        callback_id=callback,
        title=titles[callback],
        submit="Suggest" if callback == SUGGEST_FORM else "Save",
        fields=tuple(fields),
        metadata=json.dumps(metadata),
        notes=("Entries are read by several organizations: no client names, numbers or case details.",),
    )


def form_problems(values: FormValues) -> dict[str, str]:
    """What is wrong with a submitted entry that the form itself can show (topics are checked after)."""
    found = library.draft(_strings(values), topics=()).problems
    found.pop("topics", None)
    return found


def _strings(values: FormValues) -> dict[str, str | None]:
    return {k: v if isinstance(v, str) else None for k, v in values.items()}


def typed_values(inv: Invocation) -> dict[str, str | None]:
    """What `/resource add kind:memo title:"..." ...` typed, to prefill the form."""
    typed: dict[str, str | None] = {key: inv.args.first(key) for key in ADD_KEYS}
    if inv.args.text and not typed.get("title"):
        typed["title"] = inv.args.text
    return typed


ADD_KEYS = frozenset(TYPED)


def add(inv: Invocation) -> Reply:
    """`/resource add`: the form, prefilled from what was typed (office staff)."""
    with inv.deps.db.session() as session:
        me = inv.person(session)
        _office_only(me, "add to the library", "resource.add")
    metadata = {"channel": inv.channel_id or ""}
    return Reply("", form=entry_form(inv.deps, ADD_FORM, metadata, typed_values(inv), curated=True))


def edit(inv: Invocation) -> Reply:
    """`/resource edit RS-12`: the form with the entry in it (its owner or a coordinator)."""
    ref = inv.args.text.strip()
    with inv.deps.db.session() as session:
        me = inv.person(session)
        row = library.seen(session, me, ref, inv.deps.today())
        _may_change(session, inv.deps, me, row, "edit")
        typed = _as_typed(session, row)
    metadata = {"channel": inv.channel_id or "", "ref": row.ref}
    return Reply("", form=entry_form(inv.deps, EDIT_FORM, metadata, typed, curated=True))


def suggest_form(deps: Deps, channel_id: str) -> Form:
    return entry_form(deps, SUGGEST_FORM, {"channel": channel_id}, {}, curated=False)


def _as_typed(session: Session, row: Resource) -> dict[str, str | None]:
    readers = [p.handle for p in _readers(session, row)]
    return {
        "kind": row.kind,
        "title": row.title,
        "summary": row.summary,
        "link": row.link,
        "topics": ", ".join(row.topics),
        "jurisdiction": row.jurisdiction,
        "court_level": row.court_level,
        "audience": row.audience,
        "partners": ", ".join(readers),
        "review_months": str(row.review_months),
        "expertise": row.expertise,
        "contact": row.contact,
        "testimony": row.testimony,
    }


def _readers(session: Session, row: Resource) -> list[Partner]:
    ids = library.reader_ids(session, row)
    return [p for p in (session.get(Partner, i) for i in sorted(ids)) if p is not None]


def checked(deps: Deps, me: Person, values: dict[str, str | None], channel_id: str | None) -> Draft:
    """The entry, every field read and every text screened; UsageError naming each problem otherwise."""
    entry = library.draft(values, deps.topics)
    if entry.problems:
        raise UsageError("Nothing was saved: " + " ".join(entry.problems.values()))
    for name, text in entry.texts().items():
        disclosure.screen_shared(
            deps.detector,
            me,
            text,
            channel_id,
            what=name.replace("_", " "),
            kind="resource",
            because=KEPT_OUT,
        )
    return entry


def added(deps: Deps, actor: Actor, metadata: str, values: FormValues) -> Reply:
    channel = written_by_liaison(metadata).get("channel") or None
    with deps.db.session() as session:
        me = deps.person(session, actor)
        _office_only(me, "add to the library", "resource.add")
        entry = checked(deps, me, _strings(values), channel)
        row = library.add(session, me, entry, deps.today())
        said = _saved(row)
    return Reply(f"Added {said} to the library. {command('resource show ' + said.split('*')[1])} shows it.")


def edited(deps: Deps, actor: Actor, metadata: str, values: FormValues) -> Reply:
    written = written_by_liaison(metadata)
    with deps.db.session() as session:
        me = deps.person(session, actor)
        row = library.seen(session, me, str(written.get("ref")), deps.today())
        _may_change(session, deps, me, row, "edit")
        entry = checked(deps, me, _strings(values), written.get("channel") or None)
        library.edit(session, me, row, entry)
        said = _saved(row)
    return Reply(f"Saved {said}.")


def suggested(deps: Deps, actor: Actor, metadata: str, values: FormValues) -> Reply:
    """A partner's (or anyone's) suggestion from the shelf: it waits for the office's curators."""
    channel = written_by_liaison(metadata).get("channel") or None
    with deps.db.session() as session:
        me = deps.person(session, actor)
        if me.affiliation == Affiliation.unknown:
            refuse(me, "resource.suggest", UNKNOWN_ORG, channel_id=channel)
        entry = checked(deps, me, _strings(values), channel)
        entry.audience = Audience.office
        row = library.add(session, me, entry, deps.today(), suggested=True)
        said = _saved(row)
        curators = sorted(roles.coordinators(session, deps.admins))
    for curator in curators:
        deps.slack.tell(
            curator,
            f"{person(actor.user_id)} suggested {said} for the library. "
            f"{command('resource approve ' + row.ref)}, {command('resource edit ' + row.ref)} or "
            f"{command('resource decline ' + row.ref + ' reason:...')}.",
        )
    return Reply(
        f"Thank you: your suggestion {said} went to the office's curators. You'll hear what they decide."
    )


UNKNOWN_ORG = (
    "Liaison does not know your organization, so it can't take suggestions from you. If your organization "
    "works with this office, ask the office to add it to Liaison's partner directory."
)


def approve(inv: Invocation) -> Reply:
    ref = inv.args.text.strip()
    with inv.deps.db.session() as session:
        me = inv.person(session)
        _curator(me, "approve suggestions", "resource.approve")
        row = _suggestion(session, me, ref, inv.deps)
        library.approve(session, me, row, inv.deps.today())
        said, suggester = _saved(row), row.author_id
    inv.deps.slack.tell(suggester, f"Your suggestion {said} is in the library now. Thank you.")
    return Reply(f"Approved {said}: every partner whose agreement covers resources can find it.")


def decline(inv: Invocation) -> Reply:
    ref = inv.args.text.strip()
    reason = (inv.args.first("reason") or "").strip()
    if not reason:
        raise UsageError(f"Say why, for the person who suggested it: `{inv.usage}`.")
    with inv.deps.db.session() as session:
        me = inv.person(session)
        _curator(me, "decline suggestions", "resource.decline")
        row = _suggestion(session, me, ref, inv.deps)
        disclosure.screen_shared(
            inv.deps.detector, me, reason, inv.channel_id, what="reason", kind="resource", because=KEPT_OUT
        )
        library.close(session, me, row, ResourceStatus.declined, reason)
        said, suggester = _saved(row), row.author_id
    inv.deps.slack.tell(suggester, f"The office's curators declined your suggestion {said}: {plain(reason)}")
    return Reply(f"Declined {said}; the person who suggested it was told why.")


def verify(inv: Invocation) -> Reply:
    with inv.deps.db.session() as session:
        me = inv.person(session)
        row = library.seen(session, me, inv.args.text.strip(), inv.deps.today())
        _may_change(session, inv.deps, me, row, "verify")
        if row.status not in library.SEEN:
            raise UsageError(f"{row.ref} is {row.status}, so there is nothing to verify.")
        library.verify(session, me, row, inv.deps.today())
        said, due = _saved(row), row.review_due
    return Reply(
        f"Verified {said}: it is current, and due for review again on {due:%B} {due.day}, {due.year}."
    )


def withdraw(inv: Invocation) -> Reply:
    reason = (inv.args.first("reason") or "").strip()
    if not reason:
        raise UsageError(f"Say why it is withdrawn (people who find it are told): `{inv.usage}`.")
    with inv.deps.db.session() as session:
        me = inv.person(session)
        row = library.seen(session, me, inv.args.text.strip(), inv.deps.today())
        _may_change(session, inv.deps, me, row, "withdraw")
        disclosure.screen_shared(
            inv.deps.detector, me, reason, inv.channel_id, what="reason", kind="resource", because=KEPT_OUT
        )
        library.close(session, me, row, ResourceStatus.withdrawn, reason)
        said = _saved(row)
    return Reply(f"Withdrew {said}: searches no longer find it.")


def _saved(row: Resource) -> str:
    return f"*{row.ref}* ({row.kind}: {plain(row.title)})"


def _office_only(me: Person, what: str, action: str) -> None:
    if me.affiliation != Affiliation.home:
        refuse(
            me,
            action,
            f"Only the office's staff can {what}. Use *Suggest a resource* on the library's shelf message "
            "in your shared channel: the office's curators will add it.",
        )


def _curator(me: Person, what: str, action: str) -> None:
    _office_only(me, what, action)
    if me.role not in (Role.coordinator, Role.admin):
        refuse(me, action, f"Only a coordinator or an admin can {what}; you are a {me.role}.")


def _may_change(session: Session, deps: Deps, me: Person, row: Resource, what: str) -> None:
    """An entry is changed by the office: its owner (who added it) or a coordinator."""
    _office_only(me, f"{what} library entries", f"resource.{what}")
    if row.owner_id != me.user_id and me.role not in (Role.coordinator, Role.admin):
        refuse(
            me,
            f"resource.{what}",
            f"Only the person who looks after {row.ref} or a coordinator can {what} it.",
            subject=row.ref,
        )


def _suggestion(session: Session, me: Person, ref: str, deps: Deps) -> Resource:
    row = library.seen(session, me, ref, deps.today())
    if row.status != ResourceStatus.suggested:
        raise UsageError(f"{row.ref} is {row.status}, not a suggestion waiting for curators.")
    return row
