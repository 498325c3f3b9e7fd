"""`/liaison partner ...` and `/liaison channel ...`: the partner directory and which partners are in which
channel. Changes are for admins; any home staff may look."""

from __future__ import annotations

from sqlmodel import Session

from commands.format import channel as channel_ref
from commands.format import person as person_ref
from commands.grammar import UsageError
from commands.invocation import Invocation, Reply
from storage import partners
from storage.directory import BY_KEY, check_handle, parse_fields
from storage.models import Partner, PartnerStatus
from storage.permissions import Action, Place, Verdict, check, require


def _handle(inv: Invocation) -> str:
    if len(inv.args.words) != 1:
        raise UsageError(f"Name exactly one partner handle.\nUsage: `{inv.usage}`")
    return check_handle(inv.args.words[0].lower())


def _channel(inv: Invocation) -> str:
    """The channel named in the command, else the one it was typed in."""
    channel_id = inv.args.channels[0] if inv.args.channels else inv.channel_id
    if channel_id is None:
        raise UsageError(f"Name the channel.\nUsage: `{inv.usage}`")
    return channel_id


def _values(inv: Invocation) -> dict[str, object]:
    pairs = ((key, value) for key, values in inv.args.options.items() for value in values)
    return parse_fields(pairs, inv.deps.specs.scopes)


def partner_add(inv: Invocation) -> Reply:
    handle = _handle(inv)
    with inv.deps.db.session() as session:
        me = inv.person(session)
        require(session, me, Action.manage_directory, subject=handle, channel_id=inv.channel_id)
        partner = partners.add(session, me.actor, handle, _values(inv), inv.deps.home_team_id)
        text = f"Added {partner.name} (`{handle}`) to the partner directory.\n{describe(session, partner)}"
        text += "".join(f"\n:warning: {w}" for w in _gaps(session, partner))
    return Reply(text)


def partner_edit(inv: Invocation) -> Reply:
    handle = _handle(inv)
    if not inv.args.options:
        raise UsageError(f"Say what to change, like `/liaison partner edit {handle} mou_expires:2027-06-30`.")
    with inv.deps.db.session() as session:
        me = inv.person(session)
        require(session, me, Action.manage_directory, subject=handle, channel_id=inv.channel_id)
        partner, changed = partners.edit(session, me.actor, handle, _values(inv), inv.deps.home_team_id)
        summary = f"Changed {', '.join(f'`{k}`' for k in changed)}" if changed else "Nothing changed"
        text = f"{summary} for {partner.name} (`{handle}`).\n{describe(session, partner)}"
    return Reply(text)


def partner_deactivate(inv: Invocation) -> Reply:
    handle = _handle(inv)
    with inv.deps.db.session() as session:
        me = inv.person(session)
        require(session, me, Action.manage_directory, subject=handle, channel_id=inv.channel_id)
        partner = partners.deactivate(session, me.actor, handle)
    return Reply(
        f"{partner.name} (`{handle}`) is inactive: it receives no new items. Items already open with "
        f"it stay open. Reactivate with `/liaison partner edit {handle} status:active`."
    )


def partner_show(inv: Invocation) -> Reply:
    handle = _handle(inv)
    with inv.deps.db.session() as session:
        me = inv.person(session)
        require(session, me, Action.see_directory, subject=handle, channel_id=inv.channel_id)
        return Reply(describe(session, partners.get(session, handle)))


def partner_list(inv: Invocation) -> Reply:
    with inv.deps.db.session() as session:
        me = inv.person(session)
        require(session, me, Action.see_directory, channel_id=inv.channel_id)
        everyone = partners.everyone(session)
        if not everyone:
            return Reply(
                "The partner directory is empty. An admin adds partners with `/liaison partner add`."
            )
        lines = [f"*Partners* ({len(everyone)})"]
        for partner in everyone:
            mou = f"MOU to {partner.mou_expires}" if partner.mou_expires else "no MOU end date"
            receives = ", ".join(partner.scope) or "nothing yet"
            lines.append(
                f"• `{partner.handle}` {partner.name} ({kind_words(partner.kind)}): {partner.status}, {mou}, "
                f"receives {receives}"
            )
    return Reply("\n".join(lines))


