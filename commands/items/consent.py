"""`/referral consent R-12 [revoke|renew]` (and `/consult consent`): the client's consent to share
identifying details with the item's partner, for its case. Home staff only: the case number is internal."""

from __future__ import annotations

from commands.grammar import UsageError
from commands.invocation import Invocation, Reply
from commands.items.cards import redraw_all
from commands.registry import Subcommand, on_an_item
from storage import consents, items, moves
from storage.kinds import AnyKind
from storage.permissions import Action, require
from storage.states import Side

CONSENT_ACTIONS = ("revoke", "renew")


def consent_subcommand(kind: AnyKind, example: str) -> Subcommand:
    return on_an_item(
        "consent",
        "the client's consent to share identifying details with the partner for this case: see it, "
        "`revoke` it, or `renew` it (home staff).",
        lambda inv: _consent(inv, kind),
        arguments=f"{example} [revoke|renew]",
    )


def _consent(inv: Invocation, kind: AnyKind) -> Reply:
    words = [w.lower() for w in inv.args.words]
    if not 1 <= len(words) <= 2 or (len(words) == 2 and words[1] not in CONSENT_ACTIONS):
        raise UsageError(
            f"Name one {kind.noun}, and `revoke` or `renew` to change its consent.\nUsage: `{inv.usage}`"
        )
    today = inv.deps.today()
    with inv.deps.db.session() as session:
        me = inv.person(session)
        require(session, me, Action.see_directory)  # home staff: the case number is theirs alone
        item = items.get(session, inv.deps.kinds, me, inv.args.words[0], kind)
        partner = items.partner_of(session, item)
        case = item.case()
        if partner is None or not case:
            raise UsageError(f"{item.ref} has no case number, so no consent is kept for it.")
        on_record = consents.latest(session, case, partner)
        action = words[1] if len(words) == 2 else None
        if action == "revoke":
            if not consents.standing(on_record, today):
                raise UsageError(
                    f"There is no standing consent for case `{case}` and {partner.name} to revoke."
                )
            assert on_record is not None
            moves.require_side(
                session, me, item, frozenset({Side.requester}), "consent", "revoke its consent"
            )
            consents.revoke(session, me, on_record, inv.deps.clock())
            cards_shown = items.posted_about(session, inv.deps.kinds, case, partner)
        elif action == "renew":
            if not partner.identifying_allowed:
                raise UsageError(f"{partner.name}'s agreement does not allow identifying details at all.")
            moves.require_side(
                session, me, item, frozenset({Side.requester}), "consent", "record its consent"
            )
            fresh = consents.record(session, me, case, partner, f"renewed for {item.ref}", today)
            return Reply(
                f"Recorded: the client agreed to share identifying details about case `{case}` with "
                f"{partner.name}, until {fresh.expires_on}."
            )
    if action == "revoke":
        redraw_all(inv.deps, cards_shown)  # the cards no longer show what the consent let them show
        return Reply(
            f"Revoked. From now on nothing identifying about case `{case}` goes to {partner.name}, and its "
            "cards are redrawn without it. What was already posted stays in their workspace: ask them to "
            "delete it if the client wants."
        )
    if on_record is None:
        return Reply(f"No consent is recorded for case `{case}` and {partner.name}.")
    state = (
        f"revoked on {on_record.revoked_at.date()} by <@{on_record.revoked_by}>"
        if on_record.revoked_at
        else f"standing until {on_record.expires_on}"
        if consents.standing(on_record, today)
        else f"expired on {on_record.expires_on}"
    )
    return Reply(
        f"Consent for case `{case}` and {partner.name}: recorded on {on_record.given_on} by "
        f"<@{on_record.given_by}> ({on_record.purpose}), {state}."
    )
