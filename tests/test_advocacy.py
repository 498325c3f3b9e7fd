"""Advocacy action items through the stand-in, the bot in this process on SQLite and PostgreSQL, in a
coalition channel that the office shares with two partner organizations: owners from two teams, a
partner's owner marks one done, reassignment, campaign counts, and every refusal explained. Through the
bot as a process: tests/test_e2e_journeys.py."""

from __future__ import annotations

import pytest

from bot.sandbox import Message, Sandbox, visible_text
from tests.inprocess import InProcessBot
from tests.office import (
    ADMIN,
    CIVIL_TEAM,
    CIVIL_USER,
    DEFENDER,
    OFFICE_CHANNEL,
    PARTNER_TEAM,
    PARTNER_USER,
    STRANGER,
    Bot,
    fill_form,
    shown_eventually,
)
from tests.office import command as typed

COALITION = "C0COAL"  # shared with Legal Aid Society and Civil Rights Org
UNJOINED = "C0UNJOINED"  # a public channel of the office's that Liaison was never invited to
TITLE = "Submit joint comments on SB 123"


def workspace(slack: Sandbox) -> None:
    """The module's own people and channels, beyond the office's."""
    slack.add_channel(COALITION, "bail-coalition", members=[DEFENDER, ADMIN, CIVIL_USER, PARTNER_USER])
    slack.add_channel(UNJOINED, "bail-research", members=[DEFENDER, ADMIN], bot_member=False)


@pytest.fixture(scope="module")
def slack(slack: Sandbox) -> Sandbox:
    workspace(slack)
    return slack


def set_up(slack: Sandbox, bot: Bot) -> None:
    for text in (
        f'partner add civil-rights name:"Civil Rights Org" kind:civil_rights team:{CIVIL_TEAM} scope:consult',
        f'partner add legal-aid name:"Legal Aid Society" kind:legal_aid team:{PARTNER_TEAM} scope:referral',
    ):
        assert "Sorry" not in typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", text)


@pytest.fixture(scope="module")
def bot(slack: Sandbox, in_process: InProcessBot) -> InProcessBot:
    set_up(slack, in_process)
    return in_process


def post(slack: Sandbox, bot: Bot, text: str) -> Message:
    answer = typed(slack, bot, DEFENDER, COALITION, "/advocacy", text)
    assert answer.startswith("Posted *A-"), answer
    ref = answer.split("*")[1]
    return card_of(slack, ref)


def card_of(slack: Sandbox, ref: str) -> Message:
    """The newest card of `ref` (the stand-in outlives one bot: each database backend starts at A-1)."""
    return [m for m in slack.messages(COALITION) if m.text.startswith(f"{ref} · Action item")][-1]


def ref_of(card: Message) -> str:
    return card.text.split(" ")[0]


def field(card: Message, label: str) -> str | None:
    fields = next(b for b in card.blocks if b.get("type") == "section" and "fields" in b)["fields"]
    return next((f["text"].split("\n", 1)[1] for f in fields if f["text"].startswith(f"*{label}*")), None)


def labels(card: Message) -> list[str]:
    return [e["text"]["text"] for b in card.blocks if b["type"] == "actions" for e in b["elements"]]


def wait_for_field(slack: Sandbox, card: Message, label: str, expected: str) -> None:
    slack.wait_for(
        lambda: field(card, label) == expected,
        message=f"{ref_of(card)}'s {label} to be {expected!r}; it is {field(card, label)!r}",
    )


def click(slack: Sandbox, user: str, card: Message, action: str) -> None:
    delivery = slack.click(user, COALITION, card.ts, action)
    assert delivery.acked and not delivery.problems, delivery


def told_after(slack: Sandbox, user: str, card: Message, action: str) -> str:
    """Click, and return what the person is then told privately."""
    before = len(slack.ephemerals(user, COALITION))
    click(slack, user, card, action)
    return _told(slack, user, before)


