"""The Slack stand-in (bot/sandbox) checked against what Slack documents (the facts derived from Slack's
method reference and payloads, bot/sandbox/facts) and against slack_sdk / slack_bolt themselves."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.request.internals import extract_actor_team_id
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.sandbox import NotPossibleInSlack, Sandbox, reference, slack_signature, visible_text
from bot.sandbox.methods import HANDLERS
from tests.botproc import HTTP
from tests.sandbox_helpers import (
    BoltHttpServer,
    api_errors_in,
    assert_shaped_like_slack,
    card,
    functions_in,
    make_app,
    modal,
    reachable_codes,
    socket_envelope_fields,
    web_client,
)
from tests.slack_originals import needs_slack_files, original

SANDBOX_DIR = Path(__file__).resolve().parents[1] / "bot" / "sandbox"


@pytest.fixture
def sb() -> Any:
    with Sandbox() as sandbox:
        sandbox.add_team("T0PART", "Legal Aid Society")
        sandbox.add_user("U1", "ana", real_name="Ana Diaz")
        sandbox.add_user("U2", "pat", team_id="T0PART", tz="America/Los_Angeles")
        sandbox.add_user("U3", "lee")
        sandbox.add_user("U9", "stranger", team_id="T0PART")  # shares no channel with the home team
        sandbox.add_channel("C1", "intake", members=["U1"])
        sandbox.add_channel("C2", "legal-aid-shared", members=["U1", "U2"])
        sandbox.add_channel("G1", "private-no-bot", members=["U1"], is_private=True, bot_member=False)
        sandbox.add_channel("C3", "public-no-bot", members=["U1", "U3"], bot_member=False)
        yield sandbox


@pytest.fixture
def bolt(sb: Sandbox) -> Any:
    app = make_app(sb)
    with BoltHttpServer(app) as server:
        sb.bot_url = server.url
        app.server = server  # type: ignore[attr-defined]
        yield app


def raw_call(sb: Sandbox, method: str, token: str | None = "bot", **args: Any) -> httpx.Response:
    """A Web API call with a form body, as slack_sdk sends some methods, token in the Authorization header."""
    headers = {}
    if token:
        headers["Authorization"] = (
            f"Bearer {sb.bot_token if token == 'bot' else sb.app_token if token == 'app' else token}"
        )
    return HTTP.post(sb.api_url + method, data=args, headers=headers)


def api_error(call: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as caught:
        call()
    return caught.value


def error_of(call: Any) -> str:
    """The error code of a Web API call that must fail."""
    return str(api_error(call).response["error"])


# ---- signing ------------------------------------------------------------------------------------------


def test_signature_is_what_slack_sdks_verifier_accepts() -> None:
    """Slack's own verifier (slack_sdk) is the judge here; tests/test_slack_facts.py also reproduces the
    test vector from Slack's documentation where Slack's files are present."""
    secret, timestamp, now = "a-signing-secret", "1800000000", 1800000000
    body = b"token=t&team_id=T0HOME&command=%2Freferral&text=need%3Ahousing"
    signed = {
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": slack_signature(secret, timestamp, body),
    }
    assert signed["x-slack-signature"].startswith("v0=") and len(signed["x-slack-signature"]) == 67
    assert SignatureVerifier(secret, clock=_FixedClock(now)).is_valid_request(body, signed)
    assert not SignatureVerifier(secret, clock=_FixedClock(now)).is_valid_request(body + b"-", signed)
    assert not SignatureVerifier("another-secret", clock=_FixedClock(now)).is_valid_request(body, signed)
    # The verifier's rule for time: more than 300 s away is refused.
    assert SignatureVerifier(secret, clock=_FixedClock(now + 300)).is_valid_request(body, signed)
    assert not SignatureVerifier(secret, clock=_FixedClock(now + 301)).is_valid_request(body, signed)


class _FixedClock:
    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now


def test_driver_requests_verify_with_slack_sdk_and_bolt_refuses_bad_signatures(
    sb: Sandbox, bolt: Any
) -> None:
    body = b'{"type": "url_verification", "challenge": "abc", "token": "t"}'
    headers = sb.driver.signed_headers(body, "application/json")
    lowered = {k.lower(): v for k, v in headers.items()}
    assert SignatureVerifier(sb.signing_secret).is_valid_request(body, lowered)
    accepted = sb.post_raw(body, headers)
    assert accepted.status == 200 and json.loads(accepted.body) == {"challenge": "abc"}
    tampered = dict(headers, **{"X-Slack-Signature": "v0=" + "0" * 64})
    assert sb.post_raw(body, tampered).status == 401
    assert sb.post_raw(body + b" ", headers).status == 401


# ---- the Web API's checks -----------------------------------------------------------------------------


REQUIRED = [
    (method, arg)
    for method in sorted(HANDLERS)
    for arg in (reference.method_doc(method).required if reference.method_doc(method) else ())  # type: ignore[union-attr]
    if arg != "token"
]


def test_every_served_method_has_slacks_reference() -> None:
    assert sorted(m for m in HANDLERS if reference.method_doc(m) is None) == []


@pytest.mark.parametrize(("method", "arg"), REQUIRED)
def test_missing_required_argument_gets_the_documented_error(sb: Sandbox, method: str, arg: str) -> None:
    doc = reference.method_doc(method)
    assert doc is not None
    args = {a: "x" for a in doc.required if a not in ("token", arg)}
    answer = raw_call(sb, method, **args).json()
    assert answer["ok"] is False
    assert reference.is_documented(method, answer["error"])
    if f"{arg}_not_found" in doc.errors:
        assert answer["error"] == f"{arg}_not_found"
    else:
        assert answer["error"] == "invalid_arguments"
        assert any(arg in m for m in answer["response_metadata"]["messages"])


@pytest.mark.parametrize("method", ["chat.postMessage", "chat.postEphemeral", "chat.update"])
def test_message_methods_without_text_or_blocks_answer_no_text(sb: Sandbox, method: str) -> None:
    ts = web_client(sb).chat_postMessage(channel="C1", text="original")["ts"]
    answer = raw_call(sb, method, channel="C1", user="U1", ts=ts).json()
    assert answer == {"ok": False, "error": "no_text"}


def test_tokens_are_checked_like_slack(sb: Sandbox) -> None:
    assert raw_call(sb, "auth.test", token=None).json() == {"ok": False, "error": "not_authed"}
    assert raw_call(sb, "auth.test", token="xoxb-not-ours").json() == {"ok": False, "error": "invalid_auth"}
    assert raw_call(sb, "auth.test", token="app").json()["error"] == "not_allowed_token_type"
    assert raw_call(sb, "apps.connections.open", token="bot").json()["error"] == "not_allowed_token_type"
    assert raw_call(sb, "apps.connections.open", token="app").json()["url"].startswith("ws://127.0.0.1:")
    in_body = HTTP.post(sb.api_url + "auth.test", data={"token": sb.bot_token}).json()
    assert in_body["ok"] is True and in_body["user_id"] == sb.bot_user_id


def test_unknown_and_unserved_methods(sb: Sandbox) -> None:
    answer = raw_call(sb, "chat.postMessages", channel="C1")
    assert answer.json()["error"] == "unknown_method"
    assert "chat.scheduleMessage" in reference.method_names()
    unserved = raw_call(sb, "chat.scheduleMessage", channel="C1", text="x", post_at="1")
    assert unserved.status_code == 501
    assert unserved.json()["error"] == reference.NOT_SERVED_ERROR


# ---- every error code the stand-in can answer is one Slack documents -----------------------------------


def test_every_error_code_in_the_source_is_documented_for_its_method() -> None:
    tree = ast.parse((SANDBOX_DIR / "methods.py").read_text())
    functions = functions_in(tree)
    served: dict[str, str] = {}
    for name, node in functions.items():
        for decorator in node.decorator_list:
            if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", "") == "serves":
                served[name] = decorator.args[0].value  # type: ignore[attr-defined]
    assert set(served.values()) == set(HANDLERS)
    undocumented = sorted(
        (method, code)
        for function, method in served.items()
        for code in reachable_codes(functions, function)
        if not reference.is_documented(method, code)
    )
    assert undocumented == []
    assert api_errors_in(tree)[1] == [], "methods.py raises ApiError only with literal codes"
    # The rest of the stand-in answers only Slack-wide codes, plus three computed ones checked elsewhere.
    for path in sorted(SANDBOX_DIR.glob("*.py")):
        if path.name == "methods.py":
            continue
        module = ast.parse(path.read_text())
        literal, dynamic = api_errors_in(module)
        assert literal <= reference.SLACK_WIDE_ERRORS, path.name
        owners = sorted(f.name for f in functions_in(module).values() if api_errors_in(f)[1])
        assert owners == (["_raise_fault", "answer", "missing_argument_error"] if dynamic else []), path.name


def test_slack_wide_and_borrowed_errors_are_documented_by_slack() -> None:
    """A Slack-wide error is one Slack's reference documents on several methods' pages (counted over all
    of them when the facts were derived)."""
    documented_on = reference.facts("web_api")["slack_wide_errors_documented_on"]
    assert {code: documented_on.get(code, 0) >= 2 for code in reference.SLACK_WIDE_ERRORS} == dict.fromkeys(
        reference.SLACK_WIDE_ERRORS, True
    )
    for (method, code), sibling in reference.BORROWED_ERRORS.items():
        assert code in reference.method_doc(sibling).errors  # type: ignore[union-attr]
        assert code not in reference.method_doc(method).errors  # type: ignore[union-attr]


# ---- Block Kit limits -----------------------------------------------------------------------------------


def _section(n: int) -> list[Any]:
    return [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * n}}]


def _button(text: int = 5, value: int = 5, action_id: int = 5) -> list[Any]:
    button = {
        "type": "button",
        "text": {"type": "plain_text", "text": "b" * text},
        "value": "v" * value,
        "action_id": "a" * action_id,
    }
    return [{"type": "actions", "elements": [button]}]


def _select(count: int = 2, text: int = 5, value: int = 5) -> list[Any]:
    options = [
        {"text": {"type": "plain_text", "text": "t" * text}, "value": f"{i}".rjust(value, "v")}
        for i in range(count)
    ]
    return [
        {"type": "actions", "elements": [{"type": "static_select", "action_id": "s", "options": options}]}
    ]


MESSAGE_LIMITS = [
    ("blocks", lambda n: [{"type": "divider"}] * n, 50, "/blocks"),
    ("section text", _section, 3000, "/blocks/0/text/text"),
    (
        "fields",
        lambda n: [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * n}],
        10,
        "/blocks/0/fields",
    ),
    (
        "field text",
        lambda n: [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * n}]}],
        2000,
        "/blocks/0/fields/0/text",
    ),
    (
        "header",
        lambda n: [{"type": "header", "text": {"type": "plain_text", "text": "h" * n}}],
        150,
        "/blocks/0/text/text",
    ),
    ("button text", lambda n: _button(text=n), 75, "/blocks/0/elements/0/text/text"),
    ("button value", lambda n: _button(value=n), 2000, "/blocks/0/elements/0/value"),
    ("action_id", lambda n: _button(action_id=n), 255, "/blocks/0/elements/0/action_id"),
    ("block_id", lambda n: [{"type": "divider", "block_id": "b" * n}], 255, "/blocks/0/block_id"),
    ("option text", lambda n: _select(text=n), 75, "/blocks/0/elements/0/options/0/text/text"),
    ("option value", lambda n: _select(value=n), 150, "/blocks/0/elements/0/options/0/value"),
    ("options", lambda n: _select(count=n), 100, "/blocks/0/elements/0/options"),
]


@pytest.mark.parametrize(
    ("name", "build", "limit", "pointer"), MESSAGE_LIMITS, ids=[c[0] for c in MESSAGE_LIMITS]
)
def test_message_block_limits(sb: Sandbox, name: str, build: Any, limit: int, pointer: str) -> None:
    client = web_client(sb)
    assert client.chat_postMessage(channel="C1", text="t", blocks=build(limit))["ok"]
    error = api_error(lambda: client.chat_postMessage(channel="C1", text="t", blocks=build(limit + 1)))
    assert error.response["error"] == "invalid_blocks"
    assert any(f"[json-pointer:{pointer}]" in m for m in error.response["response_metadata"]["messages"])


@pytest.mark.parametrize(
    "blocks",
    [
        [{"type": "header", "text": {"type": "mrkdwn", "text": "*bold*"}}],
        [{"type": "carousel"}],
        [{"type": "divider", "block_id": "same"}, {"type": "divider", "block_id": "same"}],
    ],
    ids=["header-mrkdwn", "unknown-type", "duplicate-block_id"],
)
def test_malformed_blocks_are_rejected(sb: Sandbox, blocks: list[Any]) -> None:
    assert error_of(lambda: web_client(sb).chat_postMessage(channel="C1", text="t", blocks=blocks)) == (
        "invalid_blocks"
    )


def test_message_text_limit(sb: Sandbox) -> None:
    client = web_client(sb)
    assert client.chat_postMessage(channel="C1", text="x" * 4000)["ok"]
    assert error_of(lambda: client.chat_postMessage(channel="C1", text="x" * 4001)) == "msg_too_long"
    too_long = "x" * 4001
    assert (
        error_of(lambda: client.chat_postEphemeral(channel="C1", user="U1", text=too_long)) == "msg_too_long"
    )


VIEW_LIMITS = [
    ("title", lambda n: modal(title={"type": "plain_text", "text": "t" * n}), 24, "/view/title/text"),
    ("submit", lambda n: modal(submit={"type": "plain_text", "text": "s" * n}), 24, "/view/submit/text"),
    ("close", lambda n: modal(close={"type": "plain_text", "text": "c" * n}), 24, "/view/close/text"),
    ("private_metadata", lambda n: modal(private_metadata="m" * n), 3000, "/view/private_metadata"),
    ("blocks", lambda n: modal(blocks=[{"type": "divider"}] * n), 100, "/view/blocks"),
]


@pytest.mark.parametrize(("name", "build", "limit", "pointer"), VIEW_LIMITS, ids=[c[0] for c in VIEW_LIMITS])
def test_view_limits(sb: Sandbox, name: str, build: Any, limit: int, pointer: str) -> None:
    """Slack answers invalid_arguments with the same kind of messages for views (views.open's examples)."""
    client = web_client(sb)
    assert client.views_open(trigger_id=sb.workspace.issue_trigger("U1"), view=build(limit))["ok"]
    error = api_error(
        lambda: client.views_open(trigger_id=sb.workspace.issue_trigger("U1"), view=build(limit + 1))
    )
    assert error.response["error"] == "invalid_arguments"
    assert any(f"[json-pointer:{pointer}]" in m for m in error.response["response_metadata"]["messages"])


def test_home_view_block_limit(sb: Sandbox) -> None:
    client = web_client(sb)
    home = {"type": "home", "blocks": [{"type": "divider"}] * 100}
    assert client.views_publish(user_id="U1", view=home)["ok"]
    error = api_error(lambda: client.views_publish(user_id="U1", view={**home, "blocks": home["blocks"] * 2}))
    assert error.response["error"] == "invalid_arguments"
    assert sb.home_view("U1") is not None and len(sb.home_view("U1").blocks) == 100  # type: ignore[union-attr]


# ---- faults and rate limits -----------------------------------------------------------------------------


def test_429_is_answered_exactly_like_slacks_and_the_retry_handler_recovers(sb: Sandbox) -> None:
    expected = reference.facts("web_api")["rate_limited"]
    sb.fail("chat.postMessage", status=429, retry_after=1, times=1)
    raw = raw_call(sb, "chat.postMessage", channel="C1", text="x")
    assert raw.status_code == expected["status"]
    assert set(expected["headers"]) <= set(raw.headers.keys()) | {"Retry-After", "Content-Type"}
    assert raw.headers["Retry-After"] == "1"
    assert raw.headers["Content-Type"] == expected["content_type"]
    assert raw.json() == expected["body"]

    sb.fail("chat.postMessage", status=429, retry_after=1, times=1)
    without = api_error(lambda: web_client(sb, retry=False).chat_postMessage(channel="C1", text="x"))
    assert without.response.status_code == 429 and without.response["error"] == "ratelimited"

    sb.fail("chat.postMessage", status=429, retry_after=1, times=1)
    assert web_client(sb).chat_postMessage(channel="C1", text="after a retry")["ok"]
    outcomes = [(c.status, c.error) for c in sb.calls("chat.postMessage")]
    assert outcomes[-2:] == [(429, "ratelimited"), (200, None)]
    assert [m.text for m in sb.messages("C1")] == ["after a retry"]


def test_server_errors_slowness_and_documented_failures(sb: Sandbox) -> None:
    sb.fail("users.info", status=500)
    error = api_error(lambda: web_client(sb).users_info(user="U1"))
    assert error.response.status_code == 500 and error.response["error"] == "internal_error"
    sb.fail("users.info", status=200, error="user_not_visible")
    assert error_of(lambda: web_client(sb).users_info(user="U1")) == "user_not_visible"
    with pytest.raises(ValueError):
        sb.fail("users.info", status=200, error="channel_not_found")  # not documented for users.info
    sb.slow("auth.test", 2.0, times=1)
    slow_client = web_client(sb)
    slow_client.timeout = 0.3
    with pytest.raises(Exception):  # noqa: B017  # urllib's timeout surfaces as URLError or TimeoutError
        slow_client.auth_test()
    sb.clear_faults()
    assert web_client(sb).users_info(user="U1")["ok"]


def test_rate_tiers_when_enforced(sb: Sandbox) -> None:
    sb.enforce_rate_limits()
    assert reference.method_doc("users.info").rate_tier == "t4"  # type: ignore[union-attr]
    statuses = [raw_call(sb, "users.info", user="U1").status_code for _ in range(101)]
    assert statuses[:100] == [200] * 100 and statuses[100] == 429
    posts = [raw_call(sb, "chat.postMessage", channel="C1", text="x").status_code for _ in range(6)]
    assert posts == [200] * 5 + [429]
    assert raw_call(sb, "chat.postMessage", channel="C2", text="x").status_code == 200  # per channel
    sb.advance_time(61)
    assert raw_call(sb, "users.info", user="U1").status_code == 200
    assert raw_call(sb, "chat.postMessage", channel="C1", text="x").status_code == 200


# ---- methods ------------------------------------------------------------------------------------------


def test_trigger_ids_expire_and_are_single_use(sb: Sandbox) -> None:
    client = web_client(sb)
    trigger = sb.workspace.issue_trigger("U1")
    assert client.views_open(trigger_id=trigger, view=modal())["ok"]
    assert error_of(lambda: client.views_open(trigger_id=trigger, view=modal())) == "exchanged_trigger_id"
    late = sb.workspace.issue_trigger("U1")
    sb.advance_time(3.1)
    assert error_of(lambda: client.views_open(trigger_id=late, view=modal())) == "expired_trigger_id"
    assert error_of(lambda: client.views_open(trigger_id="1.2.abc", view=modal())) == "invalid_trigger_id"
    assert error_of(lambda: client.views_open(view=modal())) == "invalid_arguments"


def test_views_update_push_and_hash(sb: Sandbox) -> None:
    client = web_client(sb)
    view = client.views_open(trigger_id=sb.workspace.issue_trigger("U1"), view=modal(external_id="e1"))[
        "view"
    ]
    assert view["app_installed_team_id"] == sb.home_team_id and view["root_view_id"] == view["id"]
    assert error_of(lambda: client.views_update(view_id=view["id"], hash="0.stale", view=modal())) == (
        "hash_conflict"
    )
    step2 = modal(callback_id="step2", external_id="e1")
    updated = client.views_update(external_id="e1", hash=view["hash"], view=step2)["view"]
    assert updated["id"] == view["id"] and updated["hash"] != view["hash"]
    assert error_of(lambda: client.views_update(view_id="VNOPE", view=modal())) == "not_found"
    for _ in range(2):
        client.views_push(trigger_id=sb.workspace.issue_trigger("U1"), view=modal())
    assert len(sb.open_views("U1")) == 3
    push = sb.workspace.issue_trigger("U1")
    assert error_of(lambda: client.views_push(trigger_id=push, view=modal())) == "push_limit_reached"
    other = sb.workspace.issue_trigger("U3")
    assert error_of(lambda: client.views_open(trigger_id=other, view=step2)) == "duplicate_external_id"


def test_message_methods_follow_slacks_rules(sb: Sandbox) -> None:
    client = web_client(sb)
    assert error_of(lambda: client.chat_postMessage(channel="C3", text="x")) == "not_in_channel"
    assert error_of(lambda: client.chat_postMessage(channel="G1", text="x")) == "channel_not_found"
    assert error_of(lambda: client.chat_postMessage(channel="CNOPE", text="x")) == "channel_not_found"
    parent = client.chat_postMessage(channel="C1", text="parent")["ts"]
    reply = client.chat_postMessage(channel="C1", text="reply", thread_ts=parent, reply_broadcast=True)
    assert reply["message"]["subtype"] == "thread_broadcast"
    under_reply = reply["ts"]
    assert error_of(lambda: client.chat_postMessage(channel="C1", text="x", thread_ts=under_reply)) == (
        "cannot_reply_to_message"
    )
    # A reply also sent to the channel shows there and in its thread.
    assert [m.text for m in sb.messages("C1")] == ["parent", "reply"]
    assert [m.text for m in sb.messages("C1", thread_ts=parent)] == ["reply"]
    replies = client.conversations_replies(channel="C1", ts=parent)["messages"]
    assert [m["text"] for m in replies] == ["parent", "reply"] and replies[0]["reply_count"] == 1
    user_ts, _ = sb.post_as_user("U1", "C1", "a person's message")
    assert error_of(lambda: client.chat_update(channel="C1", ts=user_ts, text="x")) == "cant_update_message"
    assert error_of(lambda: client.chat_delete(channel="C1", ts=user_ts)) == "cant_delete_message"
    assert error_of(lambda: client.chat_update(channel="C1", ts="1.000001", text="x")) == "message_not_found"
    client.chat_update(channel="C1", ts=parent, text="edited")
    assert sb.messages("C1")[0].text == "edited" and sb.messages("C1")[0].history[0].text == "parent"
    archive = f"https://{sb.workspace.home.domain}.slack.com/archives/C1"
    assert client.chat_getPermalink(channel="C1", message_ts=parent)["permalink"] == (
        f"{archive}/p{parent.replace('.', '')}"
    )
    assert client.chat_getPermalink(channel="C1", message_ts=reply["ts"])["permalink"] == (
        f"{archive}/p{reply['ts'].replace('.', '')}?thread_ts={parent}&cid=C1"
    )
    client.reactions_add(channel="C1", timestamp=parent, name="eyes")
    assert error_of(lambda: client.reactions_add(channel="C1", timestamp=parent, name="eyes")) == (
        "already_reacted"
    )
    client.chat_delete(channel="C1", ts=parent)
    assert [m.text for m in sb.messages("C1")] == ["reply", "a person's message"]


def test_users_conversations_and_dms(sb: Sandbox) -> None:
    client = web_client(sb)
    user = client.users_info(user="U2")["user"]
    assert (user["team_id"], user["profile"]["team"], user["tz"]) == (
        "T0PART",
        "T0PART",
        "America/Los_Angeles",
    )
    assert {"tz_label", "tz_offset", "real_name", "is_bot", "name"} <= set(user)
    assert error_of(lambda: client.users_info(user="U9")) == "user_not_found"
    sb.workspace.users["U2"].visible = False
    assert error_of(lambda: client.users_info(user="U2")) == "user_not_visible"
    shared = client.conversations_info(channel="C2")["channel"]
    assert shared["is_ext_shared"] is True and shared["context_team_id"] == sb.home_team_id
    assert set(shared["connected_team_ids"]) == {sb.home_team_id, "T0PART"}
    assert client.conversations_info(channel="C1")["channel"]["is_ext_shared"] is False
    assert client.conversations_members(channel="C2", limit=1)["response_metadata"]["next_cursor"]
    members, cursor = [], None
    while cursor != "":
        page = client.conversations_members(channel="C2", limit=1, cursor=cursor)
        members += page["members"]
        cursor = page["response_metadata"]["next_cursor"]
    assert members == [sb.bot_user_id, "U1", "U2"]
    dm = client.conversations_open(users="U1")["channel"]["id"]
    assert dm.startswith("D") and client.conversations_open(users="U1")["channel"]["id"] == dm
    client.chat_postMessage(channel=dm, text="just for you")
    client.chat_postMessage(channel="U1", text="also by user ID")
    assert [m.text for m in sb.dms("U1")] == ["just for you", "also by user ID"]


# ---- response_url ---------------------------------------------------------------------------------------


def test_response_urls_post_like_slack(sb: Sandbox) -> None:
    user, channel = sb.workspace.users["U1"], sb.workspace.channels["C1"]
    url = sb.payloads.slash_command(user, channel, "/liaison", "")["response_url"]
    assert HTTP.post(url, json={"text": "only you"}).status_code == 200
    assert HTTP.post(url, json={"text": "everyone", "response_type": "in_channel"}).status_code == 200
    assert HTTP.post(url, json={"text": "replaced?", "replace_original": True}).status_code == 200
    assert [e.text for e in sb.ephemerals("U1", "C1")] == ["only you", "replaced?"]  # commands never replace
    assert [m.text for m in sb.messages("C1")] == ["everyone"]
    assert HTTP.post(url, json={"text": "4"}).status_code == 200
    assert HTTP.post(url, json={"text": "5"}).status_code == 200
    sixth = HTTP.post(url, json={"text": "6"})
    assert sixth.status_code == 404 and sixth.json()["error"] == "used_url"
    late = sb.payloads.slash_command(user, channel, "/liaison", "")["response_url"]
    sb.advance_time(30 * 60 + 1)
    assert HTTP.post(late, json={"text": "late"}).json()["error"] == "expired_url"


def test_action_response_url_replaces_and_deletes_the_clicked_message(sb: Sandbox) -> None:
    ts = web_client(sb).chat_postMessage(channel="C1", text="card", blocks=card())["ts"]
    message = sb.workspace.message("C1", ts)
    user, channel = sb.workspace.users["U1"], sb.workspace.channels["C1"]
    payload = sb.payloads.message_click(user, channel, message, "accept", None, False)  # type: ignore[arg-type]
    HTTP.post(payload["response_url"], json={"text": "accepted", "replace_original": True})
    assert sb.messages("C1")[0].text == "accepted"
    HTTP.post(payload["response_url"], json={"delete_original": True})
    assert sb.messages("C1") == []


# ---- payloads are shaped as Slack's own -------------------------------------------------------------------


def test_slash_command_is_shaped_as_slacks(sb: Sandbox, bolt: Any) -> None:
    delivery = sb.slash_command("U1", "C1", "/liaison", "help")
    assert_shaped_like_slack("slash_command", delivery.payload)
    assert delivery.payload["response_url"].startswith(sb.api_url.removesuffix("api/") + "response/")
    assert delivery.payload["team_id"] == sb.home_team_id
    assert [e.text for e in sb.ephemerals("U1")] == ["help for <@U1>"]  # the ack text, shown as Slack does


def test_block_actions_is_shaped_as_slacks(sb: Sandbox, bolt: Any) -> None:
    ts = web_client(sb).chat_postMessage(channel="C2", text="card", blocks=card())["ts"]
    delivery = sb.click("U2", "C2", ts, "accept")
    payload = delivery.payload
    assert_shaped_like_slack("block_actions", payload)
    assert set(payload["actions"][0]) >= {"action_id", "block_id", "text", "value", "type", "action_ts"}
    assert payload["user"]["team_id"] == "T0PART" and payload["team"]["id"] == "T0PART"  # the clicker's team
    assert payload["message"]["ts"] == ts and payload["message"]["blocks"][1]["block_id"] == "act"
    sb.wait_for(lambda: sb.messages("C2")[0].text == "Accepted")
    with pytest.raises(NotPossibleInSlack):
        sb.click("U2", "C2", ts, "reject")


def test_view_submission_is_shaped_as_slacks_and_the_ack_applies(sb: Sandbox, bolt: Any) -> None:
    sb.slash_command("U1", "C1", "/liaison", "new")
    view = sb.wait_for(lambda: sb.open_views("U1"))[-1]
    with pytest.raises(NotPossibleInSlack):  # Slack's client refuses to submit with a required input empty
        sb.submit_view("U1", view.id, {"summary": {"text": "hello there"}})
    with pytest.raises(NotPossibleInSlack):
        sb.submit_view(
            "U1", view.id, {"summary": {"text": "x"}, "owner": {"who": "U1"}, "kind": {"choice": "?"}}
        )
    delivery = sb.submit_view("U1", view.id, {"summary": {"text": "hi"}, "owner": {"who": "U2"}})
    assert_shaped_like_slack("view_submission", delivery.payload)
    values = delivery.payload["view"]["state"]["values"]
    assert values["summary"]["text"] == {"type": "plain_text_input", "value": "hi"}
    assert values["owner"]["who"] == {"type": "users_select", "selected_user": "U2"}
    assert values["kind"]["choice"] == {"type": "static_select", "selected_option": None}
    assert delivery.payload["view"]["app_installed_team_id"] == sb.home_team_id
    assert view.is_open and view.errors == {"summary": "Say a little more"}  # response_action errors
    assert "Say a little more" in visible_text(view)
    done = sb.submit_view("U1", view.id, {"summary": {"text": "long enough"}, "kind": {"choice": "housing"}})
    assert done.acked and done.problems == [] and not view.is_open and sb.open_views("U1") == []
    assert (
        done.payload["view"]["state"]["values"]["owner"]["who"]["selected_user"] == "U2"
    )  # kept from before


def test_message_events_are_shaped_as_slacks(sb: Sandbox, bolt: Any) -> None:
    _, delivery = sb.post_as_user("U1", "C1", "hello")
    assert delivery is not None and delivery.status == 200
    envelope = delivery.payload
    assert_shaped_like_slack("event:message", envelope)
    assert envelope["authorizations"][0]["team_id"] == sb.home_team_id
    assert envelope["is_ext_shared_channel"] is False and envelope["event"]["channel_type"] == "channel"
    _, reply = sb.post_as_user("U1", "C1", "in thread", thread_ts=envelope["event"]["ts"])
    assert reply is not None and reply.payload["event"]["parent_user_id"] == "U1"
    assert_shaped_like_slack("event:message", reply.payload)
    parent = envelope["event"]["ts"]
    _, broadcast = sb.post_as_user("U1", "C1", "also here", thread_ts=parent, reply_broadcast=True)
    assert broadcast is not None
    assert_shaped_like_slack("event:message:thread_broadcast", broadcast.payload)
    changed = sb.edit_as_user("U1", "C1", envelope["event"]["ts"], "hello again")
    assert changed is not None
    assert_shaped_like_slack("event:message:message_changed", changed.payload)


def test_partner_message_in_a_shared_channel_names_the_partner_as_actor(sb: Sandbox, bolt: Any) -> None:
    _, delivery = sb.post_as_user("U2", "C2", "hello from legal aid")
    assert delivery is not None
    envelope = delivery.payload
    assert_shaped_like_slack("event:message", envelope)
    assert (envelope["team_id"], envelope["context_team_id"]) == ("T0PART", sb.home_team_id)
    assert envelope["authorizations"][0]["team_id"] == sb.home_team_id
    assert envelope["is_ext_shared_channel"] is True
    event = envelope["event"]
    assert (event["team"], event["user_team"], event["source_team"]) == ("T0PART",) * 3
    assert extract_actor_team_id(envelope) == "T0PART"
    assert sb.wait_for(lambda: getattr(bolt, "actor_team_ids", None)) == ["T0PART"]  # Bolt's context agrees
    sb.post_as_user("U2", "C2", f"<@{sb.bot_user_id}> please look")
    mentions = [d for d in sb.deliveries if d.payload.get("event", {}).get("type") == "app_mention"]
    assert len(mentions) == 1 and extract_actor_team_id(mentions[0].payload) == "T0PART"
    assert_shaped_like_slack("event:app_mention", mentions[0].payload)
    assert mentions[0].payload["team_id"] == sb.home_team_id  # app_mention keeps the installing team


def test_event_retries_carry_slacks_retry_headers(sb: Sandbox, bolt: Any) -> None:
    event = {
        "type": "app_mention",
        "user": "U1",
        "text": "hi",
        "ts": "1.000100",
        "channel": "C1",
        "event_ts": "1.000100",
    }
    first = sb.send_event(event, event_id="Ev0RETRY")
    retried = sb.send_event(event, event_id="Ev0RETRY", retry_num=1)
    assert first.payload["event_id"] == retried.payload["event_id"] == "Ev0RETRY"
    headers = bolt.server.requests[-1]
    assert (headers["x-slack-retry-num"], headers["x-slack-retry-reason"]) == ("1", "http_timeout")
    assert "x-slack-retry-num" not in bolt.server.requests[-2]


def test_edits_deletions_and_visibility_rules(sb: Sandbox, bolt: Any) -> None:
    ts, _ = sb.post_as_user("U2", "C2", "first words")
    changed = sb.edit_as_user("U2", "C2", ts, "second words")
    assert changed is not None and changed.payload["event"]["subtype"] == "message_changed"
    assert changed.payload["event"]["previous_message"]["text"] == "first words"
    with pytest.raises(NotPossibleInSlack):  # only the sending organization can change a message
        sb.edit_as_user("U1", "C2", ts, "home edits partner")
    deleted = sb.delete_as_user("U2", "C2", ts)
    assert deleted is not None and deleted.payload["event"]["deleted_ts"] == ts
    with pytest.raises(NotPossibleInSlack):
        sb.post_as_user("U2", "C1", "not a member")
    _, unheard = sb.post_as_user("U3", "C3", "the bot is not here")
    assert unheard is None


# ---- Socket Mode ----------------------------------------------------------------------------------------


def test_slack_sdk_socket_mode_client_connects_receives_and_acks(sb: Sandbox) -> None:
    client = SocketModeClient(app_token=sb.app_token, web_client=web_client(sb, token=""))
    raw_messages: list[dict[str, Any]] = []
    client.message_listeners.append(lambda _client, message, _raw: raw_messages.append(message))

    def ack(socket_client: Any, request: Any) -> None:
        socket_client.send_socket_mode_response(
            SocketModeResponse(envelope_id=request.envelope_id, payload={"text": "got it"})
        )

    client.socket_mode_request_listeners.append(ack)
    client.connect()
    try:
        sb.wait_for_socket()
        delivery = sb.slash_command("U1", "C1", "/liaison", "help", via="socket")
        assert delivery.acked and delivery.ack_payload == {"text": "got it"}
        assert delivery.envelope_id in [a["envelope_id"] for a in sb.socket_acks()]
        assert [e.text for e in sb.ephemerals("U1")] == ["got it"]
        hello = sb.wait_for(lambda: [m for m in raw_messages if m.get("type") == "hello"])[0]
        assert {"num_connections", "connection_info", "debug_info"} <= set(hello)
        envelope = next(m for m in raw_messages if m.get("envelope_id") == delivery.envelope_id)
        assert set(envelope) == socket_envelope_fields("slash_commands") | {"payload"}
        assert envelope["accepts_response_payload"] is True
        assert_shaped_like_slack("slash_command", envelope["payload"])
        _, event = sb.post_as_user("U1", "C1", "over the socket", via="socket")
        sent = next(m for m in raw_messages if m.get("envelope_id") == event.envelope_id)  # type: ignore[union-attr]
        assert set(sent) == socket_envelope_fields("events_api") | {"payload"} and sent["retry_attempt"] == 0
        retry = sb.send_event(
            sent["payload"]["event"], event_id=sent["payload"]["event_id"], retry_num=2, via="socket"
        )
        resent = next(m for m in raw_messages if m.get("envelope_id") == retry.envelope_id)
        assert (resent["retry_attempt"], resent["retry_reason"]) == (2, "timeout")
        assert resent["payload"]["event_id"] == sent["payload"]["event_id"]
    finally:
        client.close()


def test_bolt_socket_mode_handler_end_to_end_and_reconnects(sb: Sandbox) -> None:
    app = make_app(sb)
    handler = SocketModeHandler(app, sb.app_token, ping_interval=1)
    handler.connect()
    try:
        sb.wait_for_socket()
        sb.slash_command("U1", "C1", "/liaison", "new", via="socket")
        view = sb.wait_for(lambda: sb.open_views("U1"))[-1]
        delivery = sb.submit_view(
            "U1", view.id, {"summary": {"text": "hi"}, "owner": {"who": "U1"}}, via="socket"
        )
        assert delivery.ack_payload == {
            "response_action": "errors",
            "errors": {"summary": "Say a little more"},
        }
        assert view.is_open and view.errors
        opened = len(sb.calls("apps.connections.open"))
        sb.send_disconnect()
        sb.wait_for(lambda: len(sb.calls("apps.connections.open")) > opened, timeout=10)
        sb.wait_for_socket()
        assert sb.slash_command("U1", "C1", "/liaison", "help", via="socket").acked
        sb.drop_connections()
        sb.wait_for(lambda: len(sb.calls("apps.connections.open")) > opened + 1, timeout=20)
        sb.wait_for_socket()
        assert sb.slash_command("U1", "C1", "/liaison", "help", via="socket").acked
    finally:
        handler.close()


def test_each_envelope_goes_to_exactly_one_of_several_connections(sb: Sandbox) -> None:
    received: dict[int, list[str]] = {0: [], 1: []}
    clients = []
    for number in (0, 1):
        client = SocketModeClient(app_token=sb.app_token, web_client=web_client(sb, token=""))

        def ack(socket_client: Any, request: Any, number: int = number) -> None:
            received[number].append(request.envelope_id)
            socket_client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id))

        client.socket_mode_request_listeners.append(ack)
        client.connect()
        clients.append(client)
        sb.wait_for(lambda number=number: sb.socket.connection_count == number + 1)
    try:
        sent = [sb.slash_command("U1", "C1", "/liaison", "help", via="socket").envelope_id for _ in range(4)]
        assert sorted(received[0] + received[1]) == sorted(sent)
        assert received[0] and received[1]  # the stand-in spreads envelopes over the connections
    finally:
        for client in clients:
            client.close()


