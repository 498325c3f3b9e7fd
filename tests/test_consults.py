"""Consults through the stand-in, the bot in this process on SQLite and PostgreSQL: a defender asks, the
partner's staff answer from their own Slack Connect workspace in the card's thread, the defender
resolves; who may do what on the card; replies kept once with their edits and deletions; list and show
as people read them. Through the bot as a process: tests/test_e2e_journeys.py."""

from __future__ import annotations

import threading

import pytest

from bot.sandbox import Message, Sandbox, visible_text
from tests.inprocess import InProcessBot
from tests.office import (
    ADMIN,
    CIVIL_TEAM,
    CIVIL_USER,
    DEFENDER,
    OFFICE_CHANNEL,
    PARTNER_USER,
    SHARED_CHANNEL,
    STRANGER,
    Bot,
    fill_form,
    shown_eventually,
)
from tests.office import command as typed

CIVIL_CHANNEL = "C0CIVIL"  # Slack Connect channel shared with Civil Rights Org
SECOND_CIVIL_USER = "U0CRO2"
CASE = "24-CR-0113"
QUESTION = "Any recent rulings on stop-and-frisk suppression in this county?"


def workspace(slack: Sandbox) -> None:
    """The module's own people and channels, beyond the office's."""
    slack.add_user(SECOND_CIVIL_USER, "casey", team_id=CIVIL_TEAM, tz="America/Los_Angeles")
    slack.add_channel(
        CIVIL_CHANNEL, "civil-rights-shared", members=[DEFENDER, ADMIN, CIVIL_USER, SECOND_CIVIL_USER]
    )


@pytest.fixture(scope="module")
def slack(slack: Sandbox) -> Sandbox:
    workspace(slack)
    return slack


def set_up(slack: Sandbox, bot: Bot) -> None:
    for text in (
        'partner add civil-rights name:"Civil Rights Org" kind:civil_rights team:T0CIVIL scope:consult',
        'partner add legal-aid name:"Legal Aid Society" kind:legal_aid team:T0LEGAL scope:referral',
        f"channel link <#{CIVIL_CHANNEL}|civil> civil-rights",
        f"channel link <#{SHARED_CHANNEL}|legal> legal-aid",
    ):
        assert "Sorry" not in typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", text)


@pytest.fixture(scope="module")
def bot(slack: Sandbox, in_process: InProcessBot) -> InProcessBot:
    set_up(slack, in_process)
    return in_process


def ask(slack: Sandbox, bot: Bot, text: str = f'due:"dec 1 5pm" case:{CASE} {QUESTION}') -> Message:
    answer = typed(slack, bot, DEFENDER, CIVIL_CHANNEL, "/consult", text)
    assert answer.startswith("Sent *C-"), answer
    return card_of(slack, answer.split("*")[1])


def card_of(slack: Sandbox, ref: str) -> Message:
    cards = [m for m in slack.messages(CIVIL_CHANNEL) if m.text.startswith(f"{ref} · Consult")]
    assert cards, f"no card for {ref}"
    return cards[-1]


def ref_of(card: Message) -> str:
    return card.text.split(" ")[0]


def field(card: Message, label: str) -> str | None:
    fields = next(b for b in card.blocks if b.get("type") == "section" and "fields" in b)["fields"]
    return next((f["text"].split("\n", 1)[1] for f in fields if f["text"].startswith(f"*{label}*")), None)


def wait_for_field(slack: Sandbox, card: Message, label: str, expected: str) -> None:
    slack.wait_for(
        lambda: expected in (field(card, label) or ""),
        message=f"{ref_of(card)}'s {label} to show {expected!r}; it shows {field(card, label)!r}",
    )


def labels(card: Message) -> list[str]:
    return [e["text"]["text"] for b in card.blocks if b["type"] == "actions" for e in b["elements"]]


def said(slack: Sandbox, user: str, before: int, expected: str) -> None:
    """Wait until one of `user`'s private answers after the first `before` says `expected`."""
    slack.wait_for(
        lambda: any(expected in visible_text(e) for e in slack.ephemerals(user, CIVIL_CHANNEL)[before:]),
        message=f"{user} to be told {expected!r}",
    )


