"""Partners, people and permissions through the stand-in, the bot in this process on SQLite and
PostgreSQL: admins keep the directory in Slack, Slack Connect users are recognised by their own team, and
every refusal says which rule and leaves an audit row. Through the bot as a process:
tests/test_e2e_journeys.py."""

from __future__ import annotations

import pytest

from bot.sandbox import Sandbox, visible_text
from tests.inprocess import InProcessBot
from tests.office import (
    ADMIN,
    CIVIL_USER,
    DEFENDER,
    OFFICE_CHANNEL,
    PARTNER_USER,
    SHARED_CHANNEL,
    STRANGER,
    Bot,
)
from tests.office import command as typed

COORDINATOR = "U0COORD"
COALITION, MIXED, OLD = "C0COALITION", "C0MIXED", "C0OLD"

ADD_LEGAL_AID = (
    'partner add legal-aid name:"Legal Aid Society" kind:legal_aid team:T0LEGAL '
    "services:housing,benefits,expungement mou:MOU-2025-04 mou_starts:2025-07-01 mou_expires:2027-06-30 "
    "scope:referral,consult,advocacy identifying:yes"
)


def workspace(slack: Sandbox) -> None:
    """The module's own people and channels, beyond the office's."""
    slack.add_user(COORDINATOR, "cory", real_name="Cory Coordinator")
    slack.add_member(OFFICE_CHANNEL, COORDINATOR)
    slack.add_channel(COALITION, "coalition", members=[DEFENDER, PARTNER_USER, CIVIL_USER])
    slack.add_channel(MIXED, "mixed", members=[DEFENDER, PARTNER_USER, STRANGER], bot_member=False)
    slack.add_channel(OLD, "old-clinic", members=[DEFENDER])


@pytest.fixture(scope="module")
def slack(slack: Sandbox) -> Sandbox:
    workspace(slack)
    return slack


def set_up(slack: Sandbox, bot: Bot) -> None:
    answer = typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", ADD_LEGAL_AID)
    assert "Added Legal Aid Society (`legal-aid`) to the partner directory." in answer


@pytest.fixture(scope="module")
def bot(slack: Sandbox, in_process: InProcessBot) -> InProcessBot:
    set_up(slack, in_process)
    return in_process


def liaison(slack: Sandbox, bot: Bot, user: str, text: str, channel: str = OFFICE_CHANNEL) -> str:
    return typed(slack, bot, user, channel, "/liaison", text)


def audit_says(slack: Sandbox, bot: Bot, query: str) -> str:
    return liaison(slack, bot, ADMIN, f"audit {query}")


def test_home_staff_see_the_partner_as_the_admin_entered_it(slack: Sandbox, bot: Bot) -> None:
    shown = liaison(slack, bot, DEFENDER, "partner show legal-aid")
    for expected in (
        "*Legal Aid Society* (`legal-aid`), legal aid, active",
        "Slack teams: T0LEGAL",
        "Services: housing, benefits, expungement",
        "MOU: MOU-2025-04",
        "MOU expires: 2027-06-30",
        "May receive: advocacy, consult, referral",
        "Identifying details may be shared: yes",
    ):
        assert expected in shown
    assert "`legal-aid` Legal Aid Society (legal aid): active, MOU to 2027-06-30" in liaison(
        slack, bot, DEFENDER, "partner list"
    )


def test_a_slack_connect_user_is_recognised_as_their_partners_staff(slack: Sandbox, bot: Bot) -> None:
    answer = liaison(slack, bot, PARTNER_USER, "whoami", SHARED_CHANNEL)
    assert "staff of Legal Aid Society (`legal-aid`)" in answer


def test_partner_staff_are_refused_the_office_directory_and_it_is_audited(slack: Sandbox, bot: Bot) -> None:
    answer = liaison(slack, bot, PARTNER_USER, "partner list", SHARED_CHANNEL)
    assert (
        "As staff of Legal Aid Society you can act only on Liaison items addressed to Legal Aid Society"
        in answer
    )
    assert ":no_entry: " in audit_says(slack, bot, f"user:<@{PARTNER_USER}|lee>")
    assert "see_directory" in audit_says(slack, bot, f"user:<@{PARTNER_USER}|lee>")


def test_a_user_of_an_unknown_organization_changes_and_reads_nothing(slack: Sandbox, bot: Bot) -> None:
    slack.add_member(SHARED_CHANNEL, STRANGER)
    answer = liaison(slack, bot, STRANGER, "partner show legal-aid", SHARED_CHANNEL)
    assert "Liaison does not know your organization (team `T0STRANGER`)" in answer
    assert "Legal Aid Society" not in answer
    log = audit_says(slack, bot, f"user:<@{STRANGER}|sam>")
    assert "see_directory `legal-aid`" in log and ":no_entry:" in log


def test_a_defender_cannot_change_the_directory_and_only_the_refusal_is_kept(
    slack: Sandbox, bot: Bot
) -> None:
    answer = liaison(slack, bot, DEFENDER, 'partner add sneaky name:"Sneaky" kind:other')
    assert "Only a Liaison admin can change the partner directory; you are a defender." in answer
    assert "LIAISON_ADMINS" in answer
    assert "There is no partner `sneaky`." in liaison(slack, bot, DEFENDER, "partner show sneaky")
    log = audit_says(slack, bot, "partner:legal-aid")  # unrelated filter: the refusal is not about legal-aid
    assert "sneaky" not in log
    refusal = audit_says(slack, bot, "item:sneaky")
    assert "manage_directory `sneaky`" in refusal and "1 entries" in refusal


