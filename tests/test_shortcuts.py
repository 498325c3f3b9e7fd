"""Message and global shortcuts through the real bot, on SQLite and PostgreSQL: Refer to a partner, Ask a
partner and Make an action item open their forms prefilled from the message (cut to the field, with what
the identifier detector found in it said in the form), the item keeps the message's permalink, and the
message's thread is answered with the item's ID and link only; New referral, New consult and New action
item open the same forms empty; and what cannot work is told privately, with nothing stored."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from bot.sandbox import Sandbox, View, visible_text
from tests.databases import BACKENDS
from tests.inprocess import InProcessBot, in_process_bot
from tests.office import (
    ADMIN,
    DEFENDER,
    OFFICE_CHANNEL,
    PARTNER_USER,
    SHARED_CHANNEL,
    STRANGER,
    Bot,
    add_legal_aid,
    office,
)
from tests.office import command as typed

ROOT = Path(__file__).resolve().parent.parent
NO_BOT_CHANNEL = "C0NOBOT"  # a public channel of the office's that Liaison was never invited to
MIXED_CHANNEL = "C0MIXED"  # shared with Legal Aid Society and with a workspace no partner record names
REFER, ASK, ACT = "referral.from_message", "consult.from_message", "advocacy.from_message"
NEW_REFERRAL, NEW_CONSULT, NEW_ACTION = "referral.new", "consult.new", "advocacy.new"
TABLES = ("referral", "consult", "advocacy")


def workspace(slack: Sandbox) -> None:
    slack.add_channel(NO_BOT_CHANNEL, "no-liaison", members=[DEFENDER, ADMIN], bot_member=False)
    slack.add_channel(MIXED_CHANNEL, "coalition", members=[DEFENDER, PARTNER_USER, STRANGER])
    slack.apply_manifest(ROOT / "manifest.yml")  # only the shortcuts it declares are in Slack's menus


def set_up(slack: Sandbox, bot: Bot) -> None:
    add_legal_aid(slack, bot, scope="referral,consult,advocacy")


@pytest.fixture(scope="module")
def slack() -> Iterator[Sandbox]:
    with office() as sandbox:
        workspace(sandbox)
        yield sandbox


@pytest.fixture(scope="module", params=BACKENDS)
def bot(request: pytest.FixtureRequest, slack: Sandbox, tmp_path_factory: Any) -> Iterator[InProcessBot]:
    with in_process_bot(slack, tmp_path_factory.mktemp(request.param), request.param) as running:
        set_up(slack, running)
        yield running


# ---- acting and looking ------------------------------------------------------------------------------


def on_message(slack: Sandbox, bot: Bot, user: str, channel: str, ts: str, callback: str) -> View | None:
    """Use a message shortcut; the form it opened (None: none opened)."""
    bot.settle()
    before, told = {v.id for v in slack.open_views(user)}, len(slack.ephemerals(user, channel))
    delivery = slack.message_shortcut(user, channel, ts, callback, via=bot.via)
    assert delivery.acked and delivery.problems == [], delivery

    def opened() -> list[View]:
        return [v for v in slack.open_views(user) if v.id not in before]

    # A form, or a private answer saying why not: whichever comes (the bot may be a process).
    slack.wait_for(lambda: opened() or slack.ephemerals(user, channel)[told:], message="a form or an answer")
    bot.settle()
    return opened()[-1] if opened() else None


def from_menu(slack: Sandbox, bot: Bot, user: str, callback: str) -> View | None:
    """Use a shortcut from the shortcuts menu; the form it opened (None: none opened)."""
    bot.settle()
    before, told = {v.id for v in slack.open_views(user)}, len(slack.dms(user))
    delivery = slack.global_shortcut(user, callback, via=bot.via)
    assert delivery.acked and delivery.problems == [], delivery

    def opened() -> list[View]:
        return [v for v in slack.open_views(user) if v.id not in before]

    slack.wait_for(lambda: opened() or slack.dms(user)[told:], message="a form or a direct message")
    bot.settle()
    return opened()[-1] if opened() else None


def block(view: View, block_id: str) -> dict[str, Any]:
    return next(b for b in view.blocks if b.get("block_id") == block_id)


def prefilled(view: View, block_id: str) -> str | None:
    element = block(view, block_id)["element"]
    value = element.get("initial_value") or (element.get("initial_option") or {}).get("value")
    return None if value is None else str(value)


def hint(view: View, block_id: str) -> str:
    return str((block(view, block_id).get("hint") or {}).get("text") or "")


def submit(slack: Sandbox, bot: Bot, user: str, view: View, values: dict[str, Any], channel: str) -> str:
    """Send the form with these values ({block_id: value}); what the person is then told privately."""
    seen = len(slack.ephemerals(user, channel))
    delivery = slack.submit_view(user, view.id, {k: {"value": v} for k, v in values.items()}, via=bot.via)
    assert delivery.acked and delivery.problems == [], delivery
    told = slack.wait_for(lambda: slack.ephemerals(user, channel)[seen:], message="the form's answer")
    bot.settle()
    return visible_text(told[-1])


def thread(slack: Sandbox, channel: str, ts: str) -> list[str]:
    """What the bot said in a message's thread, as Slack stores it."""
    return [m.text for m in slack.messages(channel, ts) if m.user == slack.bot_user_id]