def thread(slack: Sandbox, card: Message) -> list[str]:
    return [visible_text(m) for m in slack.messages(CIVIL_CHANNEL, thread_ts=card.ts)]


def click(slack: Sandbox, user: str, card: Message, action: str) -> None:
    delivery = slack.click(user, CIVIL_CHANNEL, card.ts, action)
    assert delivery.acked and not delivery.problems, delivery


def told(slack: Sandbox, user: str, before: int) -> str:
    """The next private answer `user` sees in the consult channel after `before` earlier ones."""
    return visible_text(slack.wait_for(lambda: slack.ephemerals(user, CIVIL_CHANNEL)[before:])[-1])


def test_asked_answered_by_the_partner_in_the_thread_and_resolved(slack: Sandbox, bot: Bot) -> None:
    answer = typed(slack, bot, DEFENDER, CIVIL_CHANNEL, "/consult", f'due:"dec 1 5pm" case:{CASE} {QUESTION}')
    assert "to Civil Rights Org: a question, due Tuesday, December 1, 5:00 PM EST." in answer
    assert f"Case `{CASE}` is kept with it in Liaison and is not posted in the channel." in answer
    card = card_of(slack, answer.split("*")[1])
    ref = ref_of(card)
    assert QUESTION in visible_text(card)
    assert field(card, "Status") == "open" and field(card, "Replies") == "none yet"
    assert field(card, "Asked by") == f"<@{DEFENDER}>"
    assert labels(card) == ["I'm on it", "Mark resolved…", "Extend deadline…"]

    ts, _ = slack.post_as_user(CIVIL_USER, CIVIL_CHANNEL, "Yes: State v. Reyes (2025).", thread_ts=card.ts)
    wait_for_field(slack, card, "Status", "answered")
    assert field(
        card,
        "Replies",
    ).startswith(f"1, last <!date^{int(float(ts))}^")  # type: ignore[union-attr]
    told_line = slack.wait_for(lambda: [t for t in thread(slack, card) if "answered" in t])
    assert told_line == [f"<@{DEFENDER}>, <@{CIVIL_USER}> (Civil Rights Org) answered {ref}."]
    shown = shown_eventually(slack, bot, DEFENDER, "/consult", ref, "*answered*")
    assert "open → answered" in shown
    assert f"first response <!date^{int(float(ts))}^" in shown, "answered at the reply's own time"
    assert f"<@{CIVIL_USER}>: Yes: State v. Reyes (2025)." in shown
    assert "|Open the card>" in shown

    click(slack, DEFENDER, card, "consult.move.resolved")
    fill_form(slack, DEFENDER, {"note": {"value": "Thanks, that settles the motion."}})
    wait_for_field(slack, card, "Status", "resolved")
    assert labels(card) == ["Reopen"]
    slack.wait_for(lambda: any("Thanks, that settles the motion." in t for t in thread(slack, card)))
    assert f"<@{DEFENDER}> (the office) resolved {ref}" in thread(slack, card)[-1]
    # The one who resolved it is told (an answer that would otherwise come during the next step).
    said = f"{ref} is now *resolved*."
    slack.wait_for(lambda: said in [visible_text(e) for e in slack.ephemerals(DEFENDER, CIVIL_CHANNEL)])
    for message in slack.messages(CIVIL_CHANNEL) + slack.messages(CIVIL_CHANNEL, thread_ts=card.ts):
        assert CASE not in visible_text(message), "the internal case number never reaches the channel"
    assert f"consult.resolved `{ref}`" in typed(
        slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", f"audit item:{ref}"
    )


def test_replies_from_home_staff_or_an_unknown_workspace_are_kept_but_answer_nothing(
    slack: Sandbox, bot: Bot
) -> None:
    card = ask(slack, bot)
    ref = ref_of(card)
    slack.post_as_user(DEFENDER, CIVIL_CHANNEL, "Adding: the stop was at night.", thread_ts=card.ts)
    slack.add_member(CIVIL_CHANNEL, STRANGER)  # someone from a workspace Liaison does not know joins later
    try:
        slack.post_as_user(STRANGER, CIVIL_CHANNEL, "We know this one!", thread_ts=card.ts)
    finally:
        slack.remove_member(CIVIL_CHANNEL, STRANGER)
    wait_for_field(slack, card, "Replies", "2, last")
    shown = shown_eventually(slack, bot, DEFENDER, "/consult", ref, "Thread: 2 replies")
    assert "*open*" in shown and "first response" not in shown
    assert f"<@{STRANGER}>: We know this one!" in shown
    assert field(card, "Status") == "open"
    assert not [t for t in thread(slack, card) if "answered" in t]


