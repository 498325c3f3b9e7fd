"""Property-based bad input against the real bot, through the stand-in, the bot in this process on SQLite
and PostgreSQL: arbitrary text, unicode, huge inputs and malformed `key:value`s at every command;
arbitrary JSON in the events, clicks and form submissions Slack could send. Whatever comes in: no
exception escapes (the bot's log shows no traceback and nobody gets the "did not expect" apology), every
command gets a readable private answer or a form, every other request a 2xx or a 4xx, and rejected input
stores nothing. Malformed requests and replays through the bot as a process: tests/test_e2e_malformed.py."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, inspect, text

from bot.sandbox import Sandbox, visible_text
from commands import catalog
from commands.kinds import referral, standard
from tests.inprocess import InProcessBot
from tests.office import (
    DEFENDER,
    OFFICE_CHANNEL,
    PARTNER_USER,
    SHARED_CHANNEL,
    Bot,
    add_legal_aid,
)
from tests.office import command as typed
from tests.slack_originals import examples, needs_slack_files

CATALOG = catalog(standard())

UNEXPECTED = "did not expect"
# The answers that mean something was stored (a new item, a digest setting, a consent).
SUCCESS = (
    "Sent *",
    "Saved *",
    "Posted *",
    "Your digest comes at",
    "No more digests",
    "Recorded:",
    "Revoked.",
)
RUNS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def set_up(slack: Sandbox, bot: Bot) -> None:
    add_legal_aid(slack, bot)
    typed(slack, bot, DEFENDER, SHARED_CHANNEL, "/referral", "need:housing A card to click on.")


@pytest.fixture(scope="module")
def bot(slack: Sandbox, in_process: InProcessBot) -> InProcessBot:
    set_up(slack, in_process)
    return in_process


class Watch:
    """What the bot stored and logged before a request, to compare with after."""

    def __init__(self, bot: InProcessBot) -> None:
        self.bot = bot
        self.log_at = len(bot.process.output)
        self.rows = stored_rows(bot.db.engine)

    def new_log(self) -> str:
        return self.bot.process.output[self.log_at :]

    def assert_nothing_escaped(self) -> None:
        log = self.new_log()
        assert "Traceback" not in log and "unexpected error" not in log, log[-3000:]

    def assert_nothing_stored(self) -> None:
        assert stored_rows(self.bot.db.engine) == self.rows


# Not what anyone said: the audit log (refusals are audited), the migration, the keys of requests already
# acted on (every request leaves one, so that a replay of it does nothing) and the rate budget's calls.
BOOKKEEPING = ("audit_log", "alembic_version", "delivery", "slack_call")


def stored_rows(database: str | Engine) -> dict[str, int]:
    """Rows per table, but the bookkeeping, in the database at this URL or of this engine."""
    engine = create_engine(database) if isinstance(database, str) else database
    try:
        with engine.connect() as conn:
            tables = [t for t in inspect(conn).get_table_names() if t not in BOOKKEEPING]
            return {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables}
    finally:
        if engine is not database:
            engine.dispose()


# ---- commands -------------------------------------------------------------------------------------------

ODD = [
    "<@U0DEF>",
    "<@U0NOBODY|who>",
    "<#C0LEGAL|legal>",
    "<#C0|>",
    "<!here>",
    "R-1",
    "C-99999999999999999999",
    "A-0",
    "due:yesterday",
    "due:2026-02-30",
    "page:-1",
    'to:"unclosed',
    "case:24-CR-0113",
    "‮reversed",
    "\u0000",
    "🙂",
]


def _words(name: str) -> st.SearchStrategy[str]:
    command = next(c for c in CATALOG if c.name == name)
    keys = sorted({k for sub in command.subcommands for k in sub.keys} | {"to", "due", "case", "need"})
    return st.one_of(
        st.sampled_from(command.subcommand_names + ODD),
        st.text(max_size=24),
        st.builds(lambda k, v: f"{k}:{v}", st.sampled_from(keys), st.text(max_size=24)),
        st.builds(lambda k, v: f'{k}:"{v}', st.sampled_from(keys), st.text(max_size=12)),
    )


def _texts(name: str) -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=200),
        st.lists(_words(name), max_size=8).map(" ".join),
        st.builds(lambda w, n: f"{w} " + "x" * n, _words(name), st.integers(3_000, 40_000)),
    )


@pytest.mark.parametrize("name", [c.name for c in CATALOG])
def test_any_text_gets_a_readable_private_answer_and_stores_nothing_unless_it_says_so(
    slack: Sandbox, bot: Bot, name: str
) -> None:
    @RUNS
    @given(st.data())
    def check(data: st.DataObject) -> None:
        user, channel = DEFENDER, data.draw(st.sampled_from([SHARED_CHANNEL, OFFICE_CHANNEL]))
        said = data.draw(_texts(name))
        watch = Watch(bot)
        answered, forms = len(slack.ephemerals(user, channel)), len(slack.open_views(user))
        delivery = slack.slash_command(user, channel, name, said)
        assert delivery.acked and not delivery.timed_out and delivery.problems == [], delivery
        slack.wait_for(
            lambda: len(slack.ephemerals(user, channel)) > answered or len(slack.open_views(user)) > forms,
            timeout=10,
            message=f"an answer to {name} {said[:80]!r}",
        )
        answers = [visible_text(a) for a in slack.ephemerals(user, channel)[answered:]]
        assert all(a.strip() and UNEXPECTED not in a for a in answers), answers
        watch.assert_nothing_escaped()
        if not any(a.startswith(SUCCESS) for a in answers):
            watch.assert_nothing_stored()
        for view in slack.open_views(user)[forms:]:
            slack.close_view(user, view.id)

    check()


# ---- events, clicks and forms ------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


def _patched(base: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    """`base` with some fields replaced by arbitrary JSON or removed, at any depth."""
    payload = copy.deepcopy(base)
    for _ in range(data.draw(st.integers(1, 5))):
        node: Any = payload
        while isinstance(node, dict) and node and data.draw(st.booleans()):
            child = node[data.draw(st.sampled_from(sorted(node)))]
            if not isinstance(child, dict) or not child:
                break
            node = child
        if not isinstance(node, dict) or not node:
            continue
        key = data.draw(st.sampled_from(sorted(node)))
        if data.draw(st.booleans()):
            del node[key]
        else:
            node[key] = data.draw(JSON_VALUES)
    return payload


def _card_click(slack: Sandbox) -> dict[str, Any]:
    """The requester pressing the partner's Accept: well-formed, and refused (it is not theirs to press),
    so whatever survives the patching must leave nothing stored."""
    card = next(m for m in slack.messages(SHARED_CHANNEL) if " · Referral to" in m.text)
    buttons = [b for b in card.blocks or [] if b["type"] == "actions"]
    action = buttons[0]["elements"][0]["action_id"]
    assert action.endswith(".accepted"), action
    user, channel = slack.workspace.users[DEFENDER], slack.workspace.channels[SHARED_CHANNEL]
    with slack.workspace.lock:
        return slack.payloads.message_click(user, channel, card, action, None, False)


def _reply_event(slack: Sandbox) -> dict[str, Any]:
    card = next(m for m in slack.messages(SHARED_CHANNEL) if " · Referral to" in m.text)
    return {
        "type": "message",
        "channel": SHARED_CHANNEL,
        "channel_type": "channel",
        "user": PARTNER_USER,
        "user_team": "T0LEGAL",
        "text": "We can help.",
        "ts": "1800000000.000100",
        "thread_ts": card.ts,
        "event_ts": "1800000000.000100",
    }


def _deliver(slack: Sandbox, kind: str, payload: dict[str, Any]) -> int | None:
    if kind == "event":
        return slack.send_event(payload).status
    body = b"payload=" + json.dumps(payload).encode()
    return slack.post_raw(body, slack.driver.signed_headers(body, "application/x-www-form-urlencoded")).status


@pytest.mark.parametrize("kind", ["event", "click", "form"])
def test_arbitrary_json_in_events_clicks_and_forms_is_answered_2xx_or_4xx_and_changes_nothing(
    slack: Sandbox, bot: Bot, kind: str
) -> None:
    if kind == "event":
        base = _reply_event(slack)
    else:
        base = _card_click(slack)
        if kind == "form":
            base = {
                **{k: base[k] for k in ("user", "team", "api_app_id", "token", "is_enterprise_install")},
                "type": "view_submission",
                "view": {
                    "id": "V0FUZZ",
                    "type": "modal",
                    "callback_id": referral.FORM_CALLBACK,
                    "private_metadata": json.dumps({"channel": SHARED_CHANNEL}),
                    "state": {"values": {"to": {"to": {"type": "static_select", "selected_option": None}}}},
                },
            }

    @RUNS
    @given(st.data())
    def check(data: st.DataObject) -> None:
        payload = _patched(base, data)
        watch = Watch(bot)
        status = _deliver(slack, kind, payload)
        assert status is not None and (200 <= status < 300 or 400 <= status < 500), status
        watch.assert_nothing_escaped()
        if kind != "event":  # an event may be a real reply in a card's thread, which is kept
            watch.assert_nothing_stored()

    check()


SLACKS_OWN_KINDS = (
    "view_submission",
    "block_actions",
    "app_home_opened",
    "message_event",
    "message_event_thread",
)


@needs_slack_files
@pytest.mark.parametrize("kind", SLACKS_OWN_KINDS)
def test_the_payloads_slack_itself_wrote_pass_the_shape_check(slack: Sandbox, bot: Bot, kind: str) -> None:
    """The 400 for malformed requests must never catch a real one: every example in Slack's own files
    gets past the shape check (to a listener, or to Bolt's 404 for one it lacks). Without those files,
    tests/test_slack_facts.py checks that what the shape check requires is in every request Slack sends."""
    for number, payload in enumerate(examples(kind)):
        watch = Watch(bot)
        status = (
            slack.send_event(payload["event"]).status
            if payload.get("type") == "event_callback"
            else _deliver(slack, "click", payload)
        )
        refused = "not shaped as Slack sends it" in watch.new_log()
        assert status != 400 and not refused, (kind, number, status)
