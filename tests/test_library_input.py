"""Bad input to the library, through the real bot on both databases: each mistake gets a clear private
answer naming what was wrong and how to fix it, and nothing is stored (not an entry, not a word of it)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.sandbox import Sandbox, visible_text
from tests.inprocess import InProcessBot
from tests.office import DEFENDER, OFFICE_CHANNEL, PARTNER_USER, SHARED_CHANNEL, STRANGER, add_legal_aid
from tests.office import command as typed

GOOD = {
    "kind": "memo",
    "title": "Franks hearings in drug cases",
    "summary": "When a warrant affidavit misleads: the showing needed and how to get a hearing.",
    "link": "https://bank.example.org/franks.pdf",
    "topics": "search-and-seizure",
}


def _stored(bot: InProcessBot) -> int:
    with bot.db.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM resource")).scalar_one())


def _submit(slack: Sandbox, bot: InProcessBot, changes: dict[str, str]) -> tuple[dict[str, str], str | None]:
    """Fill in the add form with GOOD and `changes`: the errors shown in the still-open form, or the
    private answer after it closed."""
    seen = len(slack.ephemerals(DEFENDER, OFFICE_CHANNEL))
    assert slack.slash_command(DEFENDER, OFFICE_CHANNEL, "/resource", "add").acked
    view = slack.wait_for(lambda: slack.open_views(DEFENDER), message="the form")[-1]
    values = {key: {"value": value} for key, value in {**GOOD, **changes}.items()}
    delivery = slack.submit_view(DEFENDER, view.id, values)
    assert delivery.acked, delivery
    if view.errors:
        slack.close_view(DEFENDER, view.id)
        return view.errors, None
    answer = slack.wait_for(lambda: slack.ephemerals(DEFENDER, OFFICE_CHANNEL)[seen:], message="an answer")
    bot.settle()
    return {}, visible_text(answer[-1])


SHOWN_IN_THE_FORM = [
    ({"link": "http://bank.example.org/franks.pdf"}, "link", "is not an https link"),
    ({"link": "ftp://bank.example.org/franks.pdf"}, "link", "is not an https link"),
    ({"link": "javascript:alert(1)"}, "link", "is not an https link"),
    ({"link": "https://"}, "link", "is not an https link"),
    ({"link": "https://bank.example.org/a file.pdf"}, "link", "is not an https link"),
    ({"link": ""}, "link", "An entry needs a link"),
    ({"review_months": "0"}, "review_months", "give a number of months from 1 to 36"),
    ({"review_months": "37"}, "review_months", "give a number of months from 1 to 36"),
    ({"review_months": "six"}, "review_months", "give a number of months from 1 to 36"),
    ({"review_months": "-3"}, "review_months", "give a number of months from 1 to 36"),
    ({"kind": "expert", "link": ""}, "expertise", "An entry needs its expertise"),
    ({"audience": "partners"}, "partners", "Name the partners who may see it"),
    ({"title": "x" * 201}, "title", "keep it to 200"),
    ({"review_months": "²"}, "review_months", "give a number of months from 1 to 36"),  # isdigit() says yes
    ({"link": "https://[abc/x.pdf"}, "link", "is not an https link"),  # urlsplit raises on it
]


@pytest.mark.parametrize(("changes", "field", "said"), SHOWN_IN_THE_FORM, ids=lambda v: str(v)[:40])
def test_a_mistake_a_form_can_show_is_shown_beside_its_field(
    slack: Sandbox, in_process: InProcessBot, changes: dict[str, str], field: str, said: str
) -> None:
    before = _stored(in_process)
    errors, answer = _submit(slack, in_process, changes)
    assert answer is None, answer
    assert said in errors.get(field, ""), errors
    assert _stored(in_process) == before


IDENTIFYING = [
    ("title", "Motion for Maria, call 312-555-0143"),
    ("summary", "Our client, DOB 04/12/1990, was stopped without cause."),
    ("jurisdiction", "123 Main Street, Springfield"),
    ("expertise", "SSN 123-45-6789 checks"),
    ("contact", "jane.rivera@example.org"),
    ("contact", "(312) 555 0143"),
    ("testimony", "Testified in 24-CR-0113 last spring"),
    ("summary", "A-number A 123 456 789 appears in the file"),
    ("summary", "call three one two five five five zero one four three"),
    ("link", "https://drive.example.org/clients/jane.rivera@gmail.com/notes.pdf"),
    ("link", "https://drive.example.org/intake?ssn=123-45-6789"),
]


@pytest.mark.parametrize(("field", "words"), IDENTIFYING, ids=lambda v: str(v)[:30])
def test_identifiers_in_any_field_are_refused_and_nothing_is_stored(
    slack: Sandbox, in_process: InProcessBot, field: str, words: str
) -> None:
    before = _stored(in_process)
    changes = {field: words, **({"kind": "expert", "expertise": "cell-site"} if field != "expertise" else {})}
    if field == "expertise":
        changes["kind"] = "expert"
    errors, answer = _submit(slack, in_process, changes)
    assert not errors and answer is not None, errors
    assert answer.startswith(
        "Library entries are read by several organizations, so they never carry client"
    ), answer
    assert "As Liaison read it, with what it found masked" in answer and "▇" in answer, answer
    assert _stored(in_process) == before
    with in_process.db.engine.connect() as conn:
        audited = conn.execute(
            text("SELECT reason FROM audit_log WHERE action = 'resource.identifying_details'")
        )
        reasons = [r[0] for r in audited]
    assert reasons and all(words not in r for r in reasons)  # the audit log names the class, never the text


def test_an_unknown_topic_is_answered_with_the_topics_and_nothing_is_stored(
    slack: Sandbox, in_process: InProcessBot
) -> None:
    before = _stored(in_process)
    _errors, answer = _submit(slack, in_process, {"topics": "immigraton, bail"})
    assert answer is not None and answer.startswith(
        "Nothing was saved: Not topics Liaison knows: `immigraton`"
    )
    assert "immigration" in answer
    assert _stored(in_process) == before


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("search", "Say what to look for: `/resource search words"),
        ("search warrant kind:sermon", "`kind:sermon` is not a kind of entry"),
        ("search warrant topic:immigraton", "`topic:immigraton` is not a topic Liaison knows"),
        ("show RS-999", "There is no library entry `RS-999` that you can see."),
        ("show banana", "There is no library entry `banana` that you can see."),
        ("verify RS-999", "There is no library entry `RS-999` that you can see."),
        ("withdraw RS-1", "Say why it is withdrawn"),
        ("decline RS-1", "Say why, for the person who suggested it"),
        ("list everything", "`everything` is not a list; use one of mine, stale, new, suggested."),
        ("shelve", "Did you mean `/resource shelf`?"),
    ],
)
def test_bad_commands_are_answered_privately(
    slack: Sandbox, in_process: InProcessBot, line: str, said: str
) -> None:
    answer = typed(slack, in_process, DEFENDER, OFFICE_CHANNEL, "/resource", line)
    assert said in answer, answer


def test_outsiders_cannot_add_and_a_stranger_finds_nothing(slack: Sandbox, in_process: InProcessBot) -> None:
    refused = typed(slack, in_process, PARTNER_USER, SHARED_CHANNEL, "/resource", "add")
    assert refused.startswith("Only the office's staff can add to the library."), refused
    assert "Suggest a resource" in refused
    slack.add_member(SHARED_CHANNEL, STRANGER)
    try:
        found = typed(slack, in_process, STRANGER, SHARED_CHANNEL, "/resource", "search warrant")
    finally:
        slack.remove_member(SHARED_CHANNEL, STRANGER)
    assert found.startswith("No library entries match `warrant`."), found


def test_an_entry_a_partner_may_not_see_is_answered_as_one_that_does_not_exist(
    slack: Sandbox, in_process: InProcessBot
) -> None:
    add_legal_aid(slack, in_process, scope="referral,resources")
    _errors, answer = _submit(
        slack, in_process, {"audience": "office", "title": "Office-only strategy notes"}
    )
    assert answer is not None and answer.startswith("Added *RS-"), answer
    ref = answer.split("*")[1]
    hidden = typed(slack, in_process, PARTNER_USER, SHARED_CHANNEL, "/resource", f"show {ref}")
    absent = typed(slack, in_process, PARTNER_USER, SHARED_CHANNEL, "/resource", "show RS-424242")
    assert hidden == f"There is no library entry `{ref}` that you can see.", hidden
    assert absent == "There is no library entry `RS-424242` that you can see."
    for line in (f"share {ref}", f"verify {ref}", f"edit {ref}"):
        answer = typed(slack, in_process, PARTNER_USER, SHARED_CHANNEL, "/resource", line)
        assert answer in (hidden, f"{ref} can't be shared here") or "that you can see" in answer, answer
    found = typed(slack, in_process, PARTNER_USER, SHARED_CHANNEL, "/resource", "search office-only strategy")
    assert found.startswith("No library entries match"), found


def test_a_partner_is_never_offered_a_correction_drawn_from_what_they_may_not_see(
    slack: Sandbox, in_process: InProcessBot
) -> None:
    """The vocabulary holds every entry's words: a partner's misspelling is not corrected, so neither
    whether a word is corrected nor what to can tell them what an entry they may not see says."""
    add_legal_aid(slack, in_process, scope="referral,resources")
    hidden = {"audience": "office", "title": "Carpentier strategy, office only", "topics": "discovery"}
    _errors, answer = _submit(slack, in_process, hidden)
    assert answer is not None and answer.startswith("Added"), answer
    for words in ("carpentier", "carpentr", "carpentr or secretplam", "stratgy"):
        found = typed(slack, in_process, PARTNER_USER, SHARED_CHANNEL, "/resource", f"search {words}")
        assert found.startswith(f"No library entries match `{words}`."), found
        assert "showing results for" not in found
    office = typed(slack, in_process, DEFENDER, OFFICE_CHANNEL, "/resource", "search stratgy")
    assert "showing results for `strategy`" in office, office  # the office may see every entry


def test_a_correction_changes_only_the_misspelt_words(in_process: InProcessBot) -> None:
    from storage.library_words import corrected, learn_words

    with in_process.db.session() as session:
        learn_words(session, ["suppressing cell-site location data juvenile"])
    with in_process.db.session() as session:
        assert corrected(session, '-juvenil "suppresion data" cell') == '-juvenile "suppressing data" cell'