def test_edited_and_deleted_replies_are_reflected_and_a_redelivered_reply_is_kept_once(
    slack: Sandbox, bot: Bot
) -> None:
    card = ask(slack, bot)
    ref = ref_of(card)
    ts, delivery = slack.post_as_user(CIVIL_USER, CIVIL_CHANNEL, "First thoughts.", thread_ts=card.ts)
    assert delivery is not None
    again = slack.send_event(
        delivery.payload["event"],
        event_id=delivery.payload["event_id"],
        retry_num=1,
        retry_reason="http_timeout",
    )
    assert again.acked
    second, _ = slack.post_as_user(SECOND_CIVIL_USER, CIVIL_CHANNEL, "More soon.", thread_ts=card.ts)
    wait_for_field(slack, card, "Replies", "2, last")
    shown = shown_eventually(slack, bot, DEFENDER, "/consult", ref, "Thread: 2 replies")
    assert shown.count("First thoughts.") == 1
    slack.wait_for(lambda: [t for t in thread(slack, card) if "answered" in t], message="the answered line")
    bot.settle()
    answered = [t for t in thread(slack, card) if "answered" in t]
    assert len(answered) == 1, "a redelivered reply answers once"

    slack.edit_as_user(CIVIL_USER, CIVIL_CHANNEL, ts, "First thoughts, corrected.")
    shown = shown_eventually(slack, bot, DEFENDER, "/consult", ref, "First thoughts, corrected. _(edited)_")
    slack.delete_as_user(SECOND_CIVIL_USER, CIVIL_CHANNEL, second)
    wait_for_field(slack, card, "Replies", "1, last")
    shown = shown_eventually(slack, bot, DEFENDER, "/consult", ref, "Thread: 1 reply")
    assert "More soon." not in shown
    assert "*answered*" in shown, "a deleted reply does not undo the answer"


def test_only_the_partner_takes_it_and_only_the_asker_resolves_or_moves_the_deadline(
    slack: Sandbox, bot: Bot
) -> None:
    card = ask(slack, bot)
    ref = ref_of(card)
    before = len(slack.ephemerals(DEFENDER, CIVIL_CHANNEL))
    click(slack, DEFENDER, card, "consult.take")
    assert f"Only Civil Rights Org's staff can take {ref}." in told(slack, DEFENDER, before)
    click(slack, CIVIL_USER, card, "consult.take")
    wait_for_field(slack, card, "Taken by", f"<@{CIVIL_USER}>")
    slack.wait_for(lambda: f"<@{CIVIL_USER}> (Civil Rights Org) is on it." in thread(slack, card))
    click(slack, SECOND_CIVIL_USER, card, "consult.take")
    wait_for_field(slack, card, "Taken by", f"<@{SECOND_CIVIL_USER}>")
    # The card is redrawn before the thread line is posted: wait for the line itself.
    slack.wait_for(lambda: any(f"Taking it over from <@{CIVIL_USER}>" in t for t in thread(slack, card)))

    for action, refusal in (
        (
            "consult.move.resolved",
            f"Only the person who sent it or a coordinator can mark {ref} as resolved.",
        ),
        ("consult.extend", f"Only the person who sent it can move {ref}'s deadline."),
    ):
        partner_before = len(slack.ephemerals(CIVIL_USER, CIVIL_CHANNEL))
        click(slack, CIVIL_USER, card, action)
        assert refusal in told(slack, CIVIL_USER, partner_before)
    assert not slack.open_views(CIVIL_USER), "no form opens for what would be refused"

    click(slack, DEFENDER, card, "consult.extend")
    fill_form(slack, DEFENDER, {"due": {"value": "yesterday"}})
    said(slack, DEFENDER, before, "is in the past: Liaison read it as")
    click(slack, DEFENDER, card, "consult.extend")
    fill_form(slack, DEFENDER, {"due": {"value": "2027-01-15"}})
    said(slack, DEFENDER, before, f"{ref} is now due Friday, January 15, 2027, 5:00 PM EST.")
    wait_for_field(slack, card, "Due", "<!date^1800050400^")  # 2027-01-15 17:00 New York
    assert field(card, "Status") == "open"