# ---- end to end over HTTP ---------------------------------------------------------------------------------


def test_commands_respond_and_clicks_on_ephemerals(sb: Sandbox, bolt: Any) -> None:
    sb.slash_command("U1", "C1", "/liaison", "later")
    sb.wait_for(
        lambda: [e for e in sb.ephemerals("U1") if e.text == "done later" and e.source == "response_url"]
    )
    sb.slash_command("U1", "C1", "/liaison", "public")
    assert [m.text for m in sb.messages("C1")] == ["for everyone"]
    posted = web_client(sb).chat_postEphemeral(channel="C1", user="U1", text="choose", blocks=card())
    sb.add_member("C1", "U3")
    with pytest.raises(NotPossibleInSlack):
        sb.click("U3", "C1", posted["message_ts"], "accept")  # an ephemeral is shown only to its person
    delivery = sb.click("U1", "C1", posted["message_ts"], "accept")
    assert delivery.payload["container"]["is_ephemeral"] is True and "message" not in delivery.payload
    sb.wait_for(lambda: [e for e in sb.ephemerals("U1") if e.text == "accepted (ephemeral)"])


def test_a_command_the_app_fails_shows_slacks_error(sb: Sandbox, bolt: Any) -> None:
    delivery = sb.slash_command("U1", "C1", "/unknown", "")
    assert delivery.status == 404 and not delivery.acked
    assert [e.text for e in sb.ephemerals("U1")] == ['/unknown failed with the error "dispatch_failed"']


