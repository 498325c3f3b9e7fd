"""The identifier guard without a bot process: the detector on the labelled corpus and on the issue's own
list of disguises, and the door (bot/door.py) in front of a real Web API client talking to the Slack
stand-in: every method that writes passes it, reads are what they say, and nothing else in the code talks
to Slack."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_bolt.context.respond import Respond

from bench.corpus.build import CASE_NUMBER, DO_NOT_POST, OFFICE_PATTERN
from bench.guard import corpus
from bot.door import READS, Door, GuardedRespond, GuardRefused, Refusal, permitting, viewed_by
from bot.sandbox import Sandbox
from bot.slack_client import LiaisonWebClient, web_client
from bot.workspace import SlackWorkspace
from bot.writes import RESPONSE_URL, as_read
from commands import catalog
from commands.format import plain
from commands.kinds import standard
from storage.disclosure import Permit
from storage.identifiers import Detector, Identifier
from storage.identifiers.reading import normalize
from tests.office import OFFICE_CHANNEL, PARTNER_TEAM, PARTNER_USER, SHARED_CHANNEL, office
from tests.slack_originals import ORACLES

ROOT = Path(__file__).resolve().parents[1]
DETECTOR = Detector(OFFICE_PATTERN, DO_NOT_POST)


# ---- the detector ------------------------------------------------------------------------------------------

# Every disguise the issue lists, each with the class it must be caught as.
ISSUE_VARIANTS = [
    ("SSN 123 45 6789", Identifier.ssn),
    ("123456789", Identifier.ssn),
    ("123.45.6789", Identifier.ssn),
    ("SSN 123\u201345\u20136789", Identifier.ssn),
    ("SSN 123\u221245\u22126789", Identifier.ssn),
    ("SSN 123\u200b45\u200b6789", Identifier.ssn),
    ("D.O.B. 03/14/1988", Identifier.birth_date),
    ("birthday 3-14-88", Identifier.birth_date),
    ("(312)555-0199", Identifier.phone),
    ("3125550199", Identifier.phone),
    ("312\u2010555\u20100199", Identifier.phone),
    ("jdoe\uff20example.com", Identifier.email),
    ("jdoe [at] example [dot] com", Identifier.email),
    ("jdoe\n\n@\n\nexample.com", Identifier.email),
    ("1234 Martin Luther King Blvd", Identifier.address),
    ("55 Elm Ct", Identifier.address),
    ("12 Oak Way Apt 4", Identifier.address),
    ("P.O. Box 4411", Identifier.address),
    ("24CR0999", Identifier.case_number),
    ("2024-CR-0999", Identifier.case_number),
    ("24\u2013CR\u20130113", Identifier.case_number),
    ("24-\u200bCR-0113", Identifier.case_number),
    ("Doe, John", Identifier.do_not_post),
    ("John_Doe", Identifier.do_not_post),
    ("JohnDoe", Identifier.do_not_post),
    ("John Q. Doe", Identifier.do_not_post),
    ("J o h n  D o e", Identifier.do_not_post),
    ("\uff2a\uff4f\uff48\uff4e \uff24\uff4f\uff45", Identifier.do_not_post),
    ("J\u043ehn Doe", Identifier.do_not_post),
    ("Jose Nunez", Identifier.do_not_post),
]


@pytest.mark.parametrize(("text", "what"), ISSUE_VARIANTS, ids=[v[0] for v in ISSUE_VARIANTS])
def test_every_disguise_the_issue_names_is_caught_as_its_class(text: str, what: Identifier) -> None:
    found = DETECTOR.findings(f"Client info: {text}, thanks.", CASE_NUMBER)
    assert [f.what for f in found] == [what], found
    masked = DETECTOR.masked(f"Client info: {text}, thanks.", found)
    assert masked.startswith("Client info: ▇") and masked.endswith(", thanks.") and text not in masked


def found_at_the_door(text: str) -> bool:
    """Whether the door finds anything in someone's words as Liaison shows them: escaped for Slack
    (commands/format.plain), then read as the door reads a call (bot/writes.py as_read)."""
    return any(DETECTOR.findings(reading, CASE_NUMBER) for reading in as_read({"text": plain(text)}))


def test_every_identifier_in_the_corpus_is_found_as_typed_and_as_the_door_reads_it_shown() -> None:
    """At input the detector reads what was typed; the door reads the message as Liaison shows it."""
    missed = [c for c in corpus("identifiers") if not DETECTOR.findings(c["text"], CASE_NUMBER)]
    assert missed == []
    assert [c for c in corpus("identifiers") if not found_at_the_door(c["text"])] == []


def test_ordinary_referral_text_is_left_alone() -> None:
    alarms = {
        c["text"]: [
            (f.what.name, c["text"][f.start : f.end]) for f in DETECTOR.findings(c["text"], CASE_NUMBER)
        ]
        for c in corpus("ordinary")
    }
    assert {text: found for text, found in alarms.items() if found} == {}
    assert [c for c in corpus("ordinary") if found_at_the_door(c["text"])] == []


def test_pieces_of_a_card_the_door_joins_are_not_read_as_one_address() -> None:
    """The door reads a message's pieces joined by a blank line: a title of just `@` between the line
    above and the button below is no email address (found by the bad-input property test)."""
    assert DETECTOR.findings("Replies\nnone yet\n\n@\n\nDone…\n\nReassign…") == []
    assert DETECTOR.findings("Call her at maria @ gmail or\n@\n\nexample.org")


def test_referral_takes_every_corpus_text_whole_as_its_details() -> None:
    """What the guard reads of a referral typed with a corpus text is that text, all of it: nothing in it is
    taken for a `key:value` (tests/test_guard_bot.py types a sample of them to the bot)."""
    (referral,) = [c for c in catalog(standard()) if c.name == "/referral"]
    misread = []
    for case, typed in [
        *((c, f"need:housing case:{CASE_NUMBER} {c['text']}") for c in corpus("identifiers")),
        *((c, f"need:housing {c['text']}") for c in corpus("ordinary")),
    ]:
        sub, args = referral.resolve(typed)
        read = (sub is referral.default, args.first("need"), args.text.strip(), args.confirm)
        if read != (True, "housing", case["text"].strip(), False):
            misread.append((case["text"], read))
    assert misread == []


def test_the_corpus_is_what_its_builder_writes() -> None:
    from bench.corpus import build

    assert corpus("identifiers") == build.identifiers()
    assert len(corpus("identifiers")) >= 300 and len(corpus("ordinary")) >= 300


def test_a_masked_finding_covers_exactly_the_typed_characters() -> None:
    typed = "Call ３１２\u200b–５５５–０１９９ now"
    (finding,) = DETECTOR.findings(typed)
    assert typed[finding.start : finding.end] == "３１２\u200b–５５５–０１９９"
    assert normalize(typed).text == "Call 312-555-0199 now"


def test_the_own_case_number_and_names_are_found_however_they_are_spelt() -> None:
    for text in ("see 24cr0113", "see 2 4 c r 0 1 1 3", "see ２４\u200bＣＲ–０１１３"):
        assert [f.what for f in DETECTOR.findings(text, CASE_NUMBER)] == [Identifier.case_number], text
    assert Detector().findings("John Doe") == [], "names are the office's own list"
    assert DETECTOR.findings("John called; Doe is the landlord's name") == [], "a name's words apart"


# ---- the door ---------------------------------------------------------------------------------------------


@pytest.fixture
def slack() -> Iterator[Sandbox]:
    """A stand-in of the test's own: the door's tests count every call that reached it."""
    with office() as sandbox:
        yield sandbox


@pytest.fixture
def refusals() -> list[Refusal]:
    return []


@pytest.fixture
def client(slack: Sandbox, refusals: list[Refusal]) -> LiaisonWebClient:
    """The bot's own client, fitted with its door, talking to the stand-in."""
    fitted = web_client(slack.bot_token, slack.api_url)
    fitted.door = Door(
        DETECTOR, slack.home_team_id, SlackWorkspace(fitted, slack.home_team_id), refusals.append
    )
    return fitted