def test_resolve_withdraw_and_reopen_by_command(slack: Sandbox, bot: Bot) -> None:
    card = ask(slack, bot)
    ref = ref_of(card)
    assert f"{ref} is now *resolved*." in typed(
        slack, bot, DEFENDER, OFFICE_CHANNEL, "/consult", f"resolve {ref}"
    )
    wait_for_field(slack, card, "Status", "resolved")
    assert f"{ref} is now *open*." in typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/consult", f"reopen {ref}")
    wait_for_field(slack, card, "Status", "open")
    slack.post_as_user(CIVIL_USER, CIVIL_CHANNEL, "Here is more.", thread_ts=card.ts)
    wait_for_field(slack, card, "Status", "answered")  # a reopened consult is answered again by the partner
    refused = typed(
        slack, bot, DEFENDER, OFFICE_CHANNEL, "/consult", f"withdraw {ref} her SSN is 123-45-6789"
    )
    assert "The words look like they identify the client (a social security number)" in refused
    assert "123-45-6789" not in refused
    assert f"{ref} is now *withdrawn*." in typed(
        slack, bot, DEFENDER, OFFICE_CHANNEL, "/consult", f"withdraw {ref} no longer needed"
    )
    wait_for_field(slack, card, "Status", "withdrawn")
    assert labels(card) == []
    again = typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/consult", f"reopen {ref}")
    assert f"{ref} is withdrawn now, so it can't become open." in again


def test_list_and_show_as_people_read_them(slack: Sandbox, bot: Bot) -> None:
    card = ask(slack, bot)
    ref = ref_of(card)
    listed = typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/consult", "list open partner:civil-rights")
    assert f"• *{ref}* Civil Rights Org: open, due <!date^" in listed
    assert f"*{ref}*" in typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/consult", "list mine")
    assert f"*{ref}*" not in typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/consult", "list mine")
    slack.post_as_user(CIVIL_USER, CIVIL_CHANNEL, "On it.", thread_ts=card.ts)
    wait_for_field(slack, card, "Status", "answered")
    assert f"*{ref}* Civil Rights Org: answered" in typed(
        slack, bot, DEFENDER, OFFICE_CHANNEL, "/consult", "list answered"
    )
    assert "List one of `mine`, `open`, `overdue`, `answered`, `all`." in typed(
        slack, bot, DEFENDER, OFFICE_CHANNEL, "/consult", "list everything"
    )

    partner_view = typed(slack, bot, CIVIL_USER, CIVIL_CHANNEL, "/consult", f"show {ref}")
    assert QUESTION in partner_view and CASE not in partner_view, "the case number is for home staff only"
    assert f"Case `{CASE}` (internal: shown only to you)" in typed(
        slack, bot, DEFENDER, OFFICE_CHANNEL, "/consult", f"show {ref}"
    )
    other = typed(slack, bot, PARTNER_USER, SHARED_CHANNEL, "/consult", f"show {ref}")
    assert f"There is no consult `{ref}` that you can see. `/consult list` shows yours." in other
    assert "No consults match." in typed(slack, bot, PARTNER_USER, SHARED_CHANNEL, "/consult", "list all")
    assert "There is no consult `C-999`" in typed(
        slack, bot, DEFENDER, OFFICE_CHANNEL, "/consult", "show C-999"
    )
    assert "There is no consult `R-1`" in typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/consult", "show R-1")