def test_visible_text_reads_what_a_person_sees(sb: Sandbox) -> None:
    web_client(sb).chat_postMessage(channel="C1", text="fallback", blocks=card("Referral R-9"))
    text = visible_text(sb.messages("C1")[0])
    for seen in ("fallback", "*Referral R-9*", "*Due:* Friday", "Accept", "asked by the defender office"):
        assert seen in text
    assert "R-1" not in text  # a button's value is not shown to people


def test_wait_for_reports_what_the_app_did(sb: Sandbox) -> None:
    web_client(sb).auth_test()
    with pytest.raises(AssertionError, match=r"auth.test: ok"):
        sb.wait_for(lambda: False, timeout=0.05, message="never")


def test_an_unreachable_app_is_a_failed_delivery(sb: Sandbox) -> None:
    sb.bot_url = "http://127.0.0.1:1/slack/events"  # nothing listens on port 1
    over_http = sb.slash_command("U1", "C1", "/liaison", "help")
    over_socket = sb.slash_command("U1", "C1", "/liaison", "help", via="socket")
    for delivery in (over_http, over_socket):
        assert delivery.status is None and not delivery.acked and delivery.problems
    assert [e.text for e in sb.ephemerals("U1")] == ['/liaison failed with the error "dispatch_failed"'] * 2