def card_link(slack: Sandbox, ref: str, channel: str) -> str:
    # The newest: each database's bot numbers its items from 1 in the module's one workspace.
    card = [m for m in slack.messages(channel) if m.text.startswith(f"{ref} ·")][-1]
    return f"archives/{channel}/p{card.ts.replace('.', '')}"


def stored(bot: Bot) -> dict[str, int]:
    engine = create_engine(bot.db_url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return {t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in TABLES}
    finally:
        engine.dispose()


def ref_in(answer: str, prefix: str) -> str:
    found = re.search(rf"\b{prefix}-\d+\b", answer)
    assert found, answer
    return found[0]


def told_privately(slack: Sandbox, user: str, channel: str, seen: int) -> str:
    told = slack.wait_for(lambda: slack.ephemerals(user, channel)[seen:], message="a private answer")
    assert len(told) == 1, [visible_text(t) for t in told]
    return visible_text(told[0])


# ---- message shortcuts --------------------------------------------------------------------------------


def test_refer_to_a_partner_prefills_the_form_shows_the_guard_and_answers_in_the_thread(
    slack: Sandbox, bot: Bot
) -> None:
    words = "Ms. Rivera was evicted last week & needs a shelter bed; call her at 312-555-0143 after 5."
    ts, _ = slack.post_as_user(DEFENDER, SHARED_CHANNEL, words)
    view = on_message(slack, bot, DEFENDER, SHARED_CHANNEL, ts, REFER)
    assert view is not None and view.callback_id == "referral.open"
    assert prefilled(view, "details") == words
    assert prefilled(view, "to") == "legal-aid"  # the channel's partner
    said = hint(view, "details")
    assert "a phone number" in said and "remove it before sending, or it will be refused" in said, said

    answer = submit(
        slack,
        bot,
        DEFENDER,
        view,
        {"need": "housing", "details": "Client evicted last week, needs a shelter bed. Ask me for contact."},
        SHARED_CHANNEL,
    )
    assert answer.startswith("Sent *R-") or answer.startswith("Sent R-"), answer
    ref = ref_in(answer, "R")
    replies = slack.wait_for(lambda: thread(slack, SHARED_CHANNEL, ts), message="the answer in the thread")
    assert len(replies) == 1
    link = card_link(slack, ref, SHARED_CHANNEL)
    assert re.fullmatch(rf"{ref}: https://\S+{link}", replies[0]), replies  # the ID and the link, no more
    shown = typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/referral", f"show {ref}")
    assert "The message it was made from" in shown
    raw = json.dumps(slack.ephemerals(DEFENDER, OFFICE_CHANNEL)[-1].blocks)
    assert f"archives/{SHARED_CHANNEL}/p{ts.replace('.', '')}" in raw  # its permalink, kept


def test_ask_a_partner_on_a_reply_answers_in_its_thread(slack: Sandbox, bot: Bot) -> None:
    parent, _ = slack.post_as_user(
        ADMIN, SHARED_CHANNEL, "Hearing on the motion to suppress moved to Friday."
    )
    question = "Has anyone seen Judge Okafor grant a Franks hearing on a thin affidavit like this one?"
    reply, _ = slack.post_as_user(DEFENDER, SHARED_CHANNEL, question, thread_ts=parent)
    view = on_message(slack, bot, DEFENDER, SHARED_CHANNEL, reply, ASK)
    assert view is not None and view.callback_id == "consult.open"
    assert prefilled(view, "question") == question
    assert "Liaison found" not in hint(view, "question")  # nothing identifying: the usual hint

    answer = submit(slack, bot, DEFENDER, view, {}, SHARED_CHANNEL)  # sent as it was prefilled
    ref = ref_in(answer, "C")
    replies = slack.wait_for(
        lambda: [t for t in thread(slack, SHARED_CHANNEL, parent) if t.startswith(ref)],
        message="the answer in the reply's thread",
    )
    assert len(replies) == 1 and re.fullmatch(
        rf"{ref}: https://\S+{card_link(slack, ref, SHARED_CHANNEL)}", replies[0]
    )


def test_make_an_action_item_cuts_a_long_message_to_the_title(slack: Sandbox, bot: Bot) -> None:
    words = "Draft the coalition's comment on the pretrial detention bill. " * 8  # 504 characters
    ts, _ = slack.post_as_user(DEFENDER, OFFICE_CHANNEL, words.strip())
    view = on_message(slack, bot, DEFENDER, OFFICE_CHANNEL, ts, ACT)
    assert view is not None and view.callback_id == "advocacy.open"
    title = prefilled(view, "title")
    assert title is not None and len(title) == 300 and words.startswith(title)
    said = hint(view, "title")
    assert "cut to fit" in said and f"is {len(words.strip())} characters" in said, said

    answer = submit(slack, bot, DEFENDER, view, {}, OFFICE_CHANNEL)
    ref = ref_in(answer, "A")
    replies = slack.wait_for(lambda: thread(slack, OFFICE_CHANNEL, ts), message="the answer in the thread")
    assert len(replies) == 1 and replies[0].startswith(f"{ref}: https://")
    assert card_link(slack, ref, OFFICE_CHANNEL) in replies[0] and "coalition" not in replies[0]


def test_an_action_item_from_a_message_with_a_client_detail_is_refused_until_removed(
    slack: Sandbox, bot: Bot
) -> None:
    ts, _ = slack.post_as_user(DEFENDER, SHARED_CHANNEL, "Testify at the hearing; reach me at 312-555-0199.")
    view = on_message(slack, bot, DEFENDER, SHARED_CHANNEL, ts, ACT)
    assert view is not None
    assert "a phone number" in hint(view, "title") and "never carry client details" in hint(view, "title")
    before = stored(bot)
    answer = submit(slack, bot, DEFENDER, view, {}, SHARED_CHANNEL)  # sent without removing it
    assert "what looks like a phone number" in answer and "Leave that out" in answer, answer
    assert stored(bot) == before and thread(slack, SHARED_CHANNEL, ts) == []


# ---- global shortcuts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("callback", "form", "values", "prefix"),
    [
        (
            NEW_REFERRAL,
            "referral.open",
            {"need": "benefits", "details": "SNAP benefits were cut off; help with the appeal."},
            "R",
        ),
        (NEW_CONSULT, "consult.open", {"question": "Any experience with the new bail schedule?"}, "C"),
        (NEW_ACTION, "advocacy.open", {"title": "Send the county board our jail-visits letter."}, "A"),
    ],
)
def test_each_global_shortcut_opens_its_form_empty_and_creates_the_item(
    slack: Sandbox, bot: Bot, callback: str, form: str, values: dict[str, str], prefix: str
) -> None:
    view = from_menu(slack, bot, DEFENDER, callback)
    assert view is not None and view.callback_id == form
    text_field = next(iter(values))
    assert prefilled(view, text_field) is None and block(view, "channel")  # empty; it asks where to post
    chosen = {"channel": SHARED_CHANNEL, **({"to": "legal-aid"} if prefix != "A" else {}), **values}
    dms = len(slack.dms(DEFENDER))
    delivery = slack.submit_view(DEFENDER, view.id, {k: {"value": v} for k, v in chosen.items()}, via=bot.via)
    assert delivery.acked and delivery.problems == [], delivery
    # Opened from no channel, the form is answered by direct message (as one from the Home tab is).
    answer = visible_text(slack.wait_for(lambda: slack.dms(DEFENDER)[dms:], message="the answer")[0])
    ref = ref_in(answer, prefix)
    assert any(m.text.startswith(f"{ref} ·") for m in slack.messages(SHARED_CHANNEL))