def _catalog_methods() -> set[str]:
    """Every Web API method Slack lists (the project's facts, derived from Slack's catalog)."""
    return set(_facts()["method_names"])


def _facts() -> dict[str, Any]:
    return json.loads((ROOT / "bot" / "sandbox" / "facts" / "web_api.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _methods_the_bot_calls() -> set[str]:
    """Every Web API method named in the bot's code: `client.chat_postMessage(`, `api_call("x.y"`."""
    found = set()
    for path in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("commands/**/*.py"), *ROOT.glob("storage/**/*.py")]:
        if "sandbox" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        for name in re.findall(r"\.(\w+?_\w+)\(", source):
            method = _method_of(name)
            if method:
                found.add(method)
    return found


def _method_of(python_name: str) -> str | None:
    from slack_sdk import WebClient

    if not hasattr(WebClient, python_name) or python_name.startswith("_"):
        return None
    import inspect

    source = inspect.getsource(getattr(WebClient, python_name))
    match = re.search(r'api_call\(\s*"([\w.]+)"', source)
    return match[1] if match else None


def test_the_bot_calls_methods_the_scan_can_see() -> None:
    called = _methods_the_bot_calls()
    assert {"chat.postMessage", "chat.update", "views.open", "views.publish", "users.info"} <= called


def test_every_method_that_writes_is_refused_identifying_text_before_it_reaches_slack(
    slack: Sandbox, client: LiaisonWebClient, refusals: list[Refusal]
) -> None:
    writes = (_catalog_methods() | _methods_the_bot_calls() | {"chat.scheduleMessage", "made.up"}) - READS
    assert len(writes) > 5
    arguments = {"channel": SHARED_CHANNEL, "user": PARTNER_USER, "text": "Client SSN 123-45-6789"}
    for method in sorted(writes):
        with pytest.raises(GuardRefused):
            client.api_call(method, json=arguments)
        assert slack.calls(method) == [], f"{method} reached Slack"
    assert {r.method for r in refusals} == writes, "each refusal is audited"
    assert {r.classes for r in refusals if r.method != "files.completeUploadExternal"} == {
        (Identifier.ssn.value,)
    }


def test_what_the_door_treats_as_reads_only_read() -> None:
    """Every method the door lets pass unread asks Slack only for scopes that read (the facts hold the
    methods the bot calls; Slack's own catalog, where it is beside the repository, the rest)."""
    scopes = {name: entry["bot_scopes"] for name, entry in _facts()["methods"].items()}
    folder = ORACLES / "slack_docs_method_catalog" / "methods"
    for method in READS - scopes.keys():
        path = folder / f"{method}.json"
        if path.exists():
            scopes[method] = json.loads(path.read_text()).get("scope", {}).get("bot", [])
    checked = READS & scopes.keys()
    assert {"auth.test", "users.info", "conversations.info"} <= checked
    for method in checked:
        writing = [s for s in scopes[method] if not s.endswith((":read", ":history", ":read.email"))]
        assert writing == [], f"{method} is listed as a read but asks for {writing}"


def test_nothing_else_in_the_code_talks_to_slack() -> None:
    """By construction: only bot/slack_client.py makes Web API clients or posts HTTP, and only bot/door.py
    wraps respond(); a listener, command or service gets Slack only through them."""
    allowed = {"bot/slack_client.py", "bot/door.py"}
    offenders = []
    pattern = re.compile(
        r"\b(WebClient|WebhookClient|AsyncWebClient|urlopen|requests)\s*\(|httpx\.(post|put|request)\("
    )
    for path in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("commands/**/*.py"), *ROOT.glob("storage/**/*.py")]:
        relative = path.relative_to(ROOT).as_posix()
        if relative in allowed or relative.startswith("bot/sandbox/"):
            continue
        if pattern.search(path.read_text(encoding="utf-8")):
            offenders.append(relative)
    assert offenders == []


