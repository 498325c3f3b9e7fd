"""The identifier guard through the bot, in this process on SQLite and PostgreSQL: every disguise the issue
names, every free-text field of every command, form and button-opened form, and the whole labelled corpus
are refused before anything is stored (the answer names the class and masks the value), while the
corpus's ordinary texts post; a write the input checks missed is stopped at the door, told and audited.
The guard without a bot: tests/test_guard.py; the log of the bot as a process never carrying the
client's words: tests/test_e2e_guard.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.corpus.build import CASE_NUMBER, DO_NOT_POST, OFFICE_PATTERN
from bench.guard import corpus
from bot.sandbox import Message, Sandbox, visible_text
from tests.databases import BACKENDS
from tests.inprocess import InProcessBot, in_process_bot
from tests.office import (
    ADMIN,
    DEFENDER,
    OFFICE_CHANNEL,
    PARTNER_USER,
    SHARED_CHANNEL,
    Bot,
    add_legal_aid,
    fill_form,
)
from tests.office import command as typed
from tests.test_guard import ISSUE_VARIANTS

ACTIONS = "C0ACTIONS"  # where action items go: home staff and Legal Aid's staff


# The office as the corpus's office configures it: its case-number pattern and its do-not-post names.
SETTINGS = {"LIAISON_DO_NOT_POST": ",".join(DO_NOT_POST), "LIAISON_CASE_NUMBER_PATTERN": OFFICE_PATTERN}


def workspace(slack: Sandbox) -> None:
    """Where action items go: home staff and Legal Aid's staff."""
    slack.add_channel(ACTIONS, "actions", members=[DEFENDER, ADMIN, PARTNER_USER])


def set_up(slack: Sandbox, bot: Bot) -> None:
    add_legal_aid(slack, bot, scope="referral,consult,advocacy")


@pytest.fixture(scope="module")
def slack(slack: Sandbox) -> Sandbox:
    workspace(slack)
    return slack


