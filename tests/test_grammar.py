"""The shared argument grammar, on the kinds of text people really type into Slack."""

from __future__ import annotations

import pytest

from commands.grammar import UsageError, parse
from storage.suggest import closest

KEYS = {"to", "need", "due", "priority", "case", "team"}


def test_keys_mentions_and_free_text_are_separated_in_order() -> None:
    args = parse(
        'to:legal-aid due:"dec 3 5pm" <@U123ABC|maria> Client faces eviction; <#C0LEGAL|legal> hearing 12/3.',
        KEYS,
    )
    assert args.options == {"to": ["legal-aid"], "due": ["dec 3 5pm"]}
    assert args.users == ["U123ABC"]
    assert args.channels == ["C0LEGAL"]
    assert args.text == "<@U123ABC|maria> Client faces eviction; <#C0LEGAL|legal> hearing 12/3."


def test_curly_quotes_from_slack_clients_work_like_straight_ones() -> None:
    assert parse("due:“next friday” x", KEYS).first("due") == "next friday"
    assert parse('due:“next friday" x', KEYS).first("due") == "next friday"


def test_options_in_the_middle_leave_one_space_and_line_breaks_are_kept() -> None:
    args = parse("Client needs help need:housing with rent\nsecond line", KEYS)
    assert args.text == "Client needs help with rent\nsecond line"


def test_unknown_words_with_colons_stay_text() -> None:
    args = parse("Note: hearing:10am https://court.example.org re:bail", KEYS)
    assert args.options == {}
    assert args.text == "Note: hearing:10am https://court.example.org re:bail"


def test_a_repeatable_key_collects_every_value() -> None:
    assert parse("team:T1 team:T2", KEYS, repeatable={"team"}).options == {"team": ["T1", "T2"]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('due:"dec 3', 'never closed: add a closing "'),
        ("to: legal-aid", "`to:` needs a value"),
        ("to:a to:b", "`to:` is given twice"),
        ("prority:urgent", "Did you mean `priority:`?"),
        ("ot:legal-aid", "Did you mean `to:`?"),
    ],
)
def test_malformed_text_is_refused_with_what_to_do(text: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse(text, KEYS)
    assert message in caught.value.message


def test_closest_suggests_only_reasonable_matches() -> None:
    assert closest("whoam", ["help", "whoami"]) == "whoami"
    assert closest("HELP", ["help", "whoami"]) == "help"
    assert closest("xyzzy", ["help", "whoami"]) is None
