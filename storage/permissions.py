"""The one permission check every service calls: (person, action, partner or item, place) -> a verdict a
person can read. Refusals are audited with the rule that refused and who can change it."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import NoReturn

from sqlmodel import Session

from storage import audit, partners
from storage.errors import PermissionDenied
from storage.kinds import AnyKind
from storage.models import AuditEntry, Decision, Partner, PartnerStatus, Role
from storage.people import Affiliation, Person
from storage.wording import as_words, command

ADMIN_HINT = f"Admins are set with LIAISON_ADMINS or {command('liaison role @person admin')}."


class Action(StrEnum):
    create_item = "create an item"
    act_on_item = "act on an item"
    see_directory = "see the partner directory"
    manage_directory = "change the partner directory"
    link_channel = "link channels to partners"
    set_role = "set roles"
    see_audit = "see the audit log"
    see_reports = "see the partnership's reports"
    hold_cases = "place or release legal holds"
    close_days = "close the office on a day or reopen it"


class ChannelKind(StrEnum):
    dm = "dm"
    private = "private"
    public = "public"


@dataclass(frozen=True)
class Place:
    """Where something would be posted, as Slack describes the channel."""

    channel_id: str
    kind: ChannelKind
    external_teams: frozenset[str]  # teams other than the home team whose people can read it
    member: bool = True  # whether Liaison is in it, and so can post there and read its messages


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str = ""


ALLOWED = Verdict(True)

# Who may do what, by affiliation and role (partner staff act only through items addressed to them).
_HOME_ROLES: dict[Action, frozenset[Role]] = {
    Action.create_item: frozenset(Role),
    Action.act_on_item: frozenset(Role),
    Action.see_directory: frozenset(Role),
    Action.manage_directory: frozenset({Role.admin}),
    Action.link_channel: frozenset({Role.admin}),
    Action.set_role: frozenset({Role.admin}),
    Action.see_audit: frozenset({Role.coordinator, Role.admin}),
    Action.see_reports: frozenset({Role.coordinator, Role.admin}),
    Action.hold_cases: frozenset({Role.admin}),
    Action.close_days: frozenset({Role.coordinator, Role.admin}),
}


def check(
    session: Session,
    person: Person,
    action: Action,
    *,
    partner: Partner | None = None,
    kind: AnyKind | None = None,
    place: Place | None = None,
    today: date | None = None,
    owners: Collection[str] | None = None,
) -> Verdict:
    """Whether `person` may do `action`; for new items also whether `partner`'s agreement covers `kind`
    today and whether `place` is a channel where only that partner's people read. An action item has
    `owners` instead of a partner: partner staff who own it may act on it."""
    verdict = _who(person, action, partner, owners)
    if verdict.allowed and action == Action.create_item and partner is not None:
        assert kind is not None and today is not None
        verdict = _agreement(partner, kind.name, today)
        if verdict.allowed and place is not None and kind.addressed:
            verdict = _only_partner_reads(session, partner, place)
    return verdict


def require(
    session: Session,
    person: Person,
    action: Action,
    *,
    subject: str | None = None,
    channel_id: str | None = None,
    partner: Partner | None = None,
    kind: AnyKind | None = None,
    place: Place | None = None,
    today: date | None = None,
    owners: Collection[str] | None = None,
) -> None:
    """check(), raising PermissionDenied (with its audit row) when refused."""
    verdict = check(
        session, person, action, partner=partner, kind=kind, place=place, today=today, owners=owners
    )
    if not verdict.allowed:
        refuse(person, action.name, verdict.reason, subject=subject, channel_id=channel_id)


def refuse(
    person: Person,
    action: str,
    reason: str,
    *,
    subject: str | None = None,
    channel_id: str | None = None,
    logged: str | None = None,
) -> NoReturn:
    """Refuse with `reason` (shown to the person); the refusal's audit row is all that will be written.
    `logged` is what the audit row keeps when the reason quotes the person's text (the audit log is kept
    for years and must not hold client details, even masked)."""
    refusal = AuditEntry(
        actor_user_id=person.actor.user_id,
        actor_team_id=person.actor.team_id,
        action=action,
        subject=subject,
        decision=Decision.denied,
        reason=as_words(logged or reason)[:1000],
        channel_id=channel_id,
    )
    raise PermissionDenied(reason, refusal)


def record_allowed(
    session: Session,
    person: Person,
    action: Action,
    *,
    subject: str,
    reason: str,
    channel_id: str | None = None,
) -> None:
    """Audit a permitted disclosure (something posted where another organization reads it)."""
    audit.record(
        session,
        person.actor,
        action.name,
        subject=subject,
        decision=Decision.allowed,
        reason=reason,
        channel_id=channel_id,
    )


def _who(person: Person, action: Action, partner: Partner | None, owners: Collection[str] | None) -> Verdict:
    if person.affiliation == Affiliation.unknown:
        return Verdict(
            False,
            f"Liaison does not know your organization (team `{person.actor.team_id}`), so it "
            "can't let you do that. If your organization works with this office, ask the office's "
            "Liaison admin to add your team to the partner directory.",
        )
    if person.affiliation == Affiliation.partner:
        assert person.partner is not None
        if action == Action.act_on_item and partner is not None and partner.id == person.partner.id:
            return ALLOWED
        if action == Action.act_on_item and owners is not None and person.user_id in owners:
            return ALLOWED
        return Verdict(
            False,
            f"As staff of {person.partner.name} you can act only on Liaison items addressed "
            f"to {person.partner.name} and on action items you own, with the buttons on their cards; "
            f"only the office can {action.value}.",
        )
    assert person.role is not None
    if person.role in _HOME_ROLES[action]:
        return ALLOWED
    needed = " or ".join(r.value for r in Role if r in _HOME_ROLES[action])  # in rank order
    return Verdict(
        False, f"Only a Liaison {needed} can {action.value}; you are a {person.role}. {ADMIN_HINT}"
    )


def _agreement(partner: Partner, kind: str, today: date) -> Verdict:
    def edit(change: str) -> str:
        return command(f"liaison partner edit {partner.handle} {change}")

    if partner.status == PartnerStatus.inactive:
        since = partner.updated_at.date().isoformat()
        return Verdict(
            False,
            f"{partner.name} is inactive (since {since}), so it can't receive new items; an "
            f"admin can reactivate it with {edit('status:active')}.",
        )
    if partner.mou_starts is not None and today < partner.mou_starts:
        return Verdict(
            False,
            f"{partner.name}'s MOU starts on {partner.mou_starts}; new items can go to it from "
            f"then. An admin can correct the date with {edit('mou_starts:YYYY-MM-DD')}.",
        )
    if partner.mou_expires is not None and today > partner.mou_expires:
        return Verdict(
            False,
            f"{partner.name}'s MOU expired on {partner.mou_expires}; an admin can update it "
            f"with {edit('mou_expires:YYYY-MM-DD')}.",
        )
    if kind not in partner.scope:
        covered = ", ".join(partner.scope) or "nothing yet"
        return Verdict(
            False,
            f"{partner.name}'s MOU does not cover {kind}s (it covers: {covered}); an "
            f"admin can change that with {edit('scope:' + ','.join([*partner.scope, kind]))}.",
        )
    return ALLOWED


def _readers(session: Session, place: Place) -> tuple[dict[int | None, Partner], list[str]]:
    """The partners who read `place` (linked to it, or by their teams in it), and the teams in it that no
    partner record names."""
    partners.as_it_is_now(session)
    linked: dict[int | None, Partner] = {p.id: p for p in partners.linked_partners(session, place.channel_id)}
    unknown_teams = []
    for team_id in sorted(place.external_teams):
        owner = partners.for_team(session, team_id)
        if owner is None:
            unknown_teams.append(team_id)
        else:
            linked[owner.id] = owner
    return linked, unknown_teams


def _only_partner_reads(session: Session, partner: Partner, place: Place) -> Verdict:
    """Client matters go only where exactly the addressed partner's people read (DESIGN: Confidentiality)."""
    linked, unknown_teams = _readers(session, place)
    if unknown_teams:
        return Verdict(
            False,
            "People of an organization Liaison does not know (team "
            f"{', '.join(f'`{t}`' for t in unknown_teams)}) can read this channel, so client matters "
            f"can't be posted here. Post it in the channel you share only with {partner.name}.",
        )
    others = [p.name for pid, p in sorted(linked.items()) if pid != partner.id]
    if others:
        return Verdict(
            False,
            f"{' and '.join(others)} also read{'s' if len(others) == 1 else ''} this channel, "
            f"so a matter for {partner.name} can't be posted here. Post it in the channel you share "
            f"only with {partner.name}.",
        )
    if partner.id not in linked:
        return Verdict(
            False,
            f"{partner.name} is not linked to this channel. Post it in the channel you share "
            f"with {partner.name}, or an admin can link this one with "
            f"{command(f'liaison channel link #this-channel {partner.handle}')}.",
        )
    return ALLOWED


def one_partner_reads(session: Session, place: Place) -> Verdict:
    """Whether a client matter could go to `place` at all, whichever partner it is for: exactly one partner
    reads it (linked, or by its team) and nobody Liaison does not know. Asked before a form is filled in
    for a channel already chosen (a message shortcut); sending checks the partner chosen (check())."""
    readers, unknown_teams = _readers(session, place)
    if unknown_teams:
        return Verdict(
            False,
            "People of an organization Liaison does not know (team "
            f"{', '.join(f'`{t}`' for t in unknown_teams)}) can read this channel, so client matters "
            "can't be posted here: use it in the channel you share with the partner.",
        )
    if len(readers) == 1:
        return _only_partner_reads(session, next(iter(readers.values())), place)
    if not readers:
        return Verdict(
            False,
            "No partner reads this channel, so a referral or a consult can't be posted here: use it in the "
            "channel you share with the partner, or an admin can link this one to it with "
            f"{command('liaison channel link #this-channel handle')}.",
        )
    names = " and ".join(p.name for _, p in sorted(readers.items()))
    return Verdict(
        False,
        f"{names} all read this channel, so a client matter can't be posted here: use it in the channel "
        "you share with only one of them.",
    )