def test_app_home_views_and_channel_joins(sb: Sandbox, bolt: Any) -> None:
    home = {
        "type": "home",
        "blocks": [
            {
                "type": "actions",
                "block_id": "nav",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "open_items",
                        "text": {"type": "plain_text", "text": "My items"},
                    },
                    {
                        "type": "static_select",
                        "action_id": "filter",
                        "options": [{"text": {"type": "plain_text", "text": "Open"}, "value": "open"}],
                    },
                ],
            }
        ],
    }
    published = web_client(sb).views_publish(user_id="U1", view=home)["view"]
    assert error_of(lambda: web_client(sb).views_publish(user_id="U2", view=home)) == "invalid_arguments"
    opened = sb.open_app_home("U1")
    assert opened is not None and opened.payload["event"]["view"]["id"] == published["id"]
    assert_shaped_like_slack("event:app_home_opened", opened.payload)
    with pytest.raises(NotPossibleInSlack):
        sb.open_app_home("U2")  # the app is installed in the home workspace only
    click = sb.click_in_view("U1", published["id"], "filter", value="open")
    assert_shaped_like_slack("block_actions", click.payload)
    assert click.payload["container"] == {"type": "view", "view_id": published["id"]}
    assert click.payload["actions"][0]["selected_option"]["value"] == "open"
    with pytest.raises(NotPossibleInSlack):
        sb.click_in_view("U1", published["id"], "filter", value="closed")  # not an option offered
    joined = sb.join_channel("U3", "C1", inviter_id="U1")
    assert joined is not None and joined.payload["event"]["type"] == "member_joined_channel"
    assert_shaped_like_slack("event:member_joined_channel", joined.payload)


