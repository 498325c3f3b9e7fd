"""The partner directory and channel links: every change goes through here and is audited."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from storage import audit, clock, lookups
from storage.audit import Actor
from storage.directory import BY_KEY, FIELDS, REQUIRED, check_handle
from storage.errors import InvalidInput, NotFound
from storage.models import ChannelLink, Partner, PartnerStatus, PartnerTeam, UnknownTeamNotice
from storage.suggest import closest
from storage.wording import command


def get(session: Session, handle: str, *, suggest: bool = True) -> Partner:
    """The partner with `handle`, or NotFound naming the closest handles (`suggest`: only to people who
    may know who the partners are)."""
    key = handle.lower()
    found = lookups.instances(
        session, "partner", key, Partner, lambda: session.exec(_BY_HANDLE, params={"handle": key}).all()
    )
    partner = found[0] if found else None
    if partner is None and not suggest:
        raise NotFound(f"There is no partner `{handle}`.")
    if partner is None:
        handles = [p.handle for p in everyone(session)]
        hint = closest(handle, handles)
        known = (
            f" Did you mean `{hint}`?"
            if hint
            else (
                f" Known partners: {', '.join(f'`{h}`' for h in handles)}."
                if handles
                else f" There are no partners yet: an admin adds them with {command('liaison partner add')}."
            )
        )
        raise NotFound(f"There is no partner `{handle}`.{known}")
    return partner


def everyone(session: Session) -> Sequence[Partner]:
    return session.exec(select(Partner).order_by(col(Partner.handle))).all()


def teams_of(session: Session, partner: Partner) -> list[str]:
    query = select(PartnerTeam.team_id).where(PartnerTeam.partner_id == partner.id)
    return sorted(session.exec(query).all())


def for_team(session: Session, team_id: str | None) -> Partner | None:
    if team_id is None:
        return None
    partner_id = lookups.read(
        session,
        "team's partner",
        team_id,
        lambda: session.execute(_TEAMS_PARTNER, {"team_id": team_id}).scalar(),
    )
    # Often in the session already (the channel's partners were read first): no second statement.
    return session.get(Partner, partner_id) if partner_id is not None else None


def add(
    session: Session, actor: Actor, handle: str, values: Mapping[str, Any], home_team_id: str | None = None
) -> Partner:
    check_handle(handle)
    if session.exec(select(Partner).where(Partner.handle == handle)).first() is not None:
        raise InvalidInput(
            f"A partner `{handle}` already exists: change it with "
            f"{command(f'liaison partner edit {handle}')}."
        )
    missing = [key for key in REQUIRED if BY_KEY[key].attribute not in values]
    if missing:
        raise InvalidInput(f"A new partner needs {' and '.join(f'`{k}:`' for k in missing)}.", missing[0])
    partner = Partner(handle=handle, name=values["name"], kind=values["kind"])
    _apply(session, partner, values, home_team_id)
    audit.record(session, actor, "partner.add", subject=handle, reason=_describe(values))
    return partner


def edit(
    session: Session, actor: Actor, handle: str, values: Mapping[str, Any], home_team_id: str | None = None
) -> tuple[Partner, list[str]]:
    """Change the given fields; returns the partner and the keys that really changed."""
    partner = get(session, handle)
    changed = _apply(session, partner, values, home_team_id)
    if changed:
        audit.record(
            session, actor, "partner.edit", subject=partner.handle, reason="changed " + ", ".join(changed)
        )
    return partner, changed


def deactivate(session: Session, actor: Actor, handle: str) -> Partner:
    partner = get(session, handle)
    if partner.status != PartnerStatus.inactive:
        _apply(session, partner, {"status": PartnerStatus.inactive.value}, None)
        audit.record(session, actor, "partner.deactivate", subject=partner.handle)
    return partner


def upsert(
    session: Session, actor: Actor, handle: str, values: Mapping[str, Any], home_team_id: str | None = None
) -> str:
    """Add or bring a partner to exactly `values` (for the YAML import): 'added', 'changed' or 'unchanged'."""
    if session.exec(select(Partner).where(Partner.handle == handle)).first() is None:
        add(session, actor, handle, values, home_team_id)
        return "added"
    return "changed" if edit(session, actor, handle, values, home_team_id)[1] else "unchanged"


def link_channel(
    session: Session, actor: Actor, channel_id: str, partners: Collection[Partner], how: str = "channel.link"
) -> list[Partner]:
    """Link `partners` to the channel; returns those that were not linked before."""
    linked = {p.id for p in linked_partners(session, channel_id)}
    new = [p for p in partners if p.id not in linked]
    for partner in new:
        assert partner.id is not None
        session.add(ChannelLink(channel_id=channel_id, partner_id=partner.id, linked_by=actor.user_id))
        audit.record(session, actor, how, subject=partner.handle, channel_id=channel_id)
    session.info.get(_LINKED, {}).pop(channel_id, None)
    return new


def as_it_is_now(session: Session) -> None:
    """Before deciding who reads a channel: if the directory changed since the command was taken
    (storage/lookups.py confirm), the partners this session holds are read again when next used."""
    if lookups.confirm(session):
        return
    session.info.pop(_LINKED, None)
    for held in list(session.identity_map.values()):
        if isinstance(held, Partner) and held not in session.dirty and held not in session.deleted:
            session.expire(held)


def linked_partners(session: Session, channel_id: str) -> list[Partner]:
    """The partners linked to the channel, read once per transaction (a new item asks twice: which
    partner it goes to, and who reads the channel); link_channel() forgets it."""
    known: dict[str, list[Partner]] = session.info.setdefault(_LINKED, {})
    if channel_id not in known:
        known[channel_id] = lookups.instances(
            session,
            "linked partners",
            channel_id,
            Partner,
            lambda: session.exec(_LINKED_TO, params={"channel_id": channel_id}).all(),
        )
    return list(known[channel_id])


# Read for every new item and every reader check: built once (building and keying a statement cost more
# than running it).
_BY_HANDLE = select(Partner).where(col(Partner.handle) == bindparam("handle"))
_TEAMS_PARTNER = select(PartnerTeam.partner_id).where(col(PartnerTeam.team_id) == bindparam("team_id"))
_LINKED_TO = (
    select(Partner)
    .join(ChannelLink, col(ChannelLink.partner_id) == col(Partner.id))
    .where(col(ChannelLink.channel_id) == bindparam("channel_id"))
    .order_by(col(Partner.handle))
)


_LINKED = "liaison linked partners"  # session.info's key for linked_partners()


def channels_of(session: Session, partner: Partner) -> list[str]:
    query = select(ChannelLink.channel_id).where(ChannelLink.partner_id == partner.id)
    return sorted(session.exec(query).all())


def first_notice(session: Session, channel_id: str, team_id: str) -> bool:
    """True the first time an unknown external team is seen in a channel (so admins are told once)."""
    if session.get(UnknownTeamNotice, (channel_id, team_id)) is not None:
        return False
    session.add(UnknownTeamNotice(channel_id=channel_id, team_id=team_id))
    session.flush()
    return True


def snapshot(session: Session, partner: Partner) -> dict[str, Any]:
    """The partner as directory keys and plain values (for export and `partner show`)."""
    values: dict[str, Any] = {}
    for field in FIELDS:
        value = (
            teams_of(session, partner) if field.attribute == "teams" else getattr(partner, field.attribute)
        )
        if value is None or value == []:
            continue
        values[field.key] = value.isoformat() if hasattr(value, "isoformat") else value
    return values


def _apply(
    session: Session, partner: Partner, values: Mapping[str, Any], home_team_id: str | None
) -> list[str]:
    changed = []
    for field in FIELDS:
        if field.attribute not in values:
            continue
        new = values[field.attribute]
        if field.attribute == "teams":
            if _set_teams(session, partner, new, home_team_id):
                changed.append(field.key)
        elif getattr(partner, field.attribute) != new:
            setattr(partner, field.attribute, new)
            changed.append(field.key)
    if changed and partner.mou_starts and partner.mou_expires and partner.mou_expires < partner.mou_starts:
        raise InvalidInput(
            f"The agreement would end ({partner.mou_expires}) before it starts ({partner.mou_starts}).",
            "mou_expires",
        )
    if changed:
        partner.updated_at = clock.now()
        session.add(partner)
        session.flush()
    return changed


def _set_teams(session: Session, partner: Partner, teams: list[str], home_team_id: str | None) -> bool:
    if home_team_id in teams:
        raise InvalidInput(f"`{home_team_id}` is this office's own workspace, not a partner's.", "team")
    session.add(partner)
    session.flush()  # the partner needs its id before its teams can point at it
    current = set(teams_of(session, partner))
    if current == set(teams):
        return False
    for team_id in teams:
        owner = for_team(session, team_id)
        if owner is not None and owner.id != partner.id:
            raise InvalidInput(f"Team `{team_id}` already belongs to `{owner.handle}`.", "team")
    for row in session.exec(select(PartnerTeam).where(PartnerTeam.partner_id == partner.id)).all():
        if row.team_id not in teams:
            session.delete(row)
    for team_id in set(teams) - current:
        session.add(PartnerTeam(team_id=team_id, partner_id=id_of(partner)))
    return True


def _describe(values: Mapping[str, Any]) -> str:
    keys = [f.key for f in FIELDS if f.attribute in values]
    return "with " + ", ".join(keys)


def id_of(partner: Partner) -> int:
    """A stored partner's ID (a partner being added is flushed first)."""
    assert partner.id is not None
    return partner.id