def _told(slack: Sandbox, user: str, before: int) -> str:
    return visible_text(slack.wait_for(lambda: slack.ephemerals(user, COALITION)[before:])[-1])


def thread(slack: Sandbox, card: Message) -> list[str]:
    return [visible_text(m) for m in slack.messages(COALITION, thread_ts=card.ts)]


def test_owners_from_two_organizations_and_a_partner_owner_marks_it_done(slack: Sandbox, bot: Bot) -> None:
    answer = typed(
        slack,
        bot,
        DEFENDER,
        COALITION,
        "/advocacy",
        f"{TITLE} owner:<@{DEFENDER}|dana> owner:<@{CIVIL_USER}|cruz> due:2026-12-15 campaign:Bail-Reform",
    )
    assert f"for <@{DEFENDER}>, <@{CIVIL_USER}>, due Tuesday, December 15, 5:00 PM EST." in answer
    assert "deleting it here leaves their copies" in answer
    card = card_of(slack, answer.split("*")[1])
    ref = ref_of(card)
    assert TITLE in visible_text(card)
    assert field(card, "Campaign") == "bail-reform" and field(card, "Status") == "open"
    assert field(card, "Owners") == f"<@{DEFENDER}>, <@{CIVIL_USER}>"
    assert labels(card) == ["Done…", "Reassign…", "Drop…"]

    refused = told_after(slack, PARTNER_USER, card, "advocacy.move.done")
    assert (
        "As staff of Legal Aid Society you can act only on Liaison items addressed to Legal Aid Society"
        in refused
    )
    assert not slack.open_views(PARTNER_USER), "no form opens for someone who may not use it"

    click(slack, CIVIL_USER, card, "advocacy.move.done")
    fill_form(slack, CIVIL_USER, {"note": {"value": "https://example.org/comments/sb123.pdf"}})
    wait_for_field(slack, card, "Status", "done")
    assert field(card, "Result") == "https://example.org/comments/sb123.pdf"
    assert labels(card) == ["Reopen"]
    line = slack.wait_for(lambda: [t for t in thread(slack, card) if "marked done" in t])[-1]
    assert f"<@{CIVIL_USER}> (Civil Rights Org) marked done {ref}" in line
    assert f"<@{DEFENDER}>, {ref} is now *done*." in line
    shown = shown_eventually(slack, bot, DEFENDER, "/advocacy", ref, "*done*")
    assert "open → done" in shown and "Result: https://example.org/comments/sb123.pdf" in shown


def test_reassigned_from_the_card_and_by_command(slack: Sandbox, bot: Bot) -> None:
    card = post(slack, bot, "Testify at the bail hearing campaign:bail-reform")
    ref = ref_of(card)
    assert field(card, "Owners") == f"<@{DEFENDER}>", "the creator owns it unless someone else is named"

    click(slack, DEFENDER, card, "advocacy.assign")
    form = slack.wait_for(lambda: slack.open_views(DEFENDER), message="the reassign form")[-1]
    owners_input = next(b for b in form.blocks if b.get("block_id") == "owners")["element"]
    assert owners_input["type"] == "multi_users_select" and owners_input["initial_users"] == [DEFENDER]
    delivery = slack.submit_view(DEFENDER, form.id, {"owners": {"value": [ADMIN, CIVIL_USER]}})
    assert delivery.acked and not delivery.problems
    wait_for_field(slack, card, "Owners", f"<@{ADMIN}>, <@{CIVIL_USER}>")
    slack.wait_for(
        lambda: (
            f"<@{DEFENDER}> reassigned {ref} to <@{ADMIN}>, <@{CIVIL_USER}> (was <@{DEFENDER}>)."
            in thread(slack, card)
        )
    )

    answer = typed(slack, bot, CIVIL_USER, COALITION, "/advocacy", f"assign {ref} <@{PARTNER_USER}|lee>")
    assert f"{ref} now belongs to <@{PARTNER_USER}>." in answer, "an owner from a partner may hand it on"
    wait_for_field(slack, card, "Owners", f"<@{PARTNER_USER}>")
    refused = typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/advocacy", f"assign {ref} <@{STRANGER}|sam>")
    assert f"<@{STRANGER}> is not in the office's workspace or a partner's" in refused
    assert field(card, "Owners") == f"<@{PARTNER_USER}>"
    not_owner = typed(slack, bot, CIVIL_USER, COALITION, "/advocacy", f"assign {ref} <@{CIVIL_USER}>")
    assert "you can act only on Liaison items addressed to Civil Rights Org and on action items you own" in (
        not_owner
    )