def test_closing_a_modal_notifies_the_app_only_when_asked(sb: Sandbox, bolt: Any) -> None:
    client = web_client(sb)
    quiet = client.views_open(trigger_id=sb.workspace.issue_trigger("U1"), view=modal())["view"]
    assert sb.close_view("U1", quiet["id"]) is None and sb.open_views("U1") == []
    loud = client.views_open(trigger_id=sb.workspace.issue_trigger("U1"), view=modal(notify_on_close=True))
    closed = sb.close_view("U1", loud["view"]["id"])
    assert closed is not None and closed.payload["type"] == "view_closed"
    assert closed.payload["view"]["id"] == loud["view"]["id"] and closed.payload["is_cleared"] is False
    assert_shaped_like_slack("view_closed", closed.payload)
    assert sb.open_views("U1") == []
    with pytest.raises(NotPossibleInSlack):
        sb.submit_view("U1", loud["view"]["id"], {"summary": {"text": "too late"}})


def test_a_manifest_decides_scopes_events_commands_and_the_app_home(sb: Sandbox, bolt: Any) -> None:
    sb.add_channel("G2", "private-with-bot", members=["U1"], is_private=True)
    sb.apply_manifest(
        {
            "features": {
                "app_home": {"home_tab_enabled": False, "messages_tab_read_only_enabled": True},
                "slash_commands": [{"command": "/liaison", "description": "settings"}],
            },
            "oauth_config": {"scopes": {"bot": ["commands", "chat:write", "channels:read", "im:write"]}},
            "settings": {"event_subscriptions": {"bot_events": ["message.channels"]}},
        }
    )
    client = web_client(sb)
    refused = api_error(lambda: client.users_info(user="U1")).response
    assert (refused["error"], refused["needed"]) == ("missing_scope", "users:read")
    assert "chat:write" in refused["provided"].split(",")
    assert client.conversations_info(channel="C1")["ok"]  # channels:read covers a public channel ...
    assert error_of(lambda: client.conversations_info(channel="G2")) == "missing_scope"  # ... not groups:
    dm = client.conversations_open(users="U1")["channel"]["id"]  # im:write
    assert error_of(lambda: client.chat_postMessage(channel="C3", text="x")) == "not_in_channel"
    with pytest.raises(NotPossibleInSlack):
        sb.slash_command("U1", "C1", "/referral", "help")  # not declared in the manifest
    assert sb.slash_command("U1", "C1", "/liaison", "help").acked
    _, heard = sb.post_as_user("U1", "C1", f"<@{sb.bot_user_id}> hello")
    assert heard is not None and heard.payload["event"]["type"] == "message"  # app_mention not subscribed
    assert sb.post_as_user("U1", "G2", "private words")[1] is None  # message.groups not subscribed
    with pytest.raises(NotPossibleInSlack):
        sb.post_as_user("U1", dm, "hello bot")  # the Messages tab is read-only
    with pytest.raises(NotPossibleInSlack):
        sb.open_app_home("U1")