def test_a_client_without_its_door_writes_nothing(slack: Sandbox) -> None:
    from bot.slack_client import DoorMissing

    bare = web_client(slack.bot_token, slack.api_url)
    assert bare.auth_test()["ok"], "reads go"
    with pytest.raises(DoorMissing):
        bare.chat_postMessage(channel=SHARED_CHANNEL, text="hello")


def test_identifying_text_goes_where_only_the_office_reads_or_under_the_partners_permit(
    slack: Sandbox, client: LiaisonWebClient
) -> None:
    text = "Client phone 312-555-0199"
    client.chat_postMessage(channel="C0OFFICE", text=text)
    assert [m.text for m in slack.messages("C0OFFICE")] == [text]
    with pytest.raises(GuardRefused), permitting(Permit("R-1", frozenset({"T0OTHER"}))):
        client.chat_postMessage(channel=SHARED_CHANNEL, text=text)
    with permitting(Permit("R-1", frozenset({PARTNER_TEAM}), CASE_NUMBER)):
        client.chat_postMessage(channel=SHARED_CHANNEL, text=text)
        with pytest.raises(GuardRefused):
            client.chat_postMessage(channel=SHARED_CHANNEL, text="about 24 cr 0113")
        with pytest.raises(GuardRefused):
            client.chat_postMessage(channel=SHARED_CHANNEL, text="client is Doe, John")
    assert [m.text for m in slack.messages(SHARED_CHANNEL)] == [text]