# ---- what cannot work ---------------------------------------------------------------------------------


def test_a_message_in_a_channel_liaison_is_not_in_is_refused_privately(slack: Sandbox, bot: Bot) -> None:
    ts, _ = slack.post_as_user(DEFENDER, NO_BOT_CHANNEL, "Follow up with the clinic about intake hours.")
    before, seen = stored(bot), len(slack.ephemerals(DEFENDER, NO_BOT_CHANNEL))
    for callback in (REFER, ASK, ACT):
        assert on_message(slack, bot, DEFENDER, NO_BOT_CHANNEL, ts, callback) is None
        said = told_privately(slack, DEFENDER, NO_BOT_CHANNEL, seen)
        seen += 1
        assert "Liaison is not in" in said and "/invite @liaison" in said and "nothing was saved" in said
    assert stored(bot) == before


def test_a_message_without_text_is_refused_privately(slack: Sandbox, bot: Bot) -> None:
    ts = slack.share_file_as_user(DEFENDER, SHARED_CHANNEL, "intake.pdf", b"%PDF-1.7")
    before, seen = stored(bot), len(slack.ephemerals(DEFENDER, SHARED_CHANNEL))
    assert on_message(slack, bot, DEFENDER, SHARED_CHANNEL, ts, REFER) is None
    said = told_privately(slack, DEFENDER, SHARED_CHANNEL, seen)
    assert "no text Liaison can read" in said and "nothing was saved" in said
    assert stored(bot) == before


