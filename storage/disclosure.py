"""The gate for text bound for a channel another organization reads (DESIGN: Confidentiality). Items of
every kind pass their free text through `screen` before it is posted."""

from __future__ import annotations

from sqlmodel import Session

from storage import confidentiality, consents
from storage.models import Partner
from storage.people import Person
from storage.permissions import Action, record_allowed, refuse
from storage.types import utcnow


def screen(
    session: Session,
    person: Person,
    text: str,
    partner: Partner,
    channel_id: str,
    *,
    kind: str,
    case_number: str | None,
    consent: bool = False,
    what: str = "details",
    purpose: str = "",
) -> None:
    """Let `text` through, or refuse it (audited, without quoting it in the audit log).

    The item's own case number never goes out, consent or not. Other identifying details go only where the
    partner's agreement allows them *and* the client's consent for this case and this partner stands: one
    on record, or one recorded now because the requester confirmed it (`consent`). A revoked or lapsed
    consent stops them until it is renewed. Every disclosure that goes is audited as allowed."""
    found = confidentiality.findings(text, case_number)
    if not found:
        return
    kinds = ", ".join(sorted({f.what for f in found}))
    plural = what.endswith("s")  # the details look, the question looks
    look, like_it = ("look", "look like they identify") if plural else ("looks", "looks like it identifies")
    # Never posted, consent or not: the case number, and the office's do-not-post names.
    has_case_number = any(f.what in (confidentiality.CASE_NUMBER, confidentiality.DO_NOT_POST) for f in found)
    today = utcnow().date()
    on_record = consents.latest(session, case_number, partner) if case_number else None
    shown = f'"{confidentiality.masked(text, found)}"'
    stands = consents.standing(on_record, today)
    may_share = not has_case_number and partner.identifying_allowed
    if may_share and (stands or (consent and case_number and on_record is None)):
        if on_record is None or not stands:
            assert case_number is not None
            on_record = consents.record(session, person, case_number, partner, purpose or kind, today)
        record_allowed(
            session,
            person,
            Action.create_item,
            subject=partner.handle,
            channel_id=channel_id,
            reason=f"identifying details ({kinds}) shared under consent {on_record.id}",
        )
        return
    stopped = None if stands else consents.why_not(on_record, partner)
    if stopped and not has_case_number:
        reason = (
            f"The {what} {like_it} the client ({kinds}): {shown}, and {stopped}. They can't go to "
            f"{partner.name}: remove them, or if the client agrees again, renew the consent with "
            "`/referral consent R-12 renew` (the referral or consult about this case)."
        )
        logged = f"{what} {look} identifying: {kinds}; the consent on record no longer stands"
    elif consent and not has_case_number and partner.identifying_allowed:
        reason = (
            f"To record the client's consent, say which case it is for with `case:` (kept in Liaison, never "
            f"posted). The {what} {like_it} the client ({kinds}): {shown}."
        )
        logged = f"{what} {look} identifying: {kinds}; consent without a case number"
    elif consent and not has_case_number:
        reason = (
            f"{partner.name}'s agreement does not allow identifying client details, even with the client's "
            "consent. Remove them and send it again, or an admin can change the agreement with "
            f"`/liaison partner edit {partner.handle} identifying:yes`."
        )
        logged = f"{what} {look} identifying: {kinds}; the agreement does not allow them"
    else:
        reason = (
            f"The {what} {like_it} the client ({kinds}): {shown}. Identifying details can't go to "
            f"{partner.name} without the client's recorded consent. Remove them (the case number goes in "
            "`case:`, which is never posted) and send it again."
        )
        logged = f"{what} {look} identifying: {kinds}"
    refuse(
        person,
        f"{kind}.identifying_details",
        reason,
        subject=partner.handle,
        channel_id=channel_id,
        logged=logged,
    )


def screen_shared(session: Session, person: Person, text: str, channel_id: str, *, what: str) -> None:
    """Refuse (audited) any identifying detail in an action item's text: action items go where several
    organizations read, so they never carry client details, consent or not."""
    found = confidentiality.findings(text, None)
    if not found:
        return
    kinds = ", ".join(sorted({f.what for f in found}))
    refuse(
        person,
        "advocacy.identifying_details",
        f"Action items are posted where several organizations read, so they never carry client details; the "
        f"{what} {'have' if what.endswith('s') else 'has'} what looks like {kinds}: "
        f'"{confidentiality.masked(text, found)}". Leave that out: a client\'s matter goes to a partner as a '
        "referral or a consult.",
        channel_id=channel_id,
        logged=f"{what} identifying: {kinds}",
    )
