"""The partner directory and the one permission check, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bot.render import slack_words
from storage import audit, partners
from storage.audit import Actor
from storage.db import Database
from storage.directory import parse_fields
from storage.errors import InvalidInput, NotFound, PermissionDenied
from storage.kinds import ItemKind
from storage.models import Partner, Role
from storage.people import Affiliation, identify, set_role
from storage.permissions import Action, ChannelKind, Place, check, require
from tests.kinds import KINDS, SCOPES

REFERRAL, CONSULT, ADVOCACY = KINDS.named("referral"), KINDS.named("consult"), KINDS.named("advocacy")

HOME = "T0HOME"
ADMIN = Actor("U0ADM", HOME)
TODAY = date(2026, 11, 24)


def _add(db: Database, handle: str, **values: str) -> None:
    with db.session() as session:
        partners.add(session, ADMIN, handle, parse_fields(values.items(), SCOPES), HOME)


@pytest.fixture
def directory(db: Database) -> Database:
    _add(
        db,
        "legal-aid",
        name="Legal Aid Society",
        kind="legal_aid",
        team="T0LEGAL",
        scope="referral,consult,advocacy",
        mou_starts="2025-07-01",
        mou_expires="2027-06-30",
        identifying="yes",
    )
    _add(db, "civil-rights", name="Civil Rights Org", kind="civil_rights", team="T0CIVIL", scope="consult")
    return db


def _person(db: Database, user: str, team: str, admins: frozenset[str] = frozenset({"U0ADM"})):
    with db.session() as session:
        return identify(session, Actor(user, team), HOME, admins)


def _verdict(db: Database, person, action: Action, **context: object):
    with db.session() as session:
        if "partner" in context and isinstance(context["partner"], str):
            context["partner"] = partners.get(session, context["partner"])
        return check(session, person, action, **context)  # type: ignore[arg-type]


def test_people_are_home_staff_partner_staff_or_unknown(directory: Database) -> None:
    assert _person(directory, "U0ADM", HOME).role == Role.admin
    assert _person(directory, "U0DEF", HOME).role == Role.defender
    lee = _person(directory, "U0LAS", "T0LEGAL")
    assert (lee.affiliation, lee.partner and lee.partner.handle) == (Affiliation.partner, "legal-aid")
    assert _person(directory, "U0STR", "T0STRANGER").affiliation == Affiliation.unknown


@pytest.mark.parametrize(
    ("user", "team", "action", "allowed"),
    [
        ("U0ADM", HOME, Action.manage_directory, True),
        ("U0DEF", HOME, Action.manage_directory, False),
        ("U0DEF", HOME, Action.see_directory, True),
        ("U0DEF", HOME, Action.see_audit, False),
        ("U0LAS", "T0LEGAL", Action.see_directory, False),
        ("U0LAS", "T0LEGAL", Action.create_item, False),
        ("U0STR", "T0STRANGER", Action.see_directory, False),
    ],
)
def test_who_may_do_what(directory: Database, user: str, team: str, action: Action, allowed: bool) -> None:
    assert _verdict(directory, _person(directory, user, team), action).allowed is allowed


def test_coordinators_read_the_audit_log(directory: Database) -> None:
    with directory.session() as session:
        set_role(session, _person(directory, "U0ADM", HOME), "U0COORD", Role.coordinator)
    assert _verdict(directory, _person(directory, "U0COORD", HOME), Action.see_audit).allowed


def test_partner_staff_act_only_on_items_addressed_to_their_own_organization(directory: Database) -> None:
    lee = _person(directory, "U0LAS", "T0LEGAL")
    assert _verdict(directory, lee, Action.act_on_item, partner="legal-aid").allowed
    other = _verdict(directory, lee, Action.act_on_item, partner="civil-rights")
    assert not other.allowed and "only on Liaison items addressed to Legal Aid Society" in other.reason


def test_unknown_organizations_are_told_who_can_fix_it(directory: Database) -> None:
    verdict = _verdict(
        directory, _person(directory, "U0STR", "T0STRANGER"), Action.act_on_item, partner="legal-aid"
    )
    assert not verdict.allowed
    assert "Liaison does not know your organization (team `T0STRANGER`)" in verdict.reason
    assert "admin" in verdict.reason


def _place(channel: str, *teams: str, kind: ChannelKind = ChannelKind.public) -> Place:
    return Place(channel_id=channel, kind=kind, external_teams=frozenset(teams))


def _new_item(db: Database, partner: str, kind: ItemKind, place: Place | None = None, today: date = TODAY):
    return _verdict(
        db,
        _person(db, "U0DEF", HOME),
        Action.create_item,
        partner=partner,
        kind=kind,
        place=place,
        today=today,
    )


def test_a_referral_goes_only_where_exactly_its_partner_reads(directory: Database) -> None:
    with directory.session() as session:
        partners.link_channel(session, ADMIN, "C0LEGAL", [partners.get(session, "legal-aid")])
        partners.link_channel(
            session, ADMIN, "C0COALITION", [partners.get(session, p) for p in ("legal-aid", "civil-rights")]
        )
    assert _new_item(directory, "legal-aid", REFERRAL, _place("C0LEGAL", "T0LEGAL")).allowed
    # A DM or private channel with the partner's people counts even when not linked.
    assert _new_item(directory, "legal-aid", REFERRAL, _place("D0DM", "T0LEGAL", kind=ChannelKind.dm)).allowed

    two = _new_item(directory, "legal-aid", REFERRAL, _place("C0COALITION", "T0LEGAL", "T0CIVIL"))
    assert not two.allowed
    assert (
        "Civil Rights Org also reads this channel, so a matter for Legal Aid Society can't be posted"
        in two.reason
    )
    present = _new_item(directory, "legal-aid", CONSULT, _place("C0LEGAL", "T0LEGAL", "T0CIVIL"))
    assert not present.allowed, "a second organization present but not linked still reads the channel"
    stranger = _new_item(directory, "legal-aid", REFERRAL, _place("C0LEGAL", "T0LEGAL", "T0STRANGER"))
    assert not stranger.allowed and "(team `T0STRANGER`)" in stranger.reason
    elsewhere = _new_item(directory, "legal-aid", REFERRAL, _place("C0OFFICE"))
    assert not elsewhere.allowed and "not linked to this channel" in elsewhere.reason
    assert _new_item(directory, "legal-aid", ADVOCACY, _place("C0COALITION", "T0LEGAL", "T0CIVIL")).allowed


def test_the_agreement_decides_what_a_partner_may_receive_and_when(directory: Database) -> None:
    out_of_scope = _new_item(directory, "civil-rights", REFERRAL)
    assert not out_of_scope.allowed
    assert "Civil Rights Org's MOU does not cover referrals (it covers: consult)" in out_of_scope.reason
    # Storage names the command in plain data; Slack sees it as code.
    assert "`/liaison partner edit civil-rights scope:consult,referral`" in slack_words(out_of_scope.reason)

    expired = _new_item(directory, "legal-aid", REFERRAL, today=date(2027, 7, 1))
    assert not expired.allowed
    assert slack_words(expired.reason) == (
        "Legal Aid Society's MOU expired on 2027-06-30; an admin can update it with "
        "`/liaison partner edit legal-aid mou_expires:YYYY-MM-DD`."
    )
    assert _new_item(directory, "legal-aid", REFERRAL, today=date(2027, 6, 30)).allowed
    early = _new_item(directory, "legal-aid", REFERRAL, today=date(2025, 6, 30))
    assert not early.allowed and "MOU starts on 2025-07-01" in early.reason

    with directory.session() as session:
        partners.deactivate(session, ADMIN, "legal-aid")
    inactive = _new_item(directory, "legal-aid", REFERRAL)
    assert not inactive.allowed and "Legal Aid Society is inactive (since " in inactive.reason


def test_a_refusal_leaves_its_audit_row_and_nothing_else(directory: Database) -> None:
    defender = _person(directory, "U0DEF", HOME)
    with pytest.raises(PermissionDenied) as refused, directory.session() as session:
        partners.add(
            session, defender.actor, "sneaky", parse_fields([("name", "X"), ("kind", "other")], SCOPES)
        )
        require(session, defender, Action.manage_directory, subject="sneaky", channel_id="C0OFFICE")
    assert (
        "Only a Liaison admin can change the partner directory; you are a defender." in refused.value.message
    )
    with directory.session() as session:
        assert session.exec(select(Partner).where(Partner.handle == "sneaky")).first() is None
        rows = audit.entries(session, subject="sneaky")
    assert [(r.action, r.decision, r.actor_user_id, r.channel_id) for r in rows] == [
        ("manage_directory", "denied", "U0DEF", "C0OFFICE")
    ]


def test_directory_changes_are_audited_and_checked(directory: Database) -> None:
    with directory.session() as session:
        partner, changed = partners.edit(
            session, ADMIN, "legal-aid", parse_fields([("mou_expires", "2028-06-30")], SCOPES)
        )
        assert changed == ["mou_expires"] and partner.mou_expires == date(2028, 6, 30)
        assert (
            partners.edit(session, ADMIN, "legal-aid", parse_fields([("mou_expires", "2028-06-30")], SCOPES))[
                1
            ]
            == []
        )
    with directory.session() as session:
        actions = [(r.action, r.reason) for r in audit.entries(session, subject="legal-aid")]
    assert actions[0] == ("partner.edit", "changed mou_expires")
    assert actions[-1][0] == "partner.add"

    problems = [
        (
            lambda s: partners.add(s, ADMIN, "x", parse_fields([("name", "X"), ("kind", "other")], SCOPES)),
            "can't be a partner handle",
        ),
        (
            lambda s: partners.add(
                s, ADMIN, "dup", parse_fields([("name", "D"), ("kind", "other"), ("team", "T0LEGAL")], SCOPES)
            ),
            "Team `T0LEGAL` already belongs to `legal-aid`",
        ),
        (
            lambda s: partners.add(
                s,
                ADMIN,
                "home",
                parse_fields([("name", "H"), ("kind", "other"), ("team", HOME)], SCOPES),
                HOME,
            ),
            "this office's own workspace",
        ),
        (
            lambda s: partners.edit(
                s, ADMIN, "legal-aid", parse_fields([("mou_expires", "2020-01-01")], SCOPES)
            ),
            "would end (2020-01-01) before it starts",
        ),
        (
            lambda s: partners.add(s, ADMIN, "nameless", parse_fields([("kind", "other")], SCOPES)),
            "needs `name:`",
        ),
    ]
    for change, message in problems:
        with (
            pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")),
            directory.session() as s,
        ):
            change(s)


def test_an_unknown_handle_names_the_closest(directory: Database) -> None:
    with pytest.raises(NotFound) as caught, directory.session() as session:
        partners.get(session, "legal-ad")
    assert caught.value.message == "There is no partner `legal-ad`. Did you mean `legal-aid`?"
