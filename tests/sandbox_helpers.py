"""Helpers for tests/test_sandbox.py: a small real Bolt app served over HTTP, and the shape check of the
stand-in's requests against the facts derived from Slack's own payloads.

The app is deliberately tiny and written here (not the project's bot, which another engineer is writing):
it exists to prove the stand-in against slack_bolt and slack_sdk themselves.
"""

from __future__ import annotations

import ast
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.sandbox import Sandbox, reference


def assert_shaped_like_slack(kind: str, payload: dict[str, Any], varies: tuple[str, ...] = ()) -> None:
    """The stand-in's request of this kind (`block_actions`, `event:message`, ...) has every field Slack's
    requests of the kind always have, and no field none of them has (bot/sandbox/facts/payloads.json).
    `varies`: objects whose fields depend on what they are (a message shortcut's `message`: Slack's one
    example is a bot's edited message with an attachment), whose fields are only checked to be Slack's."""
    kinds = ["event_callback", kind] if kind.startswith("event:") else [kind]
    fields: dict[str, str] = {}
    for name in kinds:
        fields |= reference.request_fields(name)
    sent = reference.field_paths(payload)
    never = sorted(sent - set(fields))
    missing = sorted(
        path
        for path, how in fields.items()
        if how == "always" and path not in sent and not path.startswith(tuple(f"{v}." for v in varies))
    )
    assert never == [], f"the stand-in's {kind} has fields Slack's never have: {never}"
    assert missing == [], f"the stand-in's {kind} lacks fields Slack's always have: {missing}"


def socket_envelope_fields(kind: str) -> set[str]:
    """The fields of a Socket Mode envelope of this type (events_api, slash_commands, interactive)."""
    return set(reference.facts("payloads")["socket_mode_envelopes"][kind])


class _BoltHandler(BaseHTTPRequestHandler):
    server: BoltHttpServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.server.requests.append(headers)
        response = self.server.app.dispatch(BoltRequest(body=raw, headers=headers))
        body = response.body.encode("utf-8")
        self.send_response(response.status)
        for name, values in response.headers.items():
            for value in values:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class BoltHttpServer(ThreadingHTTPServer):
    """Serves a Bolt App's dispatch over HTTP on 127.0.0.1, as uvicorn and Bolt's adapter do in production."""

    daemon_threads = True

    def __init__(self, app: App) -> None:
        super().__init__(("127.0.0.1", 0), _BoltHandler)
        self.app = app
        self.requests: list[dict[str, str]] = []  # the headers of every request, for retry-header checks
        self._thread = threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/slack/events"

    def __enter__(self) -> BoltHttpServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


def web_client(sb: Sandbox, token: str | None = None, retry: bool = True) -> WebClient:
    handlers = [RateLimitErrorRetryHandler(max_retry_count=1)] if retry else []
    return WebClient(token=token or sb.bot_token, base_url=sb.api_url, retry_handlers=handlers)


def modal(callback_id: str = "intake", **extra: Any) -> dict[str, Any]:
    """A modal with a required text input, an optional select and a required user select."""
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": {"type": "plain_text", "text": "New referral"},
        "submit": {"type": "plain_text", "text": "Send"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": "C1",
        "blocks": [
            {
                "type": "input",
                "block_id": "summary",
                "label": {"type": "plain_text", "text": "Summary"},
                "element": {"type": "plain_text_input", "action_id": "text"},
            },
            {
                "type": "input",
                "block_id": "kind",
                "optional": True,
                "label": {"type": "plain_text", "text": "Kind"},
                "element": {
                    "type": "static_select",
                    "action_id": "choice",
                    "options": [
                        {"text": {"type": "plain_text", "text": "Housing"}, "value": "housing"},
                        {"text": {"type": "plain_text", "text": "Immigration"}, "value": "immigration"},
                    ],
                },
            },
            {
                "type": "input",
                "block_id": "owner",
                "label": {"type": "plain_text", "text": "Owner"},
                "element": {"type": "users_select", "action_id": "who"},
            },
            {
                "type": "input",
                "block_id": "due",
                "optional": True,
                "label": {"type": "plain_text", "text": "Due"},
                "element": {"type": "datepicker", "action_id": "date"},
            },
        ],
        **extra,
    }


