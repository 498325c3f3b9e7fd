"""The closed loop through the stand-in, the bot in this process on SQLite and PostgreSQL: a defender
refers, a partner's staff from their own Slack Connect workspace accept, reply and complete it from the
card; rejection with a reason; refusals; a double click; thread replies kept once, with edits and
deletions. The loop through the bot as a process: tests/test_e2e_journeys.py."""

from __future__ import annotations

import threading

import pytest

from bot.sandbox import Message, Sandbox, visible_text
from tests.inprocess import InProcessBot
from tests.office import (
    ADMIN,
    DEFENDER,
    OFFICE_CHANNEL,
    PARTNER_TEAM,
    PARTNER_USER,
    SHARED_CHANNEL,
    Bot,
    add_legal_aid,
    fill_form,
    shown_eventually,
)
from tests.office import command as typed

SECOND_PARTNER_USER = "U0LAS2"
CASE = "24-CR-0113"


def workspace(slack: Sandbox) -> None:
    """A second person at Legal Aid Society, in the shared channel."""
    slack.add_user(SECOND_PARTNER_USER, "lou", team_id=PARTNER_TEAM)
    slack.add_member(SHARED_CHANNEL, SECOND_PARTNER_USER)


def set_up(slack: Sandbox, bot: Bot) -> None:
    add_legal_aid(slack, bot)


@pytest.fixture(scope="module")
def slack(slack: Sandbox) -> Sandbox:
    workspace(slack)
    return slack


@pytest.fixture(scope="module")
def bot(slack: Sandbox, in_process: InProcessBot) -> InProcessBot:
    set_up(slack, in_process)
    return in_process


def refer(slack: Sandbox, bot: Bot, details: str = "Client faces eviction; hearing next month.") -> Message:
    answer = typed(slack, bot, DEFENDER, SHARED_CHANNEL, "/referral", f"need:housing case:{CASE} {details}")
    ref = answer.split("*")[1]
    return card_of(slack, ref)


def card_of(slack: Sandbox, ref: str) -> Message:
    cards = [m for m in slack.messages(SHARED_CHANNEL) if f"{ref} · Referral" in m.text]
    assert cards, f"no card for {ref}"
    return cards[-1]


def ref_of(card: Message) -> str:
    return card.text.split(" ")[0]


def click(slack: Sandbox, user: str, card: Message, action: str) -> None:
    delivery = slack.click(user, SHARED_CHANNEL, card.ts, f"referral.move.{action}")
    assert delivery.acked and not delivery.problems, delivery


def status_of(slack: Sandbox, card: Message) -> str:
    fields = next(b for b in card.blocks if b.get("type") == "section" and "fields" in b)["fields"]
    return next(f["text"].split("\n")[1] for f in fields if f["text"].startswith("*Status*"))


def thread(slack: Sandbox, card: Message) -> list[str]:
    return [visible_text(m) for m in slack.messages(SHARED_CHANNEL, thread_ts=card.ts)]


def wait_for_status(slack: Sandbox, card: Message, status: str) -> Message:
    return slack.wait_for(
        lambda: card if status_of(slack, card) == status else None, message=f"status {status}"
    )


