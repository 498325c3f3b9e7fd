"""What may be disclosed where (DESIGN: Confidentiality): the input check every item's free text passes
before it is stored, and the permit a send about an item carries to the door (bot/door.py), decided by
the same rules so that what passes here passes there.

Identifying details go to a partner only where its agreement allows them *and* the client's consent for
this case and this partner stands. The item's own case number, any case number, and the office's
do-not-post names never go to another organization, consent or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from storage import consents, partners
from storage.identifiers import NEVER_SHARED, Detector, Finding
from storage.models import Partner
from storage.people import Affiliation, Person
from storage.permissions import Action, record_allowed, refuse
from storage.wording import command


@dataclass(frozen=True)
class Permit:
    """What a send about one item may carry, decided where the item's disclosure is known: identifying
    details may be read by `teams` (the partner's, when its agreement and the client's consent allow;
    empty otherwise); `case_number` is the item's own, found in any spelling and never sent."""

    ref: str | None
    teams: frozenset[str] = frozenset()
    case_number: str | None = None

    @property
    def identifying(self) -> bool:
        return bool(self.teams)


def permit(
    session: Session, ref: str, partner: Partner | None, case_number: str | None, today: date
) -> Permit:
    """The permit of sends about item `ref` today (an action item has no partner: nothing identifying)."""
    if partner is None or not case_number or not partner.identifying_allowed:
        return Permit(ref, frozenset(), case_number)
    if not consents.standing(consents.latest(session, case_number, partner), today):
        return Permit(ref, frozenset(), case_number)
    return Permit(ref, frozenset(partners.teams_of(session, partner)), case_number)


def blocked(detector: Detector, text: str, permit: Permit) -> list[Finding]:
    """What in `text` the permit does not let go (for masking a card before it is drawn)."""
    found = detector.findings(text, permit.case_number)
    return [f for f in found if f.what in NEVER_SHARED or not permit.identifying]


def _kinds(found: list[Finding]) -> str:
    return ", ".join(sorted({f.what.value for f in found}))


def screen(
    session: Session,
    detector: Detector,
    person: Person,
    text: str,
    partner: Partner,
    channel_id: str,
    today: date,
    *,
    kind: str,
    case_number: str | None,
    consent: bool = False,
    what: str = "details",
    purpose: str = "",
) -> None:
    """Let `text` through, or refuse it (audited, without quoting it in the audit log).

    A revoked or lapsed consent stops identifying details until it is renewed; one is recorded now when
    the requester confirms the client agreed (`consent`) and none is on record. Every disclosure that goes
    is audited as allowed."""
    found = detector.findings(text, case_number)
    if not found:
        return
    kinds = _kinds(found)
    plural = what.endswith("s")  # the details look, the question looks
    look, like_it = ("look", "look like they identify") if plural else ("looks", "looks like it identifies")
    never = [f for f in found if f.what in NEVER_SHARED]
    on_record = consents.latest(session, case_number, partner) if case_number else None
    shown = as_read(detector, text, found)
    stands = consents.standing(on_record, today)
    may_share = not never and partner.identifying_allowed
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
    if never:
        reason = (
            f"The {what} {like_it} the client ({kinds}). {_kinds(never).capitalize()} never "
            f"goes to another organization, even with the client's consent: the case number goes in "
            f"`case:`, which is kept in Liaison and never posted. Remove it and send it again.{shown}"
        )
        logged = f"{what} {look} identifying: {kinds}; never shared"
    elif stopped:
        reason = (
            f"The {what} {like_it} the client ({kinds}), and {stopped}. They can't go to "
            f"{partner.name}: remove them, or if the client agrees again, renew the consent with "
            f"{command('referral consent R-12 renew')} (the referral or consult about this case).{shown}"
        )
        logged = f"{what} {look} identifying: {kinds}; the consent on record no longer stands"
    elif consent and partner.identifying_allowed:
        reason = (
            f"To record the client's consent, say which case it is for with `case:` (kept in Liaison, never "
            f"posted). The {what} {like_it} the client ({kinds}).{shown}"
        )
        logged = f"{what} {look} identifying: {kinds}; consent without a case number"
    elif consent:
        reason = (
            f"{partner.name}'s agreement does not allow identifying client details, even with the client's "
            "consent. Remove them and send it again, or an admin can change the agreement with "
            f"{command(f'liaison partner edit {partner.handle} identifying:yes')}."
        )
        logged = f"{what} {look} identifying: {kinds}; the agreement does not allow them"
    else:
        reason = (
            f"The {what} {like_it} the client ({kinds}). Identifying details can't go to "
            f"{partner.name} without the client's recorded consent. Remove them (the case number goes in "
            f"`case:`, which is never posted) and send it again.{shown}"
        )
        logged = f"{what} {look} identifying: {kinds}"
    if person.affiliation != Affiliation.home:
        reason = OUTSIDERS_TOLD
    refuse(
        person,
        f"{kind}.identifying_details",
        reason,
        subject=partner.handle,
        channel_id=channel_id,
        logged=logged,
    )


SHARED_ITEMS = "Action items are posted where several organizations read"


def screen_shared(
    detector: Detector,
    person: Person,
    text: str,
    channel_id: str | None,
    *,
    what: str,
    kind: str = "advocacy",
    because: str = SHARED_ITEMS,
) -> None:
    """Refuse (audited) any identifying detail in text that goes where several organizations read, consent
    or not: an action item's title, campaign and notes; a library entry's fields (`because` says where)."""
    found = detector.findings(text, None)
    if not found:
        return
    kinds = _kinds(found)
    reason = (
        f"{because}, so they never carry client details; the "
        f"{what} {'have' if what.endswith('s') else 'has'} what looks like {kinds}. Leave that out: a "
        f"client's matter goes to a partner as a referral or a consult.{as_read(detector, text, found)}"
    )
    refuse(
        person,
        f"{kind}.identifying_details",
        reason if person.affiliation == Affiliation.home else OUTSIDERS_TOLD,
        channel_id=channel_id,
        logged=f"{what} identifying: {kinds}",
    )


# What someone outside the office is told: which words were caught, or that a name is on the office's list,
# would let a partner probe who the office's protected clients are.
OUTSIDERS_TOLD = (
    "Liaison can't post these words as they are: they look like they identify someone (a name, a number, an "
    "address, a date of birth or a case number), and Liaison posts nothing like that where several "
    "organizations read unless the office has the client's consent. Rewrite them without those details "
    "and send them again; nothing was saved."
)


def as_read(detector: Detector, text: str, found: list[Finding]) -> str:
    """The text with what was found masked, on lines of its own after the explanation, so that none of the
    explanation's words (`a date of birth`) reads as a label for the person's own words."""
    masked = detector.masked(text, found).replace("\n", "\n> ")
    return f"\nAs Liaison read it, with what it found masked:\n> {masked}"