def channel_link(inv: Invocation) -> Reply:
    if len(inv.args.channels) > 1 or not inv.args.words:
        raise UsageError(f"Name one channel and at least one partner handle.\nUsage: `{inv.usage}`")
    channel_id = _channel(inv)
    with inv.deps.db.session() as session:
        me = inv.person(session)
        require(session, me, Action.link_channel, subject=channel_id, channel_id=inv.channel_id)
        chosen = [partners.get(session, handle.lower()) for handle in inv.args.words]
        place = inv.deps.slack.place(channel_id)
        new = partners.link_channel(session, me.actor, channel_id, chosen)
        lines = [
            f"Linked {channel_ref(channel_id)} to {', '.join(p.name for p in new)}."
            if new
            else f"{channel_ref(channel_id)} was already linked to {', '.join(p.name for p in chosen)}."
        ]
        for partner in chosen:
            if not set(partners.teams_of(session, partner)) & place.external_teams:
                lines.append(
                    f":warning: No one from {partner.name}'s Slack workspace is in "
                    f"{channel_ref(channel_id)} yet."
                )
        if len(partners.linked_partners(session, channel_id)) > 1:
            lines.append(
                "Several organizations read this channel, so referrals and consults can't be posted "
                "there; advocacy items can."
            )
    return Reply("\n".join(lines))


def channel_show(inv: Invocation) -> Reply:
    if len(inv.args.channels) > 1:
        raise UsageError(f"Name at most one channel.\nUsage: `{inv.usage}`")
    channel_id = _channel(inv)
    with inv.deps.db.session() as session:
        me = inv.person(session)
        require(session, me, Action.see_directory, subject=channel_id, channel_id=inv.channel_id)
        place = inv.deps.slack.place(channel_id)
        linked = partners.linked_partners(session, channel_id)
        lines = [f"*{channel_ref(channel_id)}* ({place.kind})"]
        lines.append("Linked partners: " + (", ".join(f"{p.name} (`{p.handle}`)" for p in linked) or "none"))
        for team_id in sorted(place.external_teams):
            owner = partners.for_team(session, team_id)
            lines.append(f"Team `{team_id}`: " + (owner.name if owner else "*not in the partner directory*"))
        for partner in linked:
            verdict = _may_post(session, inv, partner, place)
            lines.append(
                f"Referrals and consults for {partner.name}: "
                + ("can be posted here." if verdict.allowed else f"no. {verdict.reason}")
            )
    return Reply("\n".join(lines))


def _may_post(session: Session, inv: Invocation, partner: Partner, place: Place) -> Verdict:
    me = inv.person(session)
    return check(
        session,
        me,
        Action.create_item,
        partner=partner,
        kind=inv.deps.kinds.addressed[0],  # client matters: what referrals and consults need
        place=place,
        today=inv.deps.today(),
    )


def kind_words(kind: str) -> str:
    """A partner's kind as a person says it (`legal_aid` is how it is typed and stored: legal aid)."""
    return kind.replace("_", " ")


def describe(session: Session, partner: Partner) -> str:
    """A partner's record as an admin reads it."""
    values = partners.snapshot(session, partner)
    lines = [f"*{partner.name}* (`{partner.handle}`), {kind_words(partner.kind)}, {partner.status}"]
    for key, value in values.items():
        if key in ("name", "kind", "status"):
            continue
        if key == "contacts":
            value = [person_ref(u) for u in value]
        elif key == "channels":
            value = [channel_ref(c) for c in value]
        if isinstance(value, bool):
            shown = "yes" if value else "no"
        else:
            shown = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        lines.append(f"• {BY_KEY[key].label}: {shown}")
    linked = [channel_ref(c) for c in partners.channels_of(session, partner)]
    lines.append("• Linked channels: " + (", ".join(linked) or "none"))
    return "\n".join(lines)


def _gaps(session: Session, partner: Partner) -> list[str]:
    gaps = []
    if partner.on_slack and not partners.teams_of(session, partner):
        gaps.append(
            f"No Slack team given: Liaison can't recognise {partner.name}'s staff until you add "
            f"`/liaison partner edit {partner.handle} team:T...`."
        )
    if not partner.scope:
        gaps.append(
            f"No MOU scope: {partner.name} can't receive anything until you set "
            f"`/liaison partner edit {partner.handle} scope:referral,consult,advocacy`."
        )
    if partner.status == PartnerStatus.inactive:
        gaps.append(f"{partner.name} is inactive.")
    return gaps
