"""/referral through the stand-in, the bot in this process on SQLite and PostgreSQL: a card in the
partner's channel (never the case number), and refusals that say why, leave an audit row and nothing
else. Through the bot as a process: tests/test_e2e_journeys.py."""

from __future__ import annotations

import pytest

from bot.sandbox import Sandbox, View, visible_text
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

COALITION, OLD, STRANGE = "C0COALITION", "C0OLD", "C0STRANGE"
JOINED = "C0INTAKE"  # made in a test, once for both backends' bots
CASE = "24-CR-0113"


def workspace(slack: Sandbox) -> None:
    """The module's own people and channels, beyond the office's."""
    slack.add_channel(COALITION, "coalition", members=[DEFENDER, PARTNER_USER, CIVIL_USER])
    slack.add_channel(OLD, "old-clinic", members=[DEFENDER])
    slack.add_channel(STRANGE, "strange", members=[DEFENDER, STRANGER])


@pytest.fixture(scope="module")
def slack(slack: Sandbox) -> Sandbox:
    workspace(slack)
    return slack


def set_up(slack: Sandbox, bot: Bot) -> None:
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
        assert "Sorry" not in typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", text)


@pytest.fixture(scope="module")
def bot(slack: Sandbox, in_process: InProcessBot) -> InProcessBot:
    set_up(slack, in_process)
    return in_process


def referral(slack: Sandbox, bot: Bot, text: str, channel: str = SHARED_CHANNEL, user: str = DEFENDER) -> str:
    return typed(slack, bot, user, channel, "/referral", text)


def refused_leaving_only_an_audit_row(
    slack: Sandbox, bot: Bot, channel: str, text: str, user: str = DEFENDER, audit_filter: str = ""
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
    slack: Sandbox, bot: Bot
) -> None:
    posted_before = len(slack.messages(SHARED_CHANNEL))
    answer = referral(
        slack, bot, f"need:housing due:2027-12-03 priority:urgent case:{CASE} Client faces eviction."
    )
    # In the defender's zone, with its year: it is not this year's.
    assert "to Legal Aid Society: housing, due Friday, December 3, 2027, 5:00 PM EST." in answer
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


def test_a_referral_is_refused_where_two_partners_read(slack: Sandbox, bot: Bot) -> None:
    answer, newest = refused_leaving_only_an_audit_row(
        slack, bot, COALITION, "to:legal-aid need:housing Client needs a lawyer for the eviction."
    )
    assert (
        "Civil Rights Org also reads this channel, so a matter for Legal Aid Society can't be posted here."
        in answer
    )
    assert ":no_entry:" in newest and "create_item `legal-aid` in <#C0COALITION>" in newest


def test_an_expired_agreement_refuses_a_referral(slack: Sandbox, bot: Bot) -> None:
    answer, newest = refused_leaving_only_an_audit_row(
        slack, bot, OLD, "need:counseling Client asks for help."
    )
    assert (
        "Old Clinic's MOU expired on 2026-06-30; an admin can update it with "
        "`/liaison partner edit old-clinic mou_expires:YYYY-MM-DD`."
    ) in answer
    assert ":no_entry:" in newest and "create_item `old-clinic`" in newest


def test_identifying_details_are_refused_with_the_spans_masked(slack: Sandbox, bot: Bot) -> None:
    answer, newest = refused_leaving_only_an_audit_row(
        slack, bot, SHARED_CHANNEL, "need:housing Client SSN 123-45-6789, call 555-123-4567."
    )
    assert "look like they identify the client (a phone number, a social security number)" in answer
    assert "123-45-6789" not in answer and "▇▇▇" in answer
    assert ":no_entry:" in newest and "details look identifying" in newest
    assert "▇" not in newest and "Client" not in newest, "the audit log must not keep the client's text"


@pytest.mark.parametrize(
    ("details", "kind", "shown"),
    [
        ("SSN 123-45-6789 on file.", "a social security number", "123-45-6789"),
        ("Client DOB 04/12/1990 per intake.", "a date of birth", "04/12/1990"),
        ("Same matter as 24 CR 0113 last year.", "a case number", "24 CR 0113"),
    ],
)
def test_each_kind_of_identifying_detail_is_caught_and_masked(
    slack: Sandbox, bot: Bot, details: str, kind: str, shown: str
) -> None:
    answer, _ = refused_leaving_only_an_audit_row(slack, bot, SHARED_CHANNEL, f"need:housing {details}")
    assert f"({kind})" in answer and shown not in answer and "▇▇▇" in answer