@pytest.fixture(scope="module", params=BACKENDS)
def bot(
    request: pytest.FixtureRequest, slack: Sandbox, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[InProcessBot]:
    with in_process_bot(slack, tmp_path_factory.mktemp(request.param), request.param, **SETTINGS) as running:
        set_up(slack, running)
        yield running


def stored_referrals(slack: Sandbox, bot: Bot) -> str:
    return typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/referral", "list all").splitlines()[0]


def refused(slack: Sandbox, bot: Bot, name: str, text: str, user: str = DEFENDER) -> str:
    """Type a command that must be refused: nothing is posted anywhere, and the answer masks."""
    posted = {c: len(slack.messages(c)) for c in (SHARED_CHANNEL, ACTIONS)}
    answer = typed(slack, bot, user, SHARED_CHANNEL if name != "/advocacy" else ACTIONS, name, text)
    assert {c: len(slack.messages(c)) for c in posted} == posted, f"{text!r} posted something"
    assert "▇" in answer or "never" in answer, answer
    return answer


def card_of(slack: Sandbox, answer: str, channel: str = SHARED_CHANNEL) -> Message:
    ref = answer.split("*")[1]
    return [m for m in slack.messages(channel) if m.text.startswith(f"{ref} ·")][-1]


@pytest.mark.parametrize(("text", "what"), ISSUE_VARIANTS, ids=[v[0] for v in ISSUE_VARIANTS])
def test_every_disguise_the_issue_names_is_refused_masked_and_nothing_stored(
    slack: Sandbox, bot: Bot, text: str, what: object
) -> None:
    before = stored_referrals(slack, bot)
    answer = refused(slack, bot, "/referral", f"need:housing case:{CASE_NUMBER} Client info: {text}.")
    assert str(what) in answer and text not in answer
    assert stored_referrals(slack, bot) == before


def test_the_labelled_corpus_through_the_bot(slack: Sandbox, bot: InProcessBot) -> None:
    """A sample of the corpus (every tenth case of each half), typed as a person would: each identifier is
    refused as a referral's details and nothing is stored; each ordinary text posts. The whole corpus is
    read by the guard directly (tests/test_guard.py: the detector finds every identifier and nothing in the
    ordinary texts, as typed and as the door reads them; /referral takes each text whole as its details)."""
    before = stored_referrals(slack, bot)
    let_through = []
    for case in corpus("identifiers")[::10]:
        text = f"need:housing case:{CASE_NUMBER} {case['text']}"
        if typed(slack, bot, DEFENDER, SHARED_CHANNEL, "/referral", text).startswith("Sent"):
            let_through.append(case)
    assert let_through == []
    assert stored_referrals(slack, bot) == before
    refused_ordinary = []
    for case in corpus("ordinary")[::10]:
        answer = typed(slack, bot, DEFENDER, SHARED_CHANNEL, "/referral", f"need:housing {case['text']}")
        if not answer.startswith("Sent *R-"):
            refused_ordinary.append((case["text"], answer))
    assert refused_ordinary == []


def test_a_need_naming_a_client_is_refused_even_when_confirmed(slack: Sandbox, bot: Bot) -> None:
    answer = refused(slack, bot, "/referral", "need:john-doe confirm:yes Client needs a place to stay.")
    assert "a name on the do-not-post list" in answer and "john-doe" not in answer


def test_a_cancel_reason_is_screened_before_it_reaches_the_thread(slack: Sandbox, bot: Bot) -> None:
    sent = typed(slack, bot, DEFENDER, SHARED_CHANNEL, "/referral", "need:housing Client faces eviction.")
    card, ref = card_of(slack, sent), sent.split("*")[1]
    answer = refused(slack, bot, "/referral", f'cancel {ref} reason:"client moved to 55 Elm Ct"')
    assert "a street address" in answer and "55 Elm Ct" not in answer
    assert slack.messages(SHARED_CHANNEL, thread_ts=card.ts) == []
    assert "*requested*" in typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/referral", f"show {ref}")


def test_the_referral_forms_details_are_screened(slack: Sandbox, bot: Bot) -> None:
    before = stored_referrals(slack, bot)
    seen = len(slack.ephemerals(DEFENDER, SHARED_CHANNEL))
    typed_ = slack.slash_command(DEFENDER, SHARED_CHANNEL, "/referral", "")
    assert typed_.acked
    fill_form(
        slack,
        DEFENDER,
        {"need": {"value": "housing"}, "details": {"value": "Reach him at (312)555-0199 after 5."}},
    )
    told = visible_text(slack.wait_for(lambda: slack.ephemerals(DEFENDER, SHARED_CHANNEL)[seen:])[-1])
    assert "a phone number" in told and "555-0199" not in told and "▇" in told
    assert stored_referrals(slack, bot) == before


def test_a_consults_question_and_its_resolving_note_are_screened(slack: Sandbox, bot: Bot) -> None:
    answer = refused(slack, bot, "/consult", "Can you advise? Client D.O.B. 03/14/1988, charged last week.")
    assert "a date of birth" in answer
    asked = typed(slack, bot, DEFENDER, SHARED_CHANNEL, "/consult", "Any rulings on the new bail statute?")
    ref = asked.split("*")[1]
    answer = refused(slack, bot, "/consult", f"resolve {ref} spoke with Doe, John about it")
    assert "a name on the do-not-post list" in answer and "Doe" not in answer
    assert "*open*" in typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/consult", f"show {ref}")


def test_every_word_of_an_action_item_is_screened(slack: Sandbox, bot: Bot) -> None:
    assert "a phone number" in refused(slack, bot, "/advocacy", "Call 312.555.0199 about bail reform")
    assert "a case number" in refused(slack, bot, "/advocacy", "Bail reform testimony campaign:24cr0999")
    posted = typed(slack, bot, DEFENDER, ACTIONS, "/advocacy", "Draft testimony on bail reform")
    ref = posted.split("*")[1]
    assert "an email address" in refused(
        slack, bot, "/advocacy", f"done {ref} sent to jdoe [at] example [dot] com"
    )
    assert "a name on the do-not-post list" in refused(
        slack, bot, "/advocacy", f"drop {ref} José Núñez asked"
    )


def test_a_partners_note_in_a_form_is_screened_like_anyone_elses(slack: Sandbox, bot: Bot) -> None:
    sent = typed(slack, bot, DEFENDER, SHARED_CHANNEL, "/referral", "need:housing Client needs a lawyer.")
    card, ref = card_of(slack, sent), sent.split("*")[1]
    assert slack.click(PARTNER_USER, SHARED_CHANNEL, card.ts, "referral.move.accepted").acked
    slack.wait_for(lambda: "accepted" in visible_text(card_of(slack, sent)))
    seen = len(slack.ephemerals(PARTNER_USER, SHARED_CHANNEL))
    assert slack.click(PARTNER_USER, SHARED_CHANNEL, card.ts, "referral.move.completed").acked
    fill_form(slack, PARTNER_USER, {"note": {"value": "Housed. Reach her at jdoe@example.com"}})
    told = visible_text(slack.wait_for(lambda: slack.ephemerals(PARTNER_USER, SHARED_CHANNEL)[seen:])[-1])
    assert "they look like they identify someone" in told and "jdoe@example.com" not in told
    assert "*accepted*" in typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/referral", f"show {ref}")
    # The same words whatever was caught: a partner cannot learn who is on the office's do-not-post list.
    seen = len(slack.ephemerals(PARTNER_USER, SHARED_CHANNEL))
    assert slack.click(PARTNER_USER, SHARED_CHANNEL, card.ts, "referral.move.completed").acked
    fill_form(slack, PARTNER_USER, {"note": {"value": "Is Maria Ortiz one of yours?"}})
    probed = visible_text(slack.wait_for(lambda: slack.ephemerals(PARTNER_USER, SHARED_CHANNEL)[seen:])[-1])
    assert probed == told


def test_what_the_input_checks_miss_is_stopped_at_the_door_told_and_audited(slack: Sandbox, bot: Bot) -> None:
    """A partner's name is the office's own directory, not checked as client text; when an admin names a
    partner like a client on the do-not-post list, what would carry the name is stopped at the door."""
    team, user, channel = "T0NUNEZ", "U0NUNEZ", "C0NUNEZ"
    if slack.workspace.teams.get(team) is None:
        slack.add_team(team, "Nunez clinic")
        slack.add_user(user, "nina", team_id=team)
        slack.add_channel(channel, "nunez", members=[DEFENDER, user])
    for line in (
        f'partner add nunez name:"Nunez, Jose Clinic" kind:clinic team:{team} scope:referral',
        f"channel link <#{channel}|nunez> nunez",
    ):
        assert "Sorry" not in typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", line)
    sent = typed(slack, bot, DEFENDER, channel, "/referral", "need:housing Client needs a lawyer.")
    ref = sent.split("*")[1]
    card = card_of(slack, sent, channel)
    assert "Nunez, Jose" not in visible_text(card), "the card is drawn with the name masked"
    seen = len(slack.ephemerals(user, channel))
    assert slack.click(user, channel, card.ts, "referral.move.accepted").acked
    told = visible_text(slack.wait_for(lambda: slack.ephemerals(user, channel)[seen:])[-1])
    assert "Liaison's guard stopped a message about" in told and "a name on the do-not-post list" in told
    assert all("Nunez" not in visible_text(m) for m in slack.messages(channel, thread_ts=card.ts))
    log = typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", f"audit item:{ref}")
    assert "door.refused" in log and "a name on the do-not-post list" in log
    shown = typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/referral", f"show {ref}")
    assert "Liaison's guard stopped" in shown