def test_no_question_opens_the_form_and_what_cannot_be_sent_is_explained(slack: Sandbox, bot: Bot) -> None:
    alone = slack.slash_command(DEFENDER, CIVIL_CHANNEL, "/consult", "", via=bot.via)
    assert alone.acked and not alone.problems
    empty = slack.wait_for(lambda: slack.open_views(DEFENDER), message="the consult form")[-1]
    assert [b.get("block_id") for b in empty.blocks if b["type"] == "input"] == [
        "to",
        "question",
        "due",
        "case",
        "consent",
    ]
    slack.close_view(DEFENDER, empty.id)
    delivery = slack.slash_command(DEFENDER, CIVIL_CHANNEL, "/consult", "due:friday", via=bot.via)
    assert delivery.acked and not delivery.problems
    view = slack.wait_for(lambda: slack.open_views(DEFENDER), message="the consult form")[-1]
    chosen = next(b for b in view.blocks if b.get("block_id") == "to")["element"].get("initial_option", {})
    assert chosen.get("value") == "civil-rights", "the channel's partner is chosen"
    due = next(b for b in view.blocks if b.get("block_id") == "due")["element"]
    assert due.get("initial_value") == "friday", "what was typed is kept"
    too_long = slack.submit_view(DEFENDER, view.id, {"question": {"value": "x" * 2600}})
    assert too_long.ack_payload == {
        "response_action": "errors",
        "errors": {"question": "At most 2500 characters; add the rest in the card's thread."},
    }, "shown in the still-open form, so nothing typed is lost"
    before = len(slack.ephemerals(DEFENDER, CIVIL_CHANNEL))
    slack.submit_view(DEFENDER, view.id, {"question": {"value": "Is the county's jail data public?"}})
    assert "to Civil Rights Org: a question, due Friday" in told(slack, DEFENDER, before)

    unknown = typed(slack, bot, DEFENDER, CIVIL_CHANNEL, "/consult", "to:nobody What do you think?")
    assert "There is no partner `nobody`. Known partners: `civil-rights`, `legal-aid`." in unknown
    refused = typed(slack, bot, DEFENDER, SHARED_CHANNEL, "/consult", "Any thoughts on the plea?")
    assert "Legal Aid Society's MOU does not cover consults (it covers: referral)" in refused
    identifying = typed(
        slack, bot, DEFENDER, CIVIL_CHANNEL, "/consult", "Client born 04/12/1990: any advice?"
    )
    assert "The question looks like it identifies the client (a date of birth)" in identifying
    assert not [m for m in slack.messages(CIVIL_CHANNEL) if "04/12/1990" in visible_text(m)]


def test_what_a_consult_command_names_must_be_a_consult_the_person_may_know_of(
    slack: Sandbox, bot: Bot
) -> None:
    card = ask(slack, bot)
    ref = ref_of(card)
    number = ref.removeprefix("C-")
    assert f"*{ref}*" in typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/consult", f"show {number}")
    assert f"*{ref}*" in typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/consult", f"show c{number}")
    due = field(card, "Due")
    wrong_kind = typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/consult", 'extend R-1 due:"in 9 days"')
    assert "There is no consult `R-1` that you can see." in wrong_kind
    other_partner = typed(
        slack, bot, PARTNER_USER, SHARED_CHANNEL, "/consult", f'extend {ref} due:"in 9 days"'
    )
    assert f"There is no consult `{ref}` that you can see." in other_partner
    unquoted = typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/consult", f"extend {ref} due:Dec 4")
    assert unquoted.startswith("`4` after the consult is not read: a new deadline with spaces goes in "), (
        unquoted
    )
    assert field(card, "Due") == due


def test_a_question_that_begins_like_a_subcommand_is_shown_in_the_form_to_send(
    slack: Sandbox, bot: Bot
) -> None:
    """`/consult Show cause ...` is a question, not `show`: it goes into the form, pre-filled, and only the
    person's Send posts it (a misread sentence must never post to a partner by itself)."""
    posted = len(slack.messages(CIVIL_CHANNEL))
    delivery = slack.slash_command(
        DEFENDER, CIVIL_CHANNEL, "/consult", "Show cause hearing tomorrow: any advice?", via=bot.via
    )
    assert delivery.acked and not delivery.problems
    view = slack.wait_for(lambda: slack.open_views(DEFENDER), message="the consult form")[-1]
    question = next(b for b in view.blocks if b.get("block_id") == "question")["element"]
    assert question["initial_value"] == "Show cause hearing tomorrow: any advice?"
    assert len(slack.messages(CIVIL_CHANNEL)) == posted, "nothing is posted before Send"
    before = len(slack.ephemerals(DEFENDER, CIVIL_CHANNEL))
    slack.submit_view(DEFENDER, view.id, {"question": {"value": question["initial_value"]}})
    assert "to Civil Rights Org: a question" in told(slack, DEFENDER, before)
    for typed_text, answer in (
        ("show everything", "There is no consult `everything` that you can see."),  # two words: still `show`
        (
            'extend due:"dec 5 5pm" C-999',
            "There is no consult `C-999` that you can see.",
        ),  # keys may come first
        ("withdraw C-999, asked by mistake", "There is no consult `C-999` that you can see."),
    ):
        assert answer in typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/consult", typed_text)