def test_referrals_are_refused_in_a_channel_two_partners_read(slack: Sandbox, bot: Bot) -> None:
    liaison(
        slack,
        bot,
        ADMIN,
        'partner add civil-rights name:"Civil Rights Org" kind:civil_rights team:T0CIVIL '
        "scope:referral,consult",
    )
    linked = liaison(slack, bot, ADMIN, f"channel link <#{COALITION}|coalition> legal-aid civil-rights")
    assert "Linked <#C0COALITION> to Legal Aid Society, Civil Rights Org." in linked
    assert "referrals and consults can't be posted there; advocacy items can" in linked
    shown = liaison(slack, bot, DEFENDER, f"channel show <#{COALITION}|coalition>")
    assert (
        "Referrals and consults for Legal Aid Society: no. Civil Rights Org also reads this channel, so a "
        "matter for Legal Aid Society can't be posted here."
    ) in shown


def test_an_expired_agreement_refuses_and_says_who_can_update_it(slack: Sandbox, bot: Bot) -> None:
    liaison(
        slack,
        bot,
        ADMIN,
        'partner add old-clinic name:"Old Clinic" kind:clinic scope:referral '
        "mou_starts:2024-07-01 mou_expires:2026-06-30 slack:no",
    )
    liaison(slack, bot, ADMIN, f"channel link <#{OLD}|old-clinic> old-clinic")
    shown = liaison(slack, bot, DEFENDER, f"channel show <#{OLD}|old-clinic>")
    assert (
        "Referrals and consults for Old Clinic: no. Old Clinic's MOU expired on 2026-06-30; an admin can "
        "update it with `/liaison partner edit old-clinic mou_expires:YYYY-MM-DD`."
    ) in shown
    liaison(slack, bot, ADMIN, "partner edit old-clinic mou_expires:2099-06-30")
    assert "Referrals and consults for Old Clinic: can be posted here." in liaison(
        slack, bot, DEFENDER, f"channel show <#{OLD}|old-clinic>"
    )


def test_joining_a_shared_channel_links_known_partners_and_tells_admins_once_about_strangers(
    slack: Sandbox, bot: Bot
) -> None:
    dms_before = len(slack.dms(ADMIN))
    slack.join_channel(slack.bot_user_id, MIXED)
    dm = slack.wait_for(lambda: slack.dms(ADMIN)[dms_before:], message="a DM to the admin")
    assert "shared with a Slack workspace it does not know (`T0STRANGER`)" in visible_text(dm[-1])
    assert "team:T0STRANGER" in visible_text(dm[-1])
    shown = liaison(slack, bot, DEFENDER, f"channel show <#{MIXED}|mixed>")
    assert "Linked partners: Legal Aid Society (`legal-aid`)" in shown
    assert "Team `T0STRANGER`: *not in the partner directory*" in shown
    assert "People of an organization Liaison does not know (team `T0STRANGER`)" in shown

    slack.join_channel(COORDINATOR, MIXED)
    liaison(slack, bot, DEFENDER, "whoami")  # a request after the event, so the event has been handled
    assert len(slack.dms(ADMIN)) == dms_before + 1, "admins are told about an unknown team once"


def test_roles_are_set_by_admins_for_home_staff_only(slack: Sandbox, bot: Bot) -> None:
    assert "Only a Liaison coordinator or admin can see the audit log" in liaison(
        slack, bot, COORDINATOR, "audit"
    )
    assert "<@U0COORD> is now a *coordinator*." in liaison(
        slack, bot, ADMIN, f"role <@{COORDINATOR}|cory> coordinator"
    )
    assert "with the role *coordinator*" in liaison(slack, bot, COORDINATOR, "whoami")
    assert "*Audit log*" in liaison(slack, bot, COORDINATOR, "audit")
    refused = liaison(slack, bot, DEFENDER, f"role <@{COORDINATOR}|cory> admin")
    assert "Only a Liaison admin can set roles; you are a defender." in refused
    partner = liaison(slack, bot, ADMIN, f"role <@{PARTNER_USER}|lee> coordinator")
    assert "is not in this office's workspace: only home staff have roles" in partner


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("partner show legal-ad", "There is no partner `legal-ad`. Did you mean `legal-aid`?"),
        ("partner add Bad_Handle name:x kind:other", "can't be a partner handle"),
        ("partner add newcomer name:New kind:spaceship", "`kind` must be one of legal_aid, civil_rights"),
        ("partner add newcomer kind:other", "A new partner needs `name:`."),
        ("partner edit legal-aid mou_expires:soon", "`mou_expires`: `soon` is not a date"),
        ("partner edit legal-aid", "Say what to change"),
        ("partner", "`/liaison partner` needs one of: `list`, `show`, `add`, `edit`, `deactivate`."),
        ("audit since:yesterday", "`since:yesterday` is not a date; write it as YYYY-MM-DD."),
        ("audit page:99", "There is no page 99."),
        ("role coordinator", "Mention one person and one role."),
    ],
)
def test_bad_input_is_answered_with_what_to_fix(slack: Sandbox, bot: Bot, text: str, expected: str) -> None:
    assert expected in liaison(slack, bot, ADMIN, text)
    assert "There is no partner `newcomer`." in liaison(slack, bot, ADMIN, "partner show newcomer")