def covers(partner: Partner, scope: str, today: date) -> bool:
    """Whether the partner's agreement covers `scope` (`resources`, `training`) today: active, in scope,
    and within its dates."""
    return (
        partner.status == PartnerStatus.active
        and scope in partner.scope
        and (partner.mou_starts is None or partner.mou_starts <= today)
        and (partner.mou_expires is None or today <= partner.mou_expires)
    )


def barred(
    session: Session, channel_id: str, teams: Collection[str], allowed: Callable[[Partner], bool]
) -> list[str] | None:
    """The names of the organizations reading a channel (its linked partners and the teams Slack says
    read it) that `allowed` refuses, sorted; None when people of an organization Liaison does not know
    read it, who are refused whatever it is."""
    as_it_is_now(session)
    readers = {p.id: p for p in linked_partners(session, channel_id)}
    for team in sorted(teams):
        partner = for_team(session, team)
        if partner is None:
            return None
        readers[partner.id] = partner
    return sorted(p.name for p in readers.values() if not allowed(p))


def admits(audience: str, partner: Partner, scope: str, named: Callable[[], set[int]], today: date) -> bool:
    """Whether an audience (storage/library_tables.Audience's words) lets a partner's people in:
    `agreement`, when their agreement covers `scope` today; `partners`, when they are `named` (asked
    only then); `office`, never."""
    if audience == "agreement":
        return covers(partner, scope, today)
    if audience == "partners":
        return partner.id in named()
    return False
