"""/referral through the stand-in: a card in the partner's channel (never the case number), and refusals
that say why, leave an audit row and nothing else."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.sandbox import Sandbox, visible_text
from storage.deadlines import spoken
from tests.office import (
    ADMIN,
    CIVIL_USER,
    DEFENDER,
    OFFICE_CHANNEL,
    PARTNER_USER,
    SHARED_CHANNEL,
    STRANGER,
    RunningBot,
    populate,
)
from tests.office import command as typed

COALITION, OLD, STRANGE = "C0COALITION", "C0OLD", "C0STRANGE"
CASE = "24-CR-0113"


@pytest.fixture(scope="module")
def slack() -> Iterator[Sandbox]:
    with Sandbox() as sandbox:
        populate(sandbox)
        sandbox.add_channel(COALITION, "coalition", members=[DEFENDER, PARTNER_USER, CIVIL_USER])
        sandbox.add_channel(OLD, "old-clinic", members=[DEFENDER])
        sandbox.add_channel(STRANGE, "strange", members=[DEFENDER, STRANGER])
        yield sandbox


@pytest.fixture(scope="module")
def bot(slack: Sandbox, http_bot: RunningBot) -> RunningBot:
    for text in (
        'partner add legal-aid name:"Legal Aid Society" kind:legal_aid team:T0LEGAL '
        "services:housing,benefits scope:referral,consult mou_expires:2099-06-30",
        'partner add civil-rights name:"Civil Rights Org" kind:civil_rights team:T0CIVIL '
        "scope:referral,consult",
        'partner add old-clinic name:"Old Clinic" kind:clinic scope:referral mou_expires:2026-06-30 slack:no',
        f"channel link <#{SHARED_CHANNEL}|legal> legal-aid",
        f"channel link <#{COALITION}|coalition> legal-aid civil-rights",
        f"channel link <#{OLD}|old> old-clinic",
    ):
        assert "Sorry" not in typed(slack, http_bot, ADMIN, OFFICE_CHANNEL, "/liaison", text)
    return http_bot


def referral(
    slack: Sandbox, bot: RunningBot, text: str, channel: str = SHARED_CHANNEL, user: str = DEFENDER
) -> str:
    return typed(slack, bot, user, channel, "/referral", text)


def refused_leaving_only_an_audit_row(
    slack: Sandbox, bot: RunningBot, channel: str, text: str, user: str = DEFENDER, audit_filter: str = ""
) -> tuple[str, str]:
    messages_before = len(slack.messages(channel))
    listed_before = typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/referral", "list all").splitlines()[0]
    answer = referral(slack, bot, text, channel, user)
    assert len(slack.messages(channel)) == messages_before, "a refused referral must post nothing"
    assert typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/referral", "list all").splitlines()[0] == listed_before
    log = typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", f"audit {audit_filter}".strip())
    newest = next(line for line in log.splitlines() if line.startswith(":"))  # entries start with their mark
    return answer, newest


def test_a_referral_posts_its_card_in_the_partners_channel_without_the_case_number(
    slack: Sandbox, bot: RunningBot
) -> None:
    posted_before = len(slack.messages(SHARED_CHANNEL))
    answer = referral(
        slack, bot, f"need:housing due:2099-12-04 priority:urgent case:{CASE} Client faces eviction."
    )
    due = spoken(datetime(2099, 12, 4, 17, 0, tzinfo=ZoneInfo("America/New_York")))  # the defender's zone
    assert f"to Legal Aid Society: housing, due {due}." in answer
    assert f"Case `{CASE}` is kept with it in Liaison and is not posted in the channel." in answer
    ref = answer.split("*")[1]
    posted = slack.messages(SHARED_CHANNEL)[posted_before:]
    cards = [m for m in posted if f"{ref} · Referral to Legal Aid Society" in visible_text(m)]
    assert len(cards) == 1
    shown = visible_text(cards[0])
    for expected in ("housing", "urgent", "requested", f"<@{DEFENDER}>", "Client faces eviction.", "<!date^"):
        assert expected in shown
    for message in slack.messages(SHARED_CHANNEL):
        assert CASE not in visible_text(message), "the internal case number reached a shared channel"
    assert f"Case `{CASE}` (internal: shown only to you)" in referral(slack, bot, f"show {ref}")


def test_a_referral_is_refused_where_two_partners_read(slack: Sandbox, bot: RunningBot) -> None:
    answer, newest = refused_leaving_only_an_audit_row(
        slack, bot, COALITION, "to:legal-aid need:housing Client needs a lawyer for the eviction."
    )
    assert (
        "Civil Rights Org also reads this channel, so a matter for Legal Aid Society can't be posted here."
        in answer
    )
    assert ":no_entry:" in newest and "create_item `legal-aid` in <#C0COALITION>" in newest


def test_an_expired_agreement_refuses_a_referral(slack: Sandbox, bot: RunningBot) -> None:
    answer, newest = refused_leaving_only_an_audit_row(
        slack, bot, OLD, "need:counseling Client asks for help."
    )
    assert (
        "Old Clinic's MOU expired on 2026-06-30; an admin can update it with "
        "`/liaison partner edit old-clinic mou_expires:YYYY-MM-DD`."
    ) in answer
    assert ":no_entry:" in newest and "create_item `old-clinic`" in newest


def test_identifying_details_are_refused_with_the_spans_masked(slack: Sandbox, bot: RunningBot) -> None:
    answer, newest = refused_leaving_only_an_audit_row(
        slack, bot, SHARED_CHANNEL, "need:housing Client SSN 123-45-6789, call 555-123-4567."
    )
    assert "look like they identify the client (a phone number, a social security number)" in answer
    assert "123-45-6789" not in answer and "▇▇▇" in answer
    assert ":no_entry:" in newest and "details look identifying" in newest


@pytest.mark.parametrize(
    ("user", "channel", "expected"),
    [
        (
            PARTNER_USER,
            SHARED_CHANNEL,
            "As staff of Legal Aid Society you can act only on Liaison items addressed to",
        ),
        (STRANGER, STRANGE, "Liaison does not know your organization (team `T0STRANGER`)"),
    ],
)
def test_only_home_staff_open_referrals(
    slack: Sandbox, bot: RunningBot, user: str, channel: str, expected: str
) -> None:
    answer, newest = refused_leaving_only_an_audit_row(
        slack,
        bot,
        channel,
        "to:legal-aid need:housing Please help.",
        user=user,
        audit_filter=f"user:<@{user}>",
    )
    assert expected in answer
    assert ":no_entry:" in newest and f"<@{user}> create_item" in newest


def test_ids_of_other_partners_referrals_answer_not_found(slack: Sandbox, bot: RunningBot) -> None:
    answer = referral(slack, bot, "need:benefits Help with a benefits appeal.")
    ref = answer.split("*")[1]
    theirs = typed(slack, bot, CIVIL_USER, COALITION, "/referral", f"show {ref}")
    missing = typed(slack, bot, CIVIL_USER, COALITION, "/referral", "show R-99999")
    assert theirs.replace(ref, "ID") == missing.replace("R-99999", "ID")
    assert "There is no referral" in theirs
    assert "Help with a benefits appeal." in typed(
        slack, bot, PARTNER_USER, SHARED_CHANNEL, "/referral", f"show {ref}"
    )
    assert "(internal)" not in typed(slack, bot, PARTNER_USER, SHARED_CHANNEL, "/referral", f"show {ref}")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("need:housing due:someday Details.", "`due:someday` is not a date Liaison understands. Try one of:"),
        (
            "need:housing due:2020-01-01 Details.",
            "`due:2020-01-01` is in the past: Liaison read it as Wednesday",
        ),
        ("need:housing priority:whenever Details.", "`priority:whenever` must be `routine` or `urgent`."),
        ("Client faces eviction.", "A referral needs `need:`."),
        ("need:housing", "A referral needs the details."),
        ("to:legal-ad need:housing Details.", "There is no partner `legal-ad`. Did you mean `legal-aid`?"),
        ("lsit", "Did you mean `/referral list`?"),
    ],
)
def test_bad_input_is_answered_with_what_to_fix(
    slack: Sandbox, bot: RunningBot, text: str, expected: str
) -> None:
    before = len(slack.messages(SHARED_CHANNEL))
    assert expected in referral(slack, bot, text)
    assert len(slack.messages(SHARED_CHANNEL)) == before