def test_a_partner_accepts_replies_and_completes_from_the_card(slack: Sandbox, bot: Bot) -> None:
    card = refer(slack, bot)
    ref = ref_of(card)
    labels = [e["text"]["text"] for b in card.blocks if b["type"] == "actions" for e in b["elements"]]
    assert labels == ["Accept", "Reject…", "Cancel referral…", "Entered in error…"]
    top_level = len(slack.messages(SHARED_CHANNEL))

    click(slack, PARTNER_USER, card, "accepted")
    wait_for_status(slack, card, "accepted")
    assert card.history, "the card is edited in place, not re-posted"
    line = slack.wait_for(lambda: thread(slack, card))[-1]
    assert f"<@{PARTNER_USER}> (Legal Aid Society) accepted {ref}" in line
    assert f"<@{DEFENDER}>, {ref} is now *accepted*." in line

    slack.post_as_user(
        PARTNER_USER,
        SHARED_CHANNEL,
        "We have an attorney for this; calling the client today.",
        thread_ts=card.ts,
    )
    # The reply is counted on the card by a redraw of its own; the partner clicks once the card shows it.
    # (A click while that redraw is on its way can be overtaken by it, and the card then keeps the older
    # status until it is drawn again: a race of the product's, not what this journey is about.)
    slack.wait_for(lambda: "Replies*\n1," in visible_text(card), message="the reply counted on the card")
    click(slack, PARTNER_USER, card, "in-progress")
    wait_for_status(slack, card, "in-progress")
    click(slack, PARTNER_USER, card, "completed")
    fill_form(slack, PARTNER_USER, {"note": {"value": "Eviction dismissed at the hearing."}})
    wait_for_status(slack, card, "completed")
    steps = [e["text"]["text"] for b in card.blocks if b["type"] == "actions" for e in b["elements"]]
    assert steps == ["Entered in error…"], "a completed referral can only be corrected (DESIGN: any -> e-i-e)"
    # The card is updated before the thread line is posted: wait for the line itself.
    slack.wait_for(lambda: "Eviction dismissed at the hearing." in "\n".join(thread(slack, card)))

    assert len(slack.messages(SHARED_CHANNEL)) == top_level, "thread posts are never broadcast to the channel"
    for message in slack.messages(SHARED_CHANNEL) + slack.messages(SHARED_CHANNEL, thread_ts=card.ts):
        assert CASE not in visible_text(message)
    shown = typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/referral", f"show {ref}")
    for expected in (
        "*completed*",
        "requested → accepted",
        "accepted → in-progress",
        "in-progress → completed (Eviction dismissed at the hearing.)",
        "Thread: 1 reply, first response",
        f"Case `{CASE}` (internal",
    ):
        assert expected in shown


def test_a_rejection_needs_a_reason_and_the_requester_is_told(slack: Sandbox, bot: Bot) -> None:
    card = refer(slack, bot)
    click(slack, PARTNER_USER, card, "rejected")
    fill_form(
        slack, PARTNER_USER, {"reason": {"value": "no capacity"}, "note": {"value": "Full until January."}}
    )
    wait_for_status(slack, card, "rejected")
    line = slack.wait_for(lambda: thread(slack, card))[-1]
    assert f"rejected {ref_of(card)}: no capacity" in line and "Full until January." in line
    assert f"<@{DEFENDER}>, {ref_of(card)} is now *rejected*." in line


def test_each_side_may_only_make_its_own_moves(slack: Sandbox, bot: Bot) -> None:
    card = refer(slack, bot)
    ref = ref_of(card)
    before = len(slack.ephemerals(DEFENDER, SHARED_CHANNEL))
    click(slack, DEFENDER, card, "accepted")
    answer = slack.wait_for(lambda: slack.ephemerals(DEFENDER, SHARED_CHANNEL)[before:])[-1]
    assert f"Only Legal Aid Society's staff can mark {ref} as accepted." in visible_text(answer)
    partner_before = len(slack.ephemerals(PARTNER_USER, SHARED_CHANNEL))
    click(slack, PARTNER_USER, card, "cancelled")
    answer = slack.wait_for(lambda: slack.ephemerals(PARTNER_USER, SHARED_CHANNEL)[partner_before:])[-1]
    assert f"Only the person who sent it or a coordinator can mark {ref} as cancelled." in visible_text(
        answer
    )
    assert not slack.open_views(PARTNER_USER), "no form opens for a move that would be refused"
    assert status_of(slack, card) == "requested"
    assert f"referral.accepted `{ref}`" in typed(
        slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", f"audit item:{ref.lower()}"
    )


def test_two_people_clicking_at_once_exactly_one_wins(slack: Sandbox, bot: Bot) -> None:
    card = refer(slack, bot)
    ref = ref_of(card)
    people = (PARTNER_USER, SECOND_PARTNER_USER)
    before = {p: len(slack.ephemerals(p, SHARED_CHANNEL)) for p in people}
    clicks = [threading.Thread(target=click, args=(slack, p, card, "accepted")) for p in people]
    for t in clicks:
        t.start()
    for t in clicks:
        t.join()
    wait_for_status(slack, card, "accepted")
    slack.wait_for(lambda: [e for p in people for e in slack.ephemerals(p, SHARED_CHANNEL)[before[p] :]])
    bot.settle()
    told = [e for p in people for e in slack.ephemerals(p, SHARED_CHANNEL)[before[p] :]]
    assert len(told) == 1, "exactly one of the two is told they were too late"
    assert "just before you" in visible_text(told[0])
    accepted_lines = [
        line for line in slack.wait_for(lambda: thread(slack, card)) if f"accepted {ref}" in line
    ]
    assert len(accepted_lines) == 1
    history = typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/referral", f"show {ref}")
    assert history.count("requested → accepted") == 1


