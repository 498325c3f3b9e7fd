"""What Slack documents, as the stand-in and the tests use it: read from `facts/`, the compact files
tools/derive_slack_facts.py derives from Slack's own method reference, manifest schema and payloads.

The stand-in takes required arguments, documented error codes and rate tiers from there rather than from
our memory of Slack, so a test that passes here passes against what Slack documents. docs/slack-facts.md
says what each file holds and how it is checked against Slack's originals.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

FACTS_DIR = Path(__file__).with_name("facts")

# Errors every Slack method can answer although most per-method pages leave them out: the method pages
# document them only here and there (facts/web_api.json counts on how many); tests/test_sandbox.py checks
# that each one is documented on several.
SLACK_WIDE_ERRORS: frozenset[str] = frozenset(
    {
        "not_authed",
        "invalid_auth",
        "not_allowed_token_type",
        "missing_scope",
        "unknown_method",
        "invalid_arguments",
        "ratelimited",
        "internal_error",
    }
)

# An error Slack answers for a method whose page omits it, with the sibling page that documents it.
# chat.postMessage: Slack staff confirm msg_too_long for text over 4,000 characters (seratch on
# seratch/ChatGPT-in-Slack#102, 2024); chat.update's page states the same 4,000 limit with that code.
BORROWED_ERRORS: dict[tuple[str, str], str] = {("chat.postMessage", "msg_too_long"): "chat.update"}

# The stand-in's own loud answer for a real Slack method it does not serve (HTTP 501), so a test that
# reaches one fails instead of passing against a guess. It is not a Slack error code.
NOT_SERVED_ERROR = "not_implemented_in_sandbox"

TIER_PER_MINUTE: dict[str, int] = {"t1": 1, "t2": 20, "t3": 50, "t4": 100}


@dataclass(frozen=True)
class MethodDoc:
    """What Slack's reference page says about one method."""

    name: str
    rate_tier: str
    required: tuple[str, ...]
    errors: frozenset[str]
    bot_scopes: tuple[str, ...]  # any one may be needed, depending on the conversation's type


@cache
def facts(name: str) -> dict[str, Any]:
    """One of the facts files (web_api, manifest, payloads)."""
    data: dict[str, Any] = json.loads((FACTS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return data


@cache
def method_names() -> frozenset[str]:
    """Every Web API method Slack lists."""
    return frozenset(facts("web_api")["method_names"])


@cache
def method_doc(name: str) -> MethodDoc | None:
    """What Slack documents about one method, or None where the facts do not cover it."""
    page = facts("web_api")["methods"].get(name)
    if page is None:
        return None
    return MethodDoc(
        name=name,
        rate_tier=page["rate_tier"],
        required=tuple(page["required"]),
        errors=frozenset(page["errors"]),
        bot_scopes=tuple(page["bot_scopes"]),
    )


def is_documented(method: str, error: str) -> bool:
    """Whether Slack documents `error` as an answer of `method` (its own page, Slack-wide, or borrowed)."""
    if error in SLACK_WIDE_ERRORS:
        return True
    doc = method_doc(method)
    if doc is not None and error in doc.errors:
        return True
    sibling = BORROWED_ERRORS.get((method, error))
    sibling_doc = method_doc(sibling) if sibling else None
    return sibling_doc is not None and error in sibling_doc.errors


# Fields whose contents are the app's own or open-ended (blocks, form values keyed by block_id, files,
# whole messages quoted inside another): their inside is not part of a request's shape.
OPAQUE_FIELDS = frozenset(
    {
        "blocks",
        "attachments",
        "files",
        "file",
        "comment",
        "room",
        "root",
        "previous_message",
        "values",
        "inputs",
        "bot_profile",
        "icons",
        "function",
        "app_unfurl",
    }
)
FIELD_DEPTH = 3


def field_paths(payload: Any, prefix: str = "", depth: int = FIELD_DEPTH) -> set[str]:
    """The dotted paths of a request's fields (`user.team_id`, `actions[].action_id`), to compare a
    request's shape with Slack's: lists are `[]` with their items' fields merged."""
    paths: set[str] = set()
    if isinstance(payload, list):
        for item in payload:
            paths |= field_paths(item, prefix + "[]", depth)
        return paths
    if not isinstance(payload, dict) or depth == 0:
        return paths
    for key, value in payload.items():
        path = f"{prefix}.{key}" if prefix else key
        paths.add(path)
        if key not in OPAQUE_FIELDS:
            paths |= field_paths(value, path, depth - 1)
    return paths


def request_fields(kind: str) -> dict[str, str]:
    """The fields Slack's requests of one kind carry: path -> "always" (in every example Slack gives) or
    "sometimes". Kinds: "slash_command", "block_actions", "view_submission", "event:message", ..."""
    fields: dict[str, str] = facts("payloads")["requests"][kind]["fields"]
    return fields
