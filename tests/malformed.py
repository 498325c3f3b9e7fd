"""A labelled corpus of requests Slack never sends (malformed, unsigned, oversized) and of replays of ones
it did, each with the status Liaison must answer. Sent by tests/test_e2e_malformed.py, which checks every
one, and by `make bench`, which reports how many got the right status and whether any created a
duplicate. Each malformed body carries a marker that must never reach the bot's log."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from sqlalchemy import create_engine, func
from sqlmodel import Session, select

from bot.sandbox import Sandbox, visible_text
from bot.sandbox.driver import slack_signature
from storage.models import ThreadReply
from tests.office import DEFENDER, PARTNER_USER, SHARED_CHANNEL, RunningBot

DEEP = 900
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Case:
    label: str
    body: bytes
    expected: int
    content_type: str = "application/json"
    signed: str = "yes"  # yes, no, wrong, stale, or a timestamp header to send as it is
    marker: str = ""  # in the body; a log line holding it would be a log of the body


def _event(event: Any) -> bytes:
    envelope = {"type": "event_callback", "team_id": "T0HOME", "api_app_id": "A0LIAISON", "event": event}
    return json.dumps({**envelope, "event_id": "Ev0CORPUS", "event_time": 1}).encode()


def _interactive(payload: Any) -> bytes:
    return b"payload=" + quote(json.dumps(payload)).encode()


def _nested(inner: str) -> str:
    return "[" * DEEP + json.dumps(inner) + "]" * DEEP


def _said(marker: str) -> bytes:
    return _event({"type": "message", "text": marker})


CLICK = {"type": "block_actions", "user": {"id": DEFENDER, "team_id": "T0HOME"}, "trigger_id": "1.2.3"}
SHORTCUT = {
    "type": "message_action",
    "callback_id": "referral.from_message",
    "user": {"id": DEFENDER, "team_id": "T0HOME"},
    "team": {"id": "T0HOME"},
    "channel": {"id": SHARED_CHANNEL},
    "message": {"type": "message", "ts": "1.000001", "text": "Client needs a housing lawyer."},
    "trigger_id": "1.2.3",
    "response_url": "https://hooks.slack.com/app/T0HOME/1/x",
}
JSON_BODY = "application/json"
# (label, the body around a marker, the status Liaison must answer, its content type, how it is signed)
# A slash command's fields as Slack sends them (bot/sandbox/payloads.py), for the malformed ones above.
_COMMAND = {
    "command": "/referral",
    "team_id": "T0HOME",
    "channel_id": "C0LEGAL",
    "user_id": "U0DEF",
    "response_url": "https://hooks.slack.com/commands/T0HOME/1/x",
    "trigger_id": "1.2.x",
}

TABLE: list[tuple[str, Callable[[str], bytes], int, str, str]] = [
    ("timestamp not a number", _said, 401, JSON_BODY, "abc"),
    ("timestamp with a fraction", _said, 401, JSON_BODY, "1.5"),
    ("unsigned", _said, 401, JSON_BODY, "no"),
    ("signed with another secret", _said, 401, JSON_BODY, "wrong"),
    ("signed ten minutes ago", _said, 401, JSON_BODY, "stale"),
    ("event is a string", _event, 400, JSON_BODY, "yes"),
    ("event is a list", lambda m: _event([m]), 400, JSON_BODY, "yes"),
    ("event type is a number", lambda m: _event({"type": 7, "text": m}), 400, JSON_BODY, "yes"),
    (f"array nested {DEEP} deep", lambda m: _nested(m).encode(), 400, JSON_BODY, "yes"),
    (
        f"array nested {DEEP} deep in an event",
        lambda m: _event({"type": "message", "x": json.loads(_nested(m))}),
        400,
        JSON_BODY,
        "yes",
    ),
    (
        f"array nested {DEEP} deep in a click",
        lambda m: _interactive({**CLICK, "x": json.loads(_nested(m))}),
        400,
        FORM,
        "yes",
    ),
    ("not UTF-8", lambda m: b"\xff\xfe" + m.encode(), 400, JSON_BODY, "yes"),
    ("JSON cut short", lambda m: b'{"type": "event_callback", "x": "' + m.encode(), 400, JSON_BODY, "yes"),
    ("JSON that is a string", lambda m: json.dumps(m).encode(), 400, JSON_BODY, "yes"),
    ("click payload not JSON", lambda m: b"payload=%7B" + m.encode(), 400, FORM, "yes"),
    ("click payload a list", lambda m: _interactive([m]), 400, FORM, "yes"),
    ("click whose actions are a string", lambda m: _interactive({**CLICK, "actions": m}), 400, FORM, "yes"),
    ("click whose user is a string", lambda m: _interactive({**CLICK, "user": m}), 400, FORM, "yes"),
    (
        "form whose view is a list",
        lambda m: _interactive({**CLICK, "type": "view_submission", "view": [m]}),
        400,
        FORM,
        "yes",
    ),
    (
        "message shortcut with no channel",
        lambda m: _interactive({**SHORTCUT, "channel": None, "m": m}),
        400,
        FORM,
        "yes",
    ),
    (
        "message shortcut whose message is a string",
        lambda m: _interactive({**SHORTCUT, "message": m}),
        400,
        FORM,
        "yes",
    ),
    (
        "message shortcut whose text is an object",
        lambda m: _interactive({**SHORTCUT, "message": {"ts": "1.000001", "text": {"said": m}}}),
        400,
        FORM,
        "yes",
    ),
    (
        "global shortcut with no callback",
        lambda m: _interactive({"type": "shortcut", "user": {"id": DEFENDER}, "trigger_id": m}),
        400,
        FORM,
        "yes",
    ),
    ("body over a megabyte", lambda m: _said(m * 90_000), 413, JSON_BODY, "yes"),
    ("a form that is no command", lambda m: urlencode({"x": m}).encode(), 404, FORM, "yes"),
    (
        "a command with no channel, user or response_url",
        lambda m: urlencode({"command": "/referral", "text": f"need:housing {m}"}).encode(),
        400,
        FORM,
        "yes",
    ),
    (
        "a command whose text is an object",
        lambda m: json.dumps({**_COMMAND, "text": {"said": m}}).encode(),
        400,
        JSON_BODY,
        "yes",
    ),
]


def corpus() -> list[Case]:
    """Every case, each with a marker of its own."""
    cases = []
    for number, (label, body, expected, content_type, signed) in enumerate(TABLE):
        marker = f"QXZ{number:02d}MARKQXZ"
        cases.append(Case(label, body(marker), expected, content_type, signed, marker))
    return cases


def headers_for(case: Case, secret: str) -> dict[str, str]:
    timestamp = str(int(time.time()) - (600 if case.signed == "stale" else 0))
    if case.signed not in ("yes", "no", "wrong", "stale"):
        timestamp = case.signed
    key = "not-the-secret" if case.signed == "wrong" else secret
    headers = {"Content-Type": case.content_type}
    if case.signed != "no":
        headers["X-Slack-Request-Timestamp"] = timestamp
        headers["X-Slack-Signature"] = slack_signature(
            key, timestamp if timestamp.isdigit() else "0", case.body
        )
    return headers


@dataclass
class Result:
    right: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)  # "label: got 500, expected 400"
    leaked: list[str] = field(default_factory=list)  # labels whose marker reached the log
    duplicates: list[str] = field(default_factory=list)  # what a replay made twice

    @property
    def total(self) -> int:
        return len(self.right) + len(self.wrong)


def run(slack: Sandbox, bot: RunningBot) -> Result:
    """Send the corpus, then replay a command, a click and an event; what came of each. `bot` must have
    Legal Aid Society linked to the shared channel (tests/office.add_legal_aid)."""
    result = Result()
    cases = corpus()
    for case in cases:
        delivery = slack.post_raw(case.body, headers_for(case, slack.signing_secret))
        _score(result, case.label, delivery.status, case.expected)
    _replays(slack, bot, result)  # ends with a command answered: the log of what came before is written
    result.leaked = [case.label for case in cases if case.marker in bot.process.output]
    return result


def _score(result: Result, label: str, status: int | None, expected: int) -> None:
    if status == expected:
        result.right.append(label)
    else:
        result.wrong.append(f"{label}: got {status}, expected {expected}")


def _replays(slack: Sandbox, bot: RunningBot, result: Result) -> None:
    posted = len(slack.messages(SHARED_CHANNEL))
    seen = len(slack.ephemerals(DEFENDER, SHARED_CHANNEL))
    command = slack.slash_command(DEFENDER, SHARED_CHANNEL, "/referral", "need:housing Sent, then replayed.")
    slack.wait_for(lambda: slack.ephemerals(DEFENDER, SHARED_CHANNEL)[seen:], timeout=20, message="an answer")
    card = slack.wait_for(lambda: slack.messages(SHARED_CHANNEL)[posted:], message="its card")[0]
    _score(result, "a /referral replayed", slack.replay(command).status, 200)

    click = slack.click(PARTNER_USER, SHARED_CHANNEL, card.ts, "referral.move.accepted")
    slack.wait_for(lambda: slack.messages(SHARED_CHANNEL, thread_ts=card.ts), message="the accept line")
    _score(result, "an Accept click replayed", slack.replay(click).status, 200)

    ts, reply = slack.post_as_user(PARTNER_USER, SHARED_CHANNEL, "Replayed reply.", thread_ts=card.ts)
    assert reply is not None
    event = reply.payload
    again = slack.send_event(
        event["event"], event_id=event["event_id"], retry_num=1, retry_reason="http_timeout"
    )
    _score(result, "a thread reply redelivered by Slack", again.status, 200)

    # The proof that the replays did nothing: wait for what they would have done after a later command.
    slack.wait_for(lambda: _replies_to(bot.db_url, ts) == 1, timeout=20, message="the reply recorded")
    typed_after = slack.slash_command(DEFENDER, SHARED_CHANNEL, "/liaison", "whoami")
    assert typed_after.acked
    slack.wait_for(lambda: len(slack.ephemerals(DEFENDER, SHARED_CHANNEL)) > seen + 1, message="whoami")
    if len(slack.messages(SHARED_CHANNEL)[posted:]) != 1:
        result.duplicates.append("a second card for one /referral")
    accepted = [m for m in slack.messages(SHARED_CHANNEL, thread_ts=card.ts) if "accepted" in visible_text(m)]
    if len(accepted) != 1:
        result.duplicates.append("a second Accept")
    if _replies_to(bot.db_url, ts) != 1:
        result.duplicates.append("a reply recorded twice")


def _replies_to(url: str, ts: str) -> int:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            return session.exec(
                select(func.count()).select_from(ThreadReply).where(ThreadReply.ts == ts)
            ).one()
    finally:
        engine.dispose()