def test_direct_messages_ephemerals_home_tabs_and_forms_are_read_by_their_person(
    slack: Sandbox, client: LiaisonWebClient
) -> None:
    text = "DOB 3/14/1988"
    with pytest.raises(GuardRefused):
        client.chat_postMessage(channel=PARTNER_USER, text=text)
    with pytest.raises(GuardRefused):
        client.chat_postEphemeral(channel=SHARED_CHANNEL, user=PARTNER_USER, text=text)
    home = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}
    with pytest.raises(GuardRefused):
        client.views_publish(user_id=PARTNER_USER, view=home)
    form = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Form"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
    }
    with pytest.raises(GuardRefused):
        client.views_open(trigger_id="123.456", view=form)  # nobody named: strangers may read it
    with pytest.raises(GuardRefused), viewed_by(PARTNER_USER):
        client.views_open(trigger_id="123.456", view=form)
    client.chat_postMessage(channel="U0DEF", text=text)  # a DM to home staff goes


def test_slack_markup_is_not_read_as_identifiers_and_links_are(client: LiaisonWebClient) -> None:
    card = "Due <!date^1796178123^{date_short_pretty}|2026-12-02> <@U0DEF> <https://x.slack.com/archives/C1/p1796178123281010|card>"
    client.chat_postMessage(channel=SHARED_CHANNEL, text=card)
    with pytest.raises(GuardRefused):
        client.chat_postMessage(channel=SHARED_CHANNEL, text="<https://forms.example/?ssn=123-45-6789|form>")


def test_files_are_shared_only_once_their_text_was_screened(slack: Sandbox, client: LiaisonWebClient) -> None:
    with pytest.raises(GuardRefused):
        client.upload(SHARED_CHANNEL, "list.csv", b"x", "Client,SSN\nA,123-45-6789\n", "The list")
    with pytest.raises(GuardRefused):  # a file id nobody screened
        client.files_completeUploadExternal(files=[{"id": "F123", "title": "x"}], channel_id=SHARED_CHANNEL)
    client.upload(
        SHARED_CHANNEL, "list.csv", b"Client,Need\nR-1,housing\n", "Client,Need\nR-1,housing\n", "ok"
    )


def test_answers_through_response_url_pass_the_door(slack: Sandbox, client: LiaisonWebClient) -> None:
    assert client.door is not None and RESPONSE_URL not in READS
    issued = slack.workspace.issue_response_url("command", PARTNER_USER, SHARED_CHANNEL)
    url = slack.payloads.response_url_base + issued.token
    respond = GuardedRespond(Respond(response_url=url), client.door, PARTNER_USER, SHARED_CHANNEL)
    with pytest.raises(GuardRefused):
        respond(text="her SSN is 123-45-6789", response_type="ephemeral")
    respond(text="R-1 is now accepted", response_type="ephemeral")
    assert [e.text for e in slack.ephemerals(PARTNER_USER)] == ["R-1 is now accepted"]