def test_message_and_global_shortcuts_are_shaped_as_slacks(sb: Sandbox, bolt: Any) -> None:
    ts, _ = sb.post_as_user("U1", "C1", "the hearing moved to Friday")
    used = sb.message_shortcut("U1", "C1", ts, "quote")
    assert used.acked and used.problems == []
    assert_shaped_like_slack("message_action", used.payload, varies=("message",))
    assert used.payload["message"]["ts"] == used.payload["message_ts"] == ts
    assert sb.wait_for(lambda: sb.open_views("U1"))[-1].callback_id == "intake"  # its trigger_id opens a form
    answer = sb.wait_for(lambda: sb.ephemerals("U1", "C1"))[-1]  # its response_url answers privately
    assert answer.text == "quoting the hearing moved to Friday" and answer.source == "response_url"
    started = sb.global_shortcut("U1", "start")
    assert started.acked and started.problems == []
    assert_shaped_like_slack("shortcut", started.payload)
    assert not {"channel", "message", "response_url"} & set(started.payload)
    sb.wait_for(lambda: len([c for c in sb.calls("views.open") if c.ok]) == 2, message="its form open")


@needs_slack_files
def test_shortcuts_carry_the_fields_of_slacks_own(sb: Sandbox, bolt: Any) -> None:
    """Beside the facts: the same fields, at the top and in `user`, `team` and `channel`, as the requests
    Slack's SDK authors captured (the message itself is the message's own)."""
    ts, _ = sb.post_as_user("U1", "C1", "see the attached order")
    ours = {
        "message_shortcut": sb.message_shortcut("U1", "C1", ts, "quote").payload,
        "global_shortcut": sb.global_shortcut("U1", "start").payload,
    }
    for name, payload in ours.items():
        slacks = original(f"payloads/{name}.json")
        assert set(payload) == set(slacks), name
        for inner in ("user", "team", "channel"):
            assert set(payload.get(inner) or {}) == set(slacks.get(inner) or {}), (name, inner)


