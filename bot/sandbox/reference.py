"""Slack's own method reference, read from the vendored catalog in `catalog/`.

The stand-in takes required arguments, documented error codes, HTTP verbs and rate tiers from these files
rather than from our memory of Slack, so a test that passes here passes against what Slack documents.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CATALOG_DIR = Path(__file__).with_name("catalog")

# Errors every Slack method can answer although most per-method pages leave them out: the method pages
# document them only here and there (invalid_auth and internal_error on 54 methods, unknown_method and
# invalid_arguments on 31, missing_scope on 32, ratelimited on 11, not_authed and not_allowed_token_type
# on 2 each in Slack's full catalog). tests/test_sandbox.py checks that each one really is documented.
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
    http_method: str
    rate_tier: str
    required: tuple[str, ...]
    errors: frozenset[str]
    bot_scopes: tuple[str, ...]  # any one may be needed, depending on the conversation's type


@cache
def method_names() -> frozenset[str]:
    """Every Web API method Slack lists (catalog/methods.json)."""
    entries = json.loads((CATALOG_DIR / "methods.json").read_text(encoding="utf-8"))
    return frozenset(entry["name"] for entry in entries)


@cache
def method_doc(name: str) -> MethodDoc | None:
    """The reference page of one method, or None where the catalog has no page for it."""
    path = CATALOG_DIR / f"{name}.json"
    if name not in method_names() or not path.is_file():
        return None
    page = json.loads(path.read_text(encoding="utf-8"))
    return MethodDoc(
        name=name,
        http_method=page.get("http_method", "POST"),
        rate_tier=page.get("rate_limits", ""),
        required=tuple(page.get("args", {}).get("required", [])),
        errors=frozenset(page.get("errors") or {}),
        bot_scopes=tuple((page.get("scope") or {}).get("bot") or ()),
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