def test_do_not_contact_and_part_2_are_shown_first_on_the_card(slack: Sandbox, bot: Bot) -> None:
    answer = referral(slack, bot, "need:housing dnc:yes part2:yes Needs housing near the treatment program.")
    ref = answer.split("*")[1]
    card = [m for m in slack.messages(SHARED_CHANNEL) if m.text.startswith(f"{ref} ·")][-1]
    sections = [b["text"]["text"] for b in card.blocks if b["type"] == "section" and "text" in b]
    assert sections[0].startswith(":no_entry: *Do not contact the client directly.* Go through <@")
    assert sections[1].startswith(":warning: *42 CFR Part 2.* This record which has been disclosed to you")
    assert "prohibit you from making any further disclosure of this record" in sections[1]
    assert ":no_entry: do not contact the client, 42 CFR Part 2" in referral(slack, bot, f"show {ref}")


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
    slack: Sandbox, bot: Bot, user: str, channel: str, expected: str
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


def test_ids_of_other_partners_referrals_answer_not_found(slack: Sandbox, bot: Bot) -> None:
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
        ("to:legal-ad need:housing Details.", "There is no partner `legal-ad`. Did you mean `legal-aid`?"),
        ("lsit", "Did you mean `/referral list`?"),
        # Hidden wherever it appears, a case number this short would hide parts of the card's times.
        ("need:housing case:00 Details.", "`case:00` is not taken. A case number has at least 5 letters"),
        ("need:housing case:CR-ABC Details.", "`case:CR-ABC` is not taken. A case number has at least 5"),
    ],
)
def test_bad_input_is_answered_with_what_to_fix(slack: Sandbox, bot: Bot, text: str, expected: str) -> None:
    before = len(slack.messages(SHARED_CHANNEL))
    assert expected in referral(slack, bot, text)
    assert len(slack.messages(SHARED_CHANNEL)) == before


def open_form(slack: Sandbox, text: str) -> View:
    seen = {view.id for view in slack.open_views(DEFENDER)}
    delivery = slack.slash_command(DEFENDER, SHARED_CHANNEL, "/referral", text)
    assert delivery.acked and not delivery.problems, delivery
    new = slack.wait_for(
        lambda: [v for v in slack.open_views(DEFENDER) if v.id not in seen], message="the form"
    )
    return new[-1]


def submit(slack: Sandbox, view: View, values: dict[str, object]) -> str:
    before = len(slack.ephemerals(DEFENDER, SHARED_CHANNEL))
    delivery = slack.submit_view(DEFENDER, view.id, {key: {"value": value} for key, value in values.items()})
    assert delivery.acked and not delivery.problems, delivery
    return visible_text(slack.wait_for(lambda: slack.ephemerals(DEFENDER, SHARED_CHANNEL)[before:])[-1])


def test_missing_fields_open_the_form_with_what_was_typed_and_it_sends(slack: Sandbox, bot: Bot) -> None:
    view = open_form(slack, "due:2027-12-03 Client faces eviction.")
    inputs = {b["block_id"]: b["element"] for b in view.blocks if b["type"] == "input"}
    assert inputs["details"]["initial_value"] == "Client faces eviction."
    assert inputs["due"]["initial_value"] == "2027-12-03"
    assert inputs["to"]["initial_option"]["value"] == "legal-aid", "the channel's partner is chosen"
    posted = len(slack.messages(SHARED_CHANNEL))
    answer = submit(slack, view, {"need": "housing"})
    assert "to Legal Aid Society: housing, due" in answer
    assert len(slack.messages(SHARED_CHANNEL)) == posted + 1
    assert "New referral" in visible_text(open_form(slack, ""))