def test_listeners_get_the_guarded_client_not_bolts_own(slack: Sandbox, tmp_path: Path) -> None:
    """Bolt makes a plain WebClient for every request; a listener must get the app's, with its door."""
    from slack_bolt import BoltRequest

    from bot.app import create_app
    from bot.config import Settings
    from bot.sandbox import slack_signature
    from storage.db import Database

    database = Database(f"sqlite:///{tmp_path / 'liaison.db'}")
    database.upgrade()
    settings = Settings(bot_token=slack.bot_token, signing_secret=slack.signing_secret, api_url=slack.api_url)
    liaison = create_app(settings, database, socket_mode=False)
    given: list[object] = []

    @liaison.app.command("/probe")
    def probe(ack: object, client: object) -> None:
        given.append(client)
        ack()  # type: ignore[operator]

    body = (  # every field Slack always sends with a command (bot/listeners/shape.py)
        "command=%2Fprobe&text=&user_id=U0DEF&team_id=T0HOME&channel_id=C0OFFICE&trigger_id=1.2"
        "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1"
    )
    now = str(int(time.time()))  # Bolt checks the signature's time against the real clock
    headers = {
        "x-slack-request-timestamp": now,
        "x-slack-signature": slack_signature(slack.signing_secret, now, body.encode()),
        "content-type": "application/x-www-form-urlencoded",
    }
    response = liaison.app.dispatch(BoltRequest(body=body, headers=headers))
    liaison.close()
    database.dispose()
    assert response.status == 200
    assert given == [liaison.app.client] and isinstance(given[0], LiaisonWebClient)
    assert given[0].door is not None


def test_a_short_text_read_again_gives_the_same_findings_for_its_own_case_number_and_keeps_no_text() -> None:
    """Short texts are read once and remembered (storage/identifiers/detector.py Recent): by a digest of
    the text and the item's case number together, so a text first read for another item (or none) is
    read again for this one, and what a caller does with its list does not change the next answer."""
    detector = Detector()
    text = "Ask Ms. Q about file QX-7781 today"
    assert detector.findings(text) == []
    found = detector.findings(text, "QX-7781")
    assert [(f.what, text[f.start : f.end]) for f in found] == [(Identifier.case_number, "QX-7781")]
    found.clear()
    assert len(detector.findings(text, "QX-7781")) == 1
    assert detector.findings(text) == []
    assert detector.findings("call 555-867-5309 \ud800") == detector.findings("call 555-867-5309 \ud800")
    remembered = repr(vars(detector._recent))
    assert "7781" not in remembered and "Ask Ms" not in remembered


def test_the_door_asks_again_before_anything_identifying_goes_where_its_cache_says_only_the_office_reads(
    slack: Sandbox, refusals: list[Refusal]
) -> None:
    """Another process (a worker) may not have heard that a channel became shared: what the door's cache
    says is trusted for text with nothing identifying in it, and asked again before a case number goes."""
    client = web_client(slack.bot_token, slack.api_url)
    workspace = SlackWorkspace(client, slack.home_team_id)
    client.door = Door(DETECTOR, slack.home_team_id, workspace, refusals.append, confirm_seconds=0)
    client.chat_postMessage(channel=OFFICE_CHANNEL, text="Team meeting at noon.")  # cached: office only
    slack.add_member(OFFICE_CHANNEL, PARTNER_USER)  # shared quietly: no event reaches this process
    asked = len(slack.calls("conversations.info"))
    client.chat_postMessage(channel=OFFICE_CHANNEL, text="Lunch moves to one.")
    assert len(slack.calls("conversations.info")) == asked, "nothing identifying: the cache's answer stands"
    with pytest.raises(GuardRefused):
        client.chat_postMessage(channel=OFFICE_CHANNEL, text=f"The hearing in {CASE_NUMBER} moved.")
    assert [r.classes for r in refusals] == [("a case number",)]
    assert [m.text for m in slack.messages(OFFICE_CHANNEL)][-1] == "Lunch moves to one."