def test_campaigns_count_open_done_and_dropped_items(slack: Sandbox, bot: Bot) -> None:
    tag = "data-requests"
    kept = post(slack, bot, f"Ask the court for bail data campaign:{tag}")
    finished = post(slack, bot, f"File the records request campaign:{tag}")
    dropped = post(slack, bot, f"Draft a press release campaign:{tag}")
    assert f"{ref_of(finished)} is now *done*." in typed(
        slack, bot, DEFENDER, OFFICE_CHANNEL, "/advocacy", f"done {ref_of(finished)} https://example.org/r"
    )
    assert "only with this: Why it was dropped." in typed(
        slack, bot, DEFENDER, OFFICE_CHANNEL, "/advocacy", f"drop {ref_of(dropped)}"
    )
    assert f"{ref_of(dropped)} is now *dropped*." in typed(
        slack,
        bot,
        DEFENDER,
        OFFICE_CHANNEL,
        "/advocacy",
        f"drop {ref_of(dropped)} the coalition decided against it",
    )
    counts = typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/advocacy", "campaigns")
    assert f"• `{tag}`: 1 open, 0 overdue, 1 done, 1 dropped" in counts
    listed = typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/advocacy", f"list all campaign:{tag}")
    assert listed.count("• *A-") == 3 and ref_of(kept) in listed
    assert ref_of(kept) not in typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/advocacy", "list done")
    assert f"{ref_of(dropped)} is now *open*." in typed(
        slack, bot, DEFENDER, OFFICE_CHANNEL, "/advocacy", f"reopen {ref_of(dropped)}"
    )
    counts = typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/advocacy", "campaigns")
    assert f"• `{tag}`: 2 open, 0 overdue, 1 done, 0 dropped" in counts


def test_what_cannot_be_posted_is_refused_with_the_reason(slack: Sandbox, bot: Bot) -> None:
    posted = len(slack.messages(COALITION))
    identifying = typed(
        slack, bot, DEFENDER, COALITION, "/advocacy", "Ask Ms. Ortiz (born 04/12/1990) to testify"
    )
    assert "Action items are posted where several organizations read, so they never carry client details" in (
        identifying
    )
    assert "a date of birth" in identifying and "04/12/1990" not in identifying
    partner = typed(slack, bot, CIVIL_USER, COALITION, "/advocacy", "Our own task")
    assert (
        "As staff of Civil Rights Org you can act only on" in partner
        and "only the office can create" in partner
    )
    bad_tag = typed(slack, bot, DEFENDER, COALITION, "/advocacy", "A task campaign:bail_reform!")
    assert "`campaign:bail_reform!` must be a tag of letters, digits and hyphens" in bad_tag
    unmentioned = typed(slack, bot, DEFENDER, COALITION, "/advocacy", "A task owner:maria")
    assert "`owner:maria` must mention someone, like `owner:@maria`" in unmentioned
    stranger = typed(slack, bot, DEFENDER, COALITION, "/advocacy", f"A task owner:<@{STRANGER}>")
    assert f"<@{STRANGER}> is not in the office's workspace or a partner's" in stranger
    assert len(slack.messages(COALITION)) == posted, "nothing refused was posted"

    card = post(slack, bot, "Collect signatures for the letter")
    told = told_after(slack, CIVIL_USER, card, "advocacy.move.dropped")
    assert (
        "you can act only on Liaison items addressed to Civil Rights Org and on action items you own" in told
    )
    click(slack, ADMIN, card, "advocacy.assign")
    slack.wait_for(lambda: slack.open_views(ADMIN), message="an admin may reassign any item")
    refused_note = typed(
        slack, bot, DEFENDER, OFFICE_CHANNEL, "/advocacy", f"done {ref_of(card)} called 555-123-4567"
    )
    assert "never carry client details; the words have what looks like a phone number" in refused_note
    assert field(card, "Status") == "open"