def test_thread_replies_are_kept_once_with_their_edits_and_deletions(slack: Sandbox, bot: Bot) -> None:
    card = refer(slack, bot)
    ref = ref_of(card)
    ts, delivery = slack.post_as_user(PARTNER_USER, SHARED_CHANNEL, "First answer.", thread_ts=card.ts)
    assert delivery is not None
    redelivered = slack.send_event(
        delivery.payload["event"],
        event_id=delivery.payload["event_id"],
        retry_num=1,
        retry_reason="http_timeout",
    )
    assert redelivered.acked
    slack.post_as_user(DEFENDER, SHARED_CHANNEL, "Thanks!", thread_ts=card.ts)
    shown_eventually(slack, bot, DEFENDER, "/referral", ref, "Thread: 2 replies, first response")
    slack.edit_as_user(PARTNER_USER, SHARED_CHANNEL, ts, "First answer, corrected.")
    slack.delete_as_user(DEFENDER, SHARED_CHANNEL, slack.messages(SHARED_CHANNEL, thread_ts=card.ts)[-1].ts)
    # The edit and the deletion are two events, recorded on two threads in either order: wait for both.
    shown_eventually(slack, bot, DEFENDER, "/referral", ref, "Thread: 1 reply")
    edited = f"<@{PARTNER_USER}>: First answer, corrected. _(edited)_"
    shown = shown_eventually(slack, bot, DEFENDER, "/referral", ref, edited)
    assert "Thread: 1 reply" in shown and "Thanks!" not in shown
    unrelated, _ = slack.post_as_user(DEFENDER, SHARED_CHANNEL, "A top-level message.")
    slack.post_as_user(PARTNER_USER, SHARED_CHANNEL, "A reply to something else.", thread_ts=unrelated)
    slack.post_as_user(PARTNER_USER, SHARED_CHANNEL, "Second answer.", thread_ts=card.ts)
    shown = shown_eventually(
        slack, bot, DEFENDER, "/referral", ref, "Thread: 2 replies"
    )  # the unrelated reply did not count
    assert "Thread: 3 replies" not in shown


def test_the_requester_cancels_with_a_reason_that_is_checked_before_it_is_posted(
    slack: Sandbox, bot: Bot
) -> None:
    card = refer(slack, bot)
    ref = ref_of(card)
    refused = typed(
        slack, bot, DEFENDER, SHARED_CHANNEL, "/referral", f'cancel {ref} reason:"call her at 555-123-4567"'
    )
    assert "look like they identify the client (a phone number)" in refused
    assert status_of(slack, card) == "requested"
    answer = typed(
        slack, bot, DEFENDER, SHARED_CHANNEL, "/referral", f'cancel {ref} reason:"client found other help"'
    )
    assert f"{ref} is now *cancelled*." in answer
    wait_for_status(slack, card, "cancelled")
    assert (
        f"cancelled {ref}: other\n> client found other help"
        in slack.wait_for(lambda: thread(slack, card))[-1]
    )
    again = typed(slack, bot, DEFENDER, SHARED_CHANNEL, "/referral", f"cancel {ref} reason:duplicate")
    assert f"{ref} is cancelled now, so it can't become cancelled." in again


def test_list_filters_by_status_partner_and_need(slack: Sandbox, bot: Bot) -> None:
    card = refer(slack, bot)
    ref = ref_of(card)
    listed = typed(
        slack, bot, DEFENDER, OFFICE_CHANNEL, "/referral", "list open partner:legal-aid need:housing"
    )
    assert f"*{ref}* Legal Aid Society: housing, requested, due" in listed
    assert f"*{ref}*" not in typed(
        slack, bot, DEFENDER, OFFICE_CHANNEL, "/referral", "list all need:benefits"
    )
    assert "List one of `mine`, `open`, `overdue`, `all`." in typed(
        slack, bot, DEFENDER, OFFICE_CHANNEL, "/referral", "list everything"
    )