def test_a_referral_or_consult_from_a_channel_no_partner_reads_is_refused(slack: Sandbox, bot: Bot) -> None:
    ts, _ = slack.post_as_user(DEFENDER, OFFICE_CHANNEL, "Client needs a housing lawyer before Monday.")
    before, seen = stored(bot), len(slack.ephemerals(DEFENDER, OFFICE_CHANNEL))
    for callback in (REFER, ASK):
        assert on_message(slack, bot, DEFENDER, OFFICE_CHANNEL, ts, callback) is None
        said = told_privately(slack, DEFENDER, OFFICE_CHANNEL, seen)
        seen += 1
        assert "No partner reads this channel" in said and "channel link" in said, said
    assert stored(bot) == before


def test_a_referral_from_a_channel_a_stranger_reads_is_refused_but_an_action_item_may_go(
    slack: Sandbox, bot: Bot
) -> None:
    ts, _ = slack.post_as_user(DEFENDER, MIXED_CHANNEL, "Draft the joint letter to the sheriff on visits.")
    before, seen = stored(bot), len(slack.ephemerals(DEFENDER, MIXED_CHANNEL))
    assert on_message(slack, bot, DEFENDER, MIXED_CHANNEL, ts, REFER) is None
    said = told_privately(slack, DEFENDER, MIXED_CHANNEL, seen)
    assert "organization Liaison does not know" in said and "client matters can't be posted here" in said
    assert stored(bot) == before
    view = on_message(slack, bot, DEFENDER, MIXED_CHANNEL, ts, ACT)  # no client matter: it may go there
    assert view is not None and prefilled(view, "title") == "Draft the joint letter to the sheriff on visits."
    slack.close_view(DEFENDER, view.id)