def test_a_shortcut_the_manifest_does_not_declare_is_not_in_slacks_menus(sb: Sandbox) -> None:
    sb.apply_manifest(
        {"features": {"shortcuts": [{"name": "Quote", "type": "message", "callback_id": "quote"}]}}
    )
    ts, _ = sb.post_as_user("U1", "C1", "anything")
    with pytest.raises(NotPossibleInSlack):
        sb.global_shortcut("U1", "quote")  # a message shortcut, not in the shortcuts menu
    with pytest.raises(NotPossibleInSlack):
        sb.message_shortcut("U1", "C1", ts, "start")


def test_shortcuts_over_socket_mode(sb: Sandbox) -> None:
    app = make_app(sb)
    handler = SocketModeHandler(app, sb.app_token)
    handler.connect()
    try:
        sb.wait_for_socket()
        ts, _ = sb.post_as_user("U1", "C1", "over the socket")
        used = sb.message_shortcut("U1", "C1", ts, "quote", via="socket")
        assert used.acked and used.via == "socket"
        sb.wait_for(lambda: [e for e in sb.ephemerals("U1", "C1") if e.text == "quoting over the socket"])
        assert sb.global_shortcut("U1", "start", via="socket").acked
        assert [b["type"] for b in app.seen[-2:]] == ["message_action", "shortcut"]  # type: ignore[attr-defined]
    finally:
        handler.close()