def test_identifying_details_go_only_with_consent_and_an_agreement_that_allows_them(
    slack: Sandbox, bot: Bot
) -> None:
    details = "Client DOB 1990-02-03 needs a lawyer for the eviction."
    refused = submit(slack, open_form(slack, details), {"need": "housing", "consent": ["yes"]})
    assert "agreement does not allow identifying client details, even with the client's consent" in refused
    typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", "partner edit legal-aid identifying:yes")
    no_case = submit(slack, open_form(slack, details), {"need": "housing", "consent": ["yes"]})
    assert "To record the client's consent, say which case it is for with `case:`" in no_case
    case = "24-CR-0555"
    sent = submit(slack, open_form(slack, details), {"need": "housing", "case": case, "consent": ["yes"]})
    assert "Sent *R-" in sent
    ref = sent.split("*")[1]
    log = typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", "audit partner:legal-aid")
    assert ":unlock:" in log and "identifying details (a date of birth) shared under consent" in log
    assert f"Consent for case `{case}` and Legal Aid Society: recorded on" in referral(
        slack, bot, f"consent {ref}"
    )

    card = [m for m in slack.messages(SHARED_CHANNEL) if m.text.startswith(f"{ref} ·")][-1]
    assert "1990-02-03" in visible_text(card), "under the consent the partner sees the details"
    assert "Revoked. From now on nothing identifying about case" in referral(
        slack, bot, f"consent {ref} revoke"
    )
    slack.wait_for(lambda: "1990-02-03" not in visible_text(card), message="the card redrawn, masked")
    assert "Client ▇" in visible_text(card) and "needs a lawyer for the eviction" in visible_text(card)
    refused = submit(slack, open_form(slack, details), {"need": "housing", "case": case, "consent": ["yes"]})
    assert "consent to share identifying details with Legal Aid Society for this case was revoked" in refused
    respelled = submit(
        slack, open_form(slack, details), {"need": "housing", "case": "24 cr 0555", "consent": ["yes"]}
    )
    assert "was revoked" in respelled, "the same case, however it is typed"
    other_case = submit(slack, open_form(slack, details), {"need": "housing", "case": "24-CR-0556"})
    assert "without the client's recorded consent" in other_case, "consent is per case"
    assert "Recorded: the client agreed" in referral(slack, bot, f"consent {ref} renew")
    again = submit(slack, open_form(slack, details), {"need": "housing", "case": case})
    assert "Sent *R-" in again, "a standing consent covers the next referral for the case"
    # In a channel of its own with Legal Aid, a referral under the consent shows the details; when someone of
    # another organization joins, what the consent let Legal Aid see is masked for them.
    if JOINED not in slack.workspace.channels:
        slack.add_channel(JOINED, "legal-aid-intake", members=[DEFENDER, PARTNER_USER])
    typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", f"channel link <#{JOINED}|intake> legal-aid")
    sent = typed(slack, bot, DEFENDER, JOINED, "/referral", f"need:housing case:{case} {details}")
    consented = [m for m in slack.messages(JOINED) if m.text.startswith(f"{sent.split('*')[1]} ·")][-1]
    assert "1990-02-03" in visible_text(consented)
    slack.join_channel(CIVIL_USER, JOINED)
    slack.wait_for(lambda: "1990-02-03" not in visible_text(consented), message="masked for a newcomer")
    slack.remove_member(JOINED, CIVIL_USER)
    typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", "partner edit legal-aid identifying:no")


def test_a_need_the_partner_does_not_list_is_confirmed_first(slack: Sandbox, bot: Bot) -> None:
    posted = len(slack.messages(SHARED_CHANNEL))
    warned = referral(slack, bot, "need:immigration Client asks about plea consequences.")
    assert "Legal Aid Society does not list `immigration` among its services (housing, benefits)" in warned
    assert len(slack.messages(SHARED_CHANNEL)) == posted
    assert "Sent *R-" in referral(
        slack, bot, "need:immigration confirm:yes Client asks about plea consequences."
    )


def test_when_slack_refuses_the_card_the_referral_is_closed_unseen_and_the_person_is_told(
    slack: Sandbox, bot: Bot
) -> None:
    posted = len(slack.messages(SHARED_CHANNEL))
    # A refusal that waiting won't change (a transient one keeps the card for later: test_e2e_faults).
    slack.fail("chat.postMessage", status=200, error="restricted_action_read_only_channel")
    try:
        answer = referral(slack, bot, "need:housing Client faces eviction.")
    finally:
        slack.clear_faults()
    assert "Slack refused to post the card (restricted_action_read_only_channel), so R-" in answer
    assert "nobody outside the office saw it, and it is closed as entered in error" in answer
    assert len(slack.messages(SHARED_CHANNEL)) == posted
    ref = answer.split("so ")[1].split(" ")[0]
    shown = referral(slack, bot, f"show {ref}")
    assert "*entered-in-error*" in shown and "card not posted: restricted_action_read_only_channel" in shown
    assert f"*{ref}*" not in typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/referral", "list open")


def test_details_longer_than_the_card_holds_are_refused_with_the_limit(slack: Sandbox, bot: Bot) -> None:
    answer = referral(slack, bot, "need:housing " + "The client needs help. " * 120)
    assert "the card holds 2500. Shorten it and add the rest in the card's thread." in answer