def test_partner_staff_may_not_create_items_from_a_shortcut(slack: Sandbox, bot: Bot) -> None:
    ts, _ = slack.post_as_user(PARTNER_USER, SHARED_CHANNEL, "We can take two more housing cases this week.")
    before, seen = stored(bot), len(slack.ephemerals(PARTNER_USER, SHARED_CHANNEL))
    assert on_message(slack, bot, PARTNER_USER, SHARED_CHANNEL, ts, REFER) is None
    said = told_privately(slack, PARTNER_USER, SHARED_CHANNEL, seen)
    assert "As staff of Legal Aid Society" in said and "only the office can create an item" in said, said

    dms = len(slack.dms(PARTNER_USER))
    assert from_menu(slack, bot, PARTNER_USER, NEW_ACTION) is None  # no channel: told by direct message
    told = slack.wait_for(lambda: slack.dms(PARTNER_USER)[dms:], message="a direct message")
    assert "only the office can create an item" in visible_text(told[0])
    assert stored(bot) == before


def test_the_item_stays_when_the_messages_thread_cannot_be_answered(slack: Sandbox, bot: Bot) -> None:
    ts, _ = slack.post_as_user(DEFENDER, OFFICE_CHANNEL, "Call the county clerk about the records backlog.")
    view = on_message(slack, bot, DEFENDER, OFFICE_CHANNEL, ts, ACT)
    assert view is not None
    slack.fail(
        "chat.postMessage",
        status=200,
        error="restricted_action_thread_locked",
        where=lambda args: args.get("thread_ts") == ts,
    )
    answer = submit(slack, bot, DEFENDER, view, {}, OFFICE_CHANNEL)
    ref = ref_in(answer, "A")
    assert "could not answer in the message's thread (restricted_action_thread_locked)" in answer, answer
    assert card_link(slack, ref, OFFICE_CHANNEL) and thread(slack, OFFICE_CHANNEL, ts) == []


def test_a_shortcut_not_shaped_as_slack_sends_one_is_refused_before_any_listener(
    slack: Sandbox, bot: Bot
) -> None:
    """A message shortcut without its channel, signed all the same: 400, nothing opened or stored."""
    ts, _ = slack.post_as_user(DEFENDER, SHARED_CHANNEL, "Client needs a housing lawyer.")
    with slack.workspace.lock:
        message = slack.workspace.message(SHARED_CHANNEL, ts)
        assert message is not None
        user, channel = slack.workspace.users[DEFENDER], slack.workspace.channels[SHARED_CHANNEL]
        payload = slack.payloads.message_shortcut(user, channel, message, REFER)
    del payload["channel"]
    body = b"payload=" + quote(json.dumps(payload)).encode()
    before, views = stored(bot), len(slack.calls("views.open"))
    delivery = slack.post_raw(body, slack.driver.signed_headers(body, "application/x-www-form-urlencoded"))
    assert delivery.status == 400
    bot.settle()
    assert stored(bot) == before and len(slack.calls("views.open")) == views


def test_a_replayed_shortcut_does_nothing(slack: Sandbox, bot: Bot) -> None:
    """The same signed request again (Slack never sends one twice): no second form, no answer."""
    ts, _ = slack.post_as_user(DEFENDER, SHARED_CHANNEL, "Can the clinic see a client on Thursday?")
    bot.settle()
    delivery = slack.message_shortcut(DEFENDER, SHARED_CHANNEL, ts, ASK, via=bot.via)
    view = slack.wait_for(lambda: [v for v in slack.open_views(DEFENDER) if v.callback_id == "consult.open"])
    bot.settle()
    opened, told = len(slack.calls("views.open")), len(slack.ephemerals(DEFENDER, SHARED_CHANNEL))
    again = slack.replay(delivery)
    assert again.acked
    bot.settle()
    assert (
        len(slack.calls("views.open")) == opened and len(slack.ephemerals(DEFENDER, SHARED_CHANNEL)) == told
    )
    slack.close_view(DEFENDER, view[-1].id)