def test_partners_act_through_buttons_and_reactions_not_commands(sb: Sandbox, bolt: Any) -> None:
    assert sb.slash_command("U2", "C2", "/liaison", "help").payload["team_id"] == "T0PART"
    sb.commands_for_partners = False  # as observed where the app is installed on the home side only
    with pytest.raises(NotPossibleInSlack):
        sb.slash_command("U2", "C2", "/liaison", "help")
    ts = web_client(sb).chat_postMessage(channel="C2", text="card", blocks=card())["ts"]
    reacted = sb.react_as_user("U2", "C2", ts, "white_check_mark")
    assert reacted is not None and reacted.payload["event"]["item"] == {
        "type": "message",
        "channel": "C2",
        "ts": ts,
    }
    assert reacted.payload["team_id"] == sb.home_team_id and reacted.payload["is_ext_shared_channel"] is True
    # As in Slack's own examples, nothing in a reaction_added names the reacting person's team: Bolt leaves
    # the actor's team unknown, so the app must look the person up (users.info) before trusting them.
    assert extract_actor_team_id(reacted.payload) is None
    assert_shaped_like_slack("event:reaction_added", reacted.payload)
    assert web_client(sb).conversations_replies(channel="C2", ts=ts)["messages"][0]["reactions"] == [
        {"name": "white_check_mark", "users": ["U2"], "count": 1}
    ]