@pytest.mark.parametrize(
    "text",
    [
        "need:housing case:CR2024-00113 About court file cr2024 00113: client needs a lawyer.",
        "need:housing Case:24-CR-0113 Our file 24 cr 0113, client needs a lawyer.",
    ],
)
def test_the_case_number_is_refused_however_it_is_written(slack: Sandbox, bot: Bot, text: str) -> None:
    answer, newest = refused_leaving_only_an_audit_row(slack, bot, SHARED_CHANNEL, text)
    assert "(a case number)" in answer
    assert ":no_entry:" in newest


def test_the_case_number_is_refused_even_with_consent_and_an_agreement_that_allows_details(
    slack: Sandbox, bot: Bot
) -> None:
    typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", "partner edit legal-aid identifying:yes")
    try:
        view = open_form(slack, "Client in our case 24-CR-0113 needs a lawyer.")
        answer = submit(slack, view, {"need": "housing", "consent": ["yes"]})
    finally:
        typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", "partner edit legal-aid identifying:no")
    assert "(a case number)" in answer


def test_outsiders_learn_no_partner_names(slack: Sandbox, bot: Bot) -> None:
    for text in ("to:nope need:housing Help.", "to:legal-aid need:zzz Help.", ""):
        before = len(slack.ephemerals(STRANGER, STRANGE))
        slack.slash_command(STRANGER, STRANGE, "/referral", text)
        answer = visible_text(slack.wait_for(lambda b=before: slack.ephemerals(STRANGER, STRANGE)[b:])[-1])
        assert "Liaison does not know your organization" in answer
        assert "legal-aid" not in answer and "Legal Aid" not in answer
    assert not slack.open_views(STRANGER), "no form listing the partners opens for an outsider"


def test_a_saved_move_whose_card_slack_refuses_to_update_says_so(slack: Sandbox, bot: Bot) -> None:
    answer = referral(slack, bot, "need:housing Client faces eviction.")
    ref = answer.split("*")[1]
    slack.fail("chat.update", status=200, error="cant_update_message", times=1)
    try:
        moved = typed(slack, bot, DEFENDER, SHARED_CHANNEL, "/referral", f"cancel {ref} reason:duplicate")
    finally:
        slack.clear_faults()
    assert f"{ref} is now *cancelled*. Slack refused to update its card (cant_update_message)" in moved
    assert "the change is saved" in moved
    assert "*cancelled*" in referral(slack, bot, f"show {ref}")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("list page:²", "`page:²` must be a page number like `page:2`.\nUsage: `/referral list "),
        (
            "list page:99999999999999999999",
            "`page:99999999999999999999` must be a page number like `page:2`.\nUsage: `/referral list ",
        ),
        ("show R-²", "There is no referral `R-²` that you can see. `/referral list` shows yours."),
    ],
)
def test_odd_numbers_get_a_clear_answer(slack: Sandbox, bot: Bot, text: str, expected: str) -> None:
    answer = referral(slack, bot, text)
    assert answer.startswith(expected), answer
    assert "Sorry" not in answer


def test_the_form_shows_what_is_wrong_while_it_is_still_open(slack: Sandbox, bot: Bot) -> None:
    view = open_form(slack, "Client faces eviction.")
    posted = len(slack.messages(SHARED_CHANNEL))
    delivery = slack.submit_view(DEFENDER, view.id, {"need": {"value": "24-cr-0113"}})
    assert delivery.acked
    still_open = [v for v in slack.open_views(DEFENDER) if v.id == view.id]
    assert still_open and still_open[0].errors == {
        "need": "A category in letters, like housing or mental-health."
    }
    assert len(slack.messages(SHARED_CHANNEL)) == posted
    answer = submit(slack, still_open[0], {"need": "housing"})
    assert "Sent *R-" in answer


def test_a_case_number_too_short_to_hide_is_shown_in_the_open_form(slack: Sandbox, bot: Bot) -> None:
    view = open_form(slack, "Client faces eviction.")
    posted = len(slack.messages(SHARED_CHANNEL))
    delivery = slack.submit_view(DEFENDER, view.id, {"need": {"value": "housing"}, "case": {"value": "12"}})
    assert delivery.acked
    still_open = [v for v in slack.open_views(DEFENDER) if v.id == view.id]
    assert still_open and still_open[0].errors["case"].startswith("A case number has at least 5 letters")
    assert len(slack.messages(SHARED_CHANNEL)) == posted