def test_an_action_item_for_a_channel_liaison_is_not_in_is_refused_and_nothing_stored(
    slack: Sandbox, bot: Bot
) -> None:
    listed = typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/advocacy", "list")
    said = typed(slack, bot, DEFENDER, UNJOINED, "/advocacy", "Draft the bail-fund letter")
    assert f"Liaison is not in <#{UNJOINED}>" in said and "/invite @liaison" in said, said
    assert "nothing was saved" in said and "A-" not in said, said
    assert typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/advocacy", "list") == listed  # nothing stored


def test_list_and_show_for_owners_in_other_organizations(slack: Sandbox, bot: Bot) -> None:
    card = post(slack, bot, f"Coordinate testimony schedule owner:<@{CIVIL_USER}> campaign:hearings")
    ref = ref_of(card)
    mine = typed(slack, bot, CIVIL_USER, COALITION, "/advocacy", "list mine")
    assert f"*{ref}* Coordinate testimony schedule [hearings]: open, <@{CIVIL_USER}>" in mine
    assert ref in typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/advocacy", f"list open owner:<@{CIVIL_USER}>")
    assert ref not in typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/advocacy", f"list open owner:<@{ADMIN}>")
    shown = typed(slack, bot, CIVIL_USER, COALITION, "/advocacy", f"show {ref}")
    assert "Campaign hearings, owners" in shown and "|Open the card>" in shown
    other = typed(slack, bot, PARTNER_USER, COALITION, "/advocacy", f"show {ref}")
    assert f"There is no action item `{ref}` that you can see." in other


def test_every_word_on_an_action_item_is_checked_whoever_writes_it(slack: Sandbox, bot: Bot) -> None:
    """Action items sit where several organizations read: a partner owner's note is screened too, and
    so is the campaign tag; a reopened item's old result goes."""
    tagged = typed(slack, bot, DEFENDER, COALITION, "/advocacy", "File an amicus brief campaign:24-cr-0113")
    assert "the campaign has what looks like a case number" in tagged
    card = post(slack, bot, f"Gather testimony owner:<@{CIVIL_USER}>")
    ref = ref_of(card)
    click(slack, CIVIL_USER, card, "advocacy.move.done")
    before = len(slack.ephemerals(CIVIL_USER, COALITION))
    fill_form(slack, CIVIL_USER, {"note": {"value": "Maria testified, DOB 04/12/1990"}})
    refused = _told(slack, CIVIL_USER, before)
    # Someone outside the office is told why, never which words were caught: that would let a partner
    # probe the office's list of protected names.
    assert "they look like they identify someone" in refused and "nothing was saved" in refused
    assert "04/12/1990" not in refused and "date of birth" not in refused.split("(", 1)[0]
    assert field(card, "Status") == "open" and field(card, "Result") is None

    long_note = typed(slack, bot, CIVIL_USER, COALITION, "/advocacy", f"done {ref} {'x' * 1600}")
    assert "keep it under 1500" in long_note
    assert f"{ref} is now *done*." in typed(
        slack, bot, CIVIL_USER, COALITION, "/advocacy", f"done {ref} https://example.org/testimony"
    )
    wait_for_field(slack, card, "Result", "https://example.org/testimony")
    assert f"{ref} is now *open*." in typed(
        slack, bot, DEFENDER, OFFICE_CHANNEL, "/advocacy", f"reopen {ref}"
    )
    slack.wait_for(lambda: field(card, "Status") == "open" and field(card, "Result") is None)
