"""A Slack link is drawn as its label, joined to the words around it: `Maria <https://...|Ortiz>` shows
`Maria Ortiz`, while as written the link's address stands between the two names. The detector reads a
typed text that way too, and the door reads every outbound write both ways (bot/writes.py as_read),
since the address may carry anything itself. Through the bot: the corpus's link disguises
(bench/corpus/adversarial.py, the fifth review) in tests/test_guard.py and tests/test_guard_bot.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.corpus.build import CASE_NUMBER, DO_NOT_POST, OFFICE_PATTERN
from bot.door import Door, GuardRefused, Refusal, permitting
from bot.sandbox import Sandbox
from bot.slack_client import LiaisonWebClient, web_client
from bot.workspace import SlackWorkspace
from commands.format import plain
from storage.disclosure import Permit
from storage.identifiers import Detector, Finding, Identifier, as_drawn
from tests.office import PARTNER_TEAM, SHARED_CHANNEL, office

DETECTOR = Detector(OFFICE_PATTERN, DO_NOT_POST)
NAME_IN_A_LINK = "Maria <https://drive.example.com/file/1|Ortiz> needs a bed tonight."


@pytest.fixture
def slack() -> Iterator[Sandbox]:
    with office() as sandbox:
        yield sandbox


@pytest.fixture
def client(slack: Sandbox) -> tuple[LiaisonWebClient, list[Refusal]]:
    refusals: list[Refusal] = []
    fitted = web_client(slack.bot_token, slack.api_url)
    fitted.door = Door(
        DETECTOR, slack.home_team_id, SlackWorkspace(fitted, slack.home_team_id), refusals.append
    )
    return fitted, refusals


def test_a_link_is_read_as_its_label_in_place_character_for_character() -> None:
    drawn = as_drawn(NAME_IN_A_LINK)
    assert len(drawn) == len(NAME_IN_A_LINK)
    assert drawn.replace("\u200b", "") == "Maria Ortiz needs a bed tonight."
    assert as_drawn("<https://example.org/x>, <@U0DEF> and <#C0LEGAL|legal>") == (
        "<https://example.org/x>, <@U0DEF> and <#C0LEGAL|legal>"  # no label drawn for a link: as written
    )


@pytest.mark.parametrize(
    ("text", "what"),
    [
        (NAME_IN_A_LINK, Identifier.do_not_post),
        ("SSN 123-45-<https://example.com|6789>", Identifier.ssn),
        ("file 24-CR-<https://example.com|0113>", Identifier.case_number),
        ("DOB <mailto:x@example.org|3/4/1991>", Identifier.birth_date),
    ],
)
def test_what_a_link_label_completes_is_found_where_it_was_typed(text: str, what: Identifier) -> None:
    found = DETECTOR.findings(text, CASE_NUMBER)
    assert what in {f.what for f in found}
    masked = DETECTOR.masked(text, found)
    assert "▇" in masked and text.split("|")[-1].split(">")[0] not in masked  # the label itself is masked


def test_the_door_refuses_a_name_completed_by_a_link_label_in_a_partners_channel(
    slack: Sandbox, client: tuple[LiaisonWebClient, list[Refusal]]
) -> None:
    web, refusals = client
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": plain(NAME_IN_A_LINK)}}]
    with permitting(Permit("R-1", frozenset({PARTNER_TEAM}), CASE_NUMBER)), pytest.raises(GuardRefused):
        web.chat_postMessage(channel=SHARED_CHANNEL, text="A referral", blocks=blocks)
    assert [r.classes for r in refusals] == [(Identifier.do_not_post.value,)]
    harmless = "See <https://www.illinoislegalaid.org/legal-information|Illinois Legal Aid> for the guide."
    with permitting(Permit("R-1", frozenset({PARTNER_TEAM}), CASE_NUMBER)):
        web.chat_postMessage(channel=SHARED_CHANNEL, text=harmless)
    assert [m.text for m in slack.messages(SHARED_CHANNEL)] == [harmless]


def test_findings_of_two_readings_that_overlap_are_masked_whole() -> None:
    text = "call 312-555-0199 now"
    overlapping = [Finding(Identifier.phone, 5, 12), Finding(Identifier.phone, 9, 17)]
    assert DETECTOR.masked(text, overlapping) == "call " + "▇" * 7 + "▇" * 5 + " now"


def test_two_readings_of_one_message_are_never_read_side_by_side(
    slack: Sandbox, client: tuple[LiaisonWebClient, list[Refusal]]
) -> None:
    """A message that ends with a first name and starts with a surname is no name: read as written and
    as drawn one after the other, its end would stand beside its start."""
    web, refusals = client
    text = "Ortiz Legal Clinic's release form is <https://clinic.example.org/forms|here>. Thanks, Maria"
    with permitting(Permit("R-1", frozenset({PARTNER_TEAM}), CASE_NUMBER)):
        web.chat_postMessage(channel=SHARED_CHANNEL, text=text)
    assert refusals == []
    assert [m.text for m in slack.messages(SHARED_CHANNEL)] == [text]