def test_resolving_while_the_partner_answers_still_resolves(slack: Sandbox, bot: Bot) -> None:
    card = ask(slack, bot)
    ref = ref_of(card)
    click(slack, DEFENDER, card, "consult.move.resolved")  # the form opens while the consult is open
    view = slack.wait_for(lambda: slack.open_views(DEFENDER), message="the resolve form")[-1]
    slack.post_as_user(CIVIL_USER, CIVIL_CHANNEL, "Here is the answer.", thread_ts=card.ts)
    wait_for_field(slack, card, "Status", "answered")
    before = len(slack.ephemerals(DEFENDER, CIVIL_CHANNEL))
    delivery = slack.submit_view(DEFENDER, view.id, {"note": {"value": "Got it, thanks."}})
    assert delivery.acked and not delivery.problems
    assert f"{ref} is now *resolved*." in told(slack, DEFENDER, before)
    wait_for_field(slack, card, "Status", "resolved")
    shown = shown_eventually(slack, bot, DEFENDER, "/consult", ref, "answered → resolved")
    assert "Someone changed it" not in shown


def test_a_coordinator_may_resolve_but_only_the_asker_withdraws(slack: Sandbox, bot: Bot) -> None:
    """ADMIN is an admin, acting for requesters as coordinators do."""
    card = ask(slack, bot)
    ref = ref_of(card)
    refused = typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/consult", f"withdraw {ref}")
    assert f"Only the person who sent it can mark {ref} as withdrawn." in refused
    assert f"{ref} is now *resolved*." in typed(
        slack, bot, ADMIN, OFFICE_CHANNEL, "/consult", f"resolve {ref}"
    )
    wait_for_field(slack, card, "Status", "resolved")


def test_two_partner_staff_taking_it_at_once_one_takes_it(slack: Sandbox, bot: Bot) -> None:
    card = ask(slack, bot)
    ref = ref_of(card)
    people = (CIVIL_USER, SECOND_CIVIL_USER)
    clicks = [threading.Thread(target=click, args=(slack, p, card, "consult.take")) for p in people]
    for t in clicks:
        t.start()
    for t in clicks:
        t.join()
    slack.wait_for(lambda: field(card, "Taken by"), message="someone to have taken it")
    lines = slack.wait_for(lambda: [t for t in thread(slack, card) if "is on it" in t])
    taken_by = field(card, "Taken by")
    assert taken_by in (f"<@{CIVIL_USER}>", f"<@{SECOND_CIVIL_USER}>")
    # The other click either came second (and took it over, saying so) or lost the race (and was told).
    assert len(lines) == 1 or any("Taking it over" in line for line in lines), lines
    assert f"consult.take `{ref}`" in typed(
        slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", f"audit item:{ref}"
    )


def test_a_date_liaison_cannot_read_keeps_the_deadline_form_open(slack: Sandbox, bot: Bot) -> None:
    card = ask(slack, bot)
    click(slack, DEFENDER, card, "consult.extend")
    view = slack.wait_for(lambda: slack.open_views(DEFENDER), message="the deadline form")[-1]
    delivery = slack.submit_view(DEFENDER, view.id, {"due": {"value": "when pigs fly"}})
    assert delivery.ack_payload is not None and delivery.ack_payload["response_action"] == "errors"
    assert "Liaison does not understand `when pigs fly` as a date." in delivery.ack_payload["errors"]["due"]
    assert slack.open_views(DEFENDER), "what was typed stays in the open form"
    slack.close_view(DEFENDER, view.id)