def card(text: str = "Referral R-1") -> list[dict[str, Any]]:
    """A message card with an Accept button, fields and a context line."""
    return [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": f"*{text}*"},
            "fields": [{"type": "mrkdwn", "text": "*Due:* Friday"}],
        },
        {
            "type": "actions",
            "block_id": "act",
            "elements": [
                {
                    "type": "button",
                    "action_id": "accept",
                    "text": {"type": "plain_text", "text": "Accept"},
                    "value": "R-1",
                }
            ],
        },
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "asked by the defender office"}]},
    ]


def make_app(sb: Sandbox) -> App:
    """A small Bolt app exercising commands, modals, buttons, respond() and events against the stand-in."""
    app = App(signing_secret=sb.signing_secret, client=web_client(sb))
    app.seen = []  # type: ignore[attr-defined]  # every payload the listeners received

    @app.command("/liaison")
    def command(ack: Any, body: dict[str, Any], client: WebClient, respond: Any) -> None:
        app.seen.append(body)  # type: ignore[attr-defined]
        text = body.get("text", "")
        if text == "new":
            ack()
            client.views_open(trigger_id=body["trigger_id"], view=modal())
        elif text == "later":
            ack()
            respond("done later")
        elif text == "public":
            ack(response_type="in_channel", text="for everyone")
        else:
            ack(f"help for <@{body['user_id']}>")

    @app.view("intake")
    def submitted(ack: Any, view: dict[str, Any], body: dict[str, Any]) -> None:
        app.seen.append(body)  # type: ignore[attr-defined]
        summary = view["state"]["values"]["summary"]["text"]["value"]
        if len(summary) < 5:
            ack(response_action="errors", errors={"summary": "Say a little more"})
        else:
            ack()

    @app.action("accept")
    def accepted(ack: Any, body: dict[str, Any], client: WebClient, respond: Any) -> None:
        ack()
        app.seen.append(body)  # type: ignore[attr-defined]
        if body["container"].get("is_ephemeral"):
            respond(replace_original=True, text="accepted (ephemeral)")
        else:
            client.chat_update(
                channel=body["channel"]["id"],
                ts=body["message"]["ts"],
                text="Accepted",
                blocks=card("Accepted by " + body["user"]["id"]),
            )

    @app.event("message")
    def message(event: dict[str, Any], body: dict[str, Any], context: Any) -> None:
        app.seen.append(body)  # type: ignore[attr-defined]
        app.actor_team_ids = [*getattr(app, "actor_team_ids", []), context.actor_team_id]  # type: ignore

    @app.event("app_mention")
    def mention(body: dict[str, Any]) -> None:
        app.seen.append(body)  # type: ignore[attr-defined]

    @app.message_shortcut("quote")
    def quoted(ack: Any, body: dict[str, Any], client: WebClient, respond: Any) -> None:
        """A message shortcut: a form opened with its trigger_id, and an answer through its response_url."""
        ack()
        app.seen.append(body)  # type: ignore[attr-defined]
        client.views_open(trigger_id=body["trigger_id"], view=modal())
        respond(f"quoting {body['message']['text']}")

    @app.global_shortcut("start")
    def started(ack: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        app.seen.append(body)  # type: ignore[attr-defined]
        client.views_open(trigger_id=body["trigger_id"], view=modal())

    return app


# ---- reading the stand-in's source for the error codes it can answer ---------------------------------


def functions_in(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    """Every function of a module by name (methods included), for the error-code check."""
    return {node.name: node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def api_errors_in(node: ast.AST) -> tuple[set[str], list[ast.Call]]:
    """Literal codes of ApiError(...) calls directly in `node`, and the non-literal ones."""
    literal: set[str] = set()
    dynamic: list[ast.Call] = []
    for call in ast.walk(node):
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "ApiError":
            first = call.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                literal.add(first.value)
            else:
                dynamic.append(call)
    return literal, dynamic


def callees_in(node: ast.AST, names: set[str]) -> set[str]:
    found = set()
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            func = call.func
            name = (
                func.attr
                if isinstance(func, ast.Attribute)
                else func.id
                if isinstance(func, ast.Name)
                else ""
            )
            if name in names:
                found.add(name)
    return found


def reachable_codes(functions: dict[str, ast.FunctionDef], start: str) -> set[str]:
    """The literal ApiError codes `start` can raise itself or through the functions it calls."""
    seen, todo, codes = set(), [start], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        codes |= api_errors_in(functions[name])[0]
        todo.extend(callees_in(functions[name], set(functions)) - seen)
    return codes
