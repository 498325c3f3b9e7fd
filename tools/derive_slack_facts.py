"""Derive the Slack facts Liaison relies on from Slack's own published material: `make facts`.

Slack's files (the per-method reference pages, the events list, the app manifest JSON Schema, payloads from
Slack's SDK tests, the field inventory of real payloads) live outside this repository, in the folder named
by LIAISON_SLACK_ORACLES (default: `shared/oracles` beside the repository). Nothing of them is kept here.
This script reads them and writes the few facts the stand-in and the tests need, in the project's own
compact form, to bot/sandbox/facts/:

- web_api.json: every Web API method name; for each method the bot calls or the stand-in serves, its
  required arguments, error codes, rate tier and bot scopes; on how many methods' pages each Slack-wide
  error is documented; the shape of a rate-limited answer.
- manifest.json: the manifest rules manifest.yml must satisfy (the JSON Schema's validation keywords for
  the sections an app like Liaison uses, nothing else), and the scopes each subscribed event needs.
- payloads.json: for each kind of request Slack sends, the fields it carries (in every example, or only in
  some), and the fields of Socket Mode's envelopes.

tests/test_slack_facts.py derives them again and compares, whenever Slack's folder is present (CI has it).
See docs/slack-facts.md.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from bot.manifest import BOT_EVENTS, BOT_METHODS
from bot.sandbox import reference
from bot.sandbox.manifest import DEFAULT_EVENTS
from bot.sandbox.methods import HANDLERS

ROOT = Path(__file__).resolve().parent.parent
ORACLES_VARIABLE = "LIAISON_SLACK_ORACLES"

JSON = dict[str, Any]

# The manifest sections an app like Liaison uses; the rest (workflow functions, datastores, hosted-app
# settings) stays out, so a key from there is refused here as a key Liaison has no business declaring.
MANIFEST_SECTIONS: dict[str, tuple[str, ...] | None] = {
    "display_information": None,  # None: the whole section
    "features": ("app_home", "bot_user", "shortcuts", "slash_commands", "unfurl_domains"),
    "oauth_config": None,
    "settings": (
        "allowed_ip_address_ranges",
        "event_subscriptions",
        "incoming_webhooks",
        "interactivity",
        "org_deploy_enabled",
        "socket_mode_enabled",
        "token_rotation_enabled",
    ),
}
# JSON Schema keywords that constrain a value; descriptions, titles, examples and notes are left behind.
VALIDATION_KEYWORDS = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minLength",
        "maxLength",
        "pattern",
        "enum",
        "const",
        "minimum",
        "maximum",
        "oneOf",
        "anyOf",
        "allOf",
        "not",
        "patternProperties",
        "propertyNames",
    }
)

INVENTORY = "field_inventory_java_sdk/requests"
# Payload files that are one request each, as Slack sent it.
WHOLE_PAYLOADS = (
    "global_shortcut",
    "message_shortcut",
    "function_block_actions",
    "function_view_submission",
    "function_executed_event",
)
# The field inventory blanks every value (even `type`), so each of its files is filed by its name.
INVENTORY_KINDS = {
    "AppHomeOpenedPayload": "event:app_home_opened",
    "AppMentionPayload": "event:app_mention",
    "BlockActionPayload": "block_actions",
    "ChannelSharedPayload": "event:channel_shared",
    "ChannelUnsharedPayload": "event:channel_unshared",
    "MemberJoinedChannelPayload": "event:member_joined_channel",
    "MessageChangedPayload": "event:message:message_changed",
    "MessagePayload": "event:message",
    "MessageRepliedPayload": "event:message:message_replied",
    "MessageThreadBroadcastPayload": "event:message:thread_broadcast",
    "SlashCommandPayload": "slash_command",
    "ViewClosedPayload": "view_closed",
    "ViewSubmissionPayload": "view_submission",
}


def oracles_folder() -> Path:
    """Where Slack's files are: LIAISON_SLACK_ORACLES, else `shared/oracles` beside the repository."""
    configured = os.environ.get(ORACLES_VARIABLE)
    return Path(configured) if configured else ROOT.parent / "shared" / "oracles"


def _read(folder: Path, name: str) -> Any:
    return json.loads((folder / name).read_text(encoding="utf-8"))


# ---- the Web API ---------------------------------------------------------------------------------------


def web_api(folder: Path) -> JSON:
    catalog = folder / "slack_docs_method_catalog" / "methods"
    names = sorted(entry["name"] for entry in _read(catalog, "methods.json"))
    methods: JSON = {}
    for name in sorted(set(HANDLERS) | set(BOT_METHODS)):
        page = _read(catalog, f"{name}.json")
        methods[name] = {
            "required": list((page.get("args") or {}).get("required") or []),
            "errors": sorted(page.get("errors") or {}),
            "rate_tier": page.get("rate_limits") or "",
            "bot_scopes": list((page.get("scope") or {}).get("bot") or []),
        }
    documented_on: dict[str, int] = dict.fromkeys(sorted(reference.SLACK_WIDE_ERRORS), 0)
    for page_path in sorted(catalog.glob("*.*.json")):
        for code in json.loads(page_path.read_text(encoding="utf-8")).get("errors") or {}:
            if code in documented_on:
                documented_on[code] += 1
    limited = _read(folder, "payloads/web_api_ratelimited_429.json")["response"]
    return {
        "method_names": names,
        "methods": methods,
        "slack_wide_errors_documented_on": documented_on,
        "rate_limited": {
            "status": limited["status"],
            "headers": sorted(limited["headers"]),
            "content_type": limited["headers"]["Content-Type"],
            "body": limited["body"],
        },
    }


# ---- the manifest --------------------------------------------------------------------------------------


def _rules(node: Any, definitions: JSON, seen: tuple[str, ...] = ()) -> Any:
    """A schema node with its $refs resolved and only its validation keywords kept."""
    if isinstance(node, list):
        return [_rules(item, definitions, seen) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            raise ValueError(f"the manifest schema refers to {name} inside itself")
        return _rules(definitions[name], definitions, (*seen, name))
    kept: JSON = {}
    for key, value in node.items():
        if key not in VALIDATION_KEYWORDS:
            continue
        if key in ("properties", "patternProperties"):
            kept[key] = {name: _rules(inner, definitions, seen) for name, inner in value.items()}
        else:
            kept[key] = _rules(value, definitions, seen)
    return kept


def manifest(folder: Path) -> JSON:
    schema = _read(folder, "manifest.schema.1.0.0.json")
    definitions = schema["definitions"]
    sections: JSON = {}
    for section, keep in MANIFEST_SECTIONS.items():
        rules = _rules(schema["properties"][section], definitions)
        if keep is not None:
            rules["properties"] = {k: v for k, v in rules["properties"].items() if k in keep}
        sections[section] = rules
    events = {e["name"]: e for e in _read(folder, "slack_docs_method_catalog/events.json")}
    wanted = sorted(set(BOT_EVENTS) | set(DEFAULT_EVENTS))
    return {
        "schema": {
            "$schema": schema["$schema"],
            "type": "object",
            "required": schema["required"],
            "additionalProperties": False,
            "properties": sections,
        },
        "event_scopes": {name: list(events[name]["scopes"]) for name in wanted},
    }


# ---- payloads ------------------------------------------------------------------------------------------


def examples(folder: Path, name: str) -> Iterator[JSON]:
    """Every complete example in one of the payload files, whatever its layout."""
    data = _read(folder, f"payloads/{name}.json")
    for example in data.get("examples", []):
        if "payload" in example:
            yield example["payload"]
        yield from example.get("payloads", [])
        if "fields" in example:
            yield example["fields"]
    for case in data.get("cases", []):
        yield case["payload"]
    for envelope in data.get("envelopes", []):
        if isinstance(envelope.get("payload"), dict):
            yield envelope["payload"]


def _all_requests(folder: Path) -> list[JSON]:
    payload_files = ("slash_command", "block_actions", "view_submission", "app_home_opened")
    events = ("message_event", "message_event_thread", "message_event_external_user")
    found = [p for name in (*payload_files, *events) for p in examples(folder, name)]
    found += list(examples(folder, "slack_connect_events_with_expected_ids"))
    found += list(examples(folder, "socket_mode_envelopes"))
    found += [_read(folder, f"payloads/{name}.json") for name in WHOLE_PAYLOADS]
    return found


def kind_of(payload: JSON) -> str | None:
    """The kind a request is filed under in payloads.json: its type, or for events `event:` and the
    event's type (and subtype: a message_changed has little in common with a message)."""
    if payload.get("type") == "event_callback":
        event = payload.get("event")
        if not isinstance(event, dict):
            return None
        subtype = [event["subtype"]] if "subtype" in event else []
        return ":".join(["event", str(event.get("type")), *subtype])
    if "command" in payload and "user_id" in payload:
        return "slash_command"
    kind = payload.get("type")
    return kind if isinstance(kind, str) else None


def _inventory(folder: Path) -> Iterator[tuple[str, JSON]]:
    """The field inventory of real requests, filed by kind: every field seen, but not together."""
    for path in sorted((folder / INVENTORY).glob("*.json")):
        if path.stem not in INVENTORY_KINDS:
            raise ValueError(f"{path.name} is new in the field inventory: file it in INVENTORY_KINDS")
        yield INVENTORY_KINDS[path.stem], json.loads(path.read_text(encoding="utf-8"))


def _fields(examples: list[JSON], seen_elsewhere: Iterable[JSON]) -> dict[str, str]:
    paths = [reference.field_paths(example) for example in examples]
    always = set.intersection(*paths) if paths else set()
    sometimes = set().union(*paths, *(reference.field_paths(p) for p in seen_elsewhere)) - always
    return {path: "always" for path in always} | {path: "sometimes" for path in sometimes}


def _envelope_and_event(examples: dict[str, list[JSON]], seen: dict[str, list[JSON]]) -> None:
    """Events: the envelope is the same whatever the event, so its fields are filed once, under
    `event_callback`, from every event; each `event:...` kind keeps only its `event.` fields."""
    kinds = sorted(k for k in set(examples) | set(seen) if k.startswith("event:"))
    examples["event_callback"] = [e for kind in kinds for e in examples.get(kind, [])]
    seen["event_callback"] = [e for kind in kinds for e in seen.get(kind, [])]


# Objects that are the same wherever a request carries them, by where they sit in each request.
SHARED_OBJECTS = {"view": ("view", "event.view"), "message": ("message", "event.message")}


def _pool_objects(fields: dict[str, dict[str, str]]) -> None:
    """A view or a message is one object wherever it comes (a submission, a closed modal, a click; an
    edited message, a clicked one), and Slack's complete examples show all its fields only in some: what
    any of them shows, the others may carry too."""
    for places in SHARED_OBJECTS.values():
        inner: set[str] = set()
        for found in fields.values():
            for place in places:
                inner |= {path[len(place) :] for path in found if path.startswith(place + ".")}
        for found in fields.values():
            for place in (place for place in places if place in found):
                for suffix in inner:
                    path = place + suffix
                    if path.count(".") < reference.FIELD_DEPTH and path not in found:
                        found[path] = "sometimes"


def payloads(folder: Path) -> JSON:
    examples: dict[str, list[JSON]] = {}
    for payload in _all_requests(folder):
        kind = kind_of(payload)
        if kind is not None:
            examples.setdefault(kind, []).append(payload)
    seen: dict[str, list[JSON]] = {}
    for kind, sample in _inventory(folder):
        seen.setdefault(kind, []).append(sample)
    _envelope_and_event(examples, seen)
    fields: dict[str, dict[str, str]] = {}
    for kind in sorted(set(examples) | set(seen)):
        found = _fields(examples.get(kind, []), seen.get(kind, []))
        if kind.startswith("event:"):
            found = {path: how for path, how in found.items() if path.startswith("event.")}
        elif kind == "event_callback":
            found = {path: how for path, how in found.items() if not path.startswith("event.")}
        fields[kind] = found
    _pool_objects(fields)
    envelopes = _read(folder, "payloads/socket_mode_envelopes.json")["envelopes"]
    socket: dict[str, list[JSON]] = {}
    for envelope in envelopes:
        socket.setdefault(envelope["type"], []).append({k: v for k, v in envelope.items() if k != "payload"})
    return {
        "requests": {
            kind: {"examples": len(examples.get(kind, [])), "fields": dict(sorted(found.items()))}
            for kind, found in fields.items()
        },
        "socket_mode_envelopes": {
            kind: dict(sorted(_fields(found, []).items())) for kind, found in sorted(socket.items())
        },
    }


# ---- writing -------------------------------------------------------------------------------------------

ABOUT = (
    "Derived from Slack's published reference by tools/derive_slack_facts.py (`make facts`); do not edit "
    "by hand. What each entry means: docs/slack-facts.md."
)
DERIVED = {"web_api.json": web_api, "manifest.json": manifest, "payloads.json": payloads}


def derive(folder: Path) -> dict[str, str]:
    """The text of each facts file, as `make facts` writes it."""
    return {
        name: json.dumps({"about": ABOUT, **build(folder)}, indent=1, ensure_ascii=False) + "\n"
        for name, build in DERIVED.items()
    }


def main() -> int:
    folder = oracles_folder()
    if not folder.is_dir():
        print(
            f"derive_slack_facts: Slack's files are not at {folder}; set {ORACLES_VARIABLE} to the folder",
            file=sys.stderr,
        )
        return 2
    for name, text in derive(folder).items():
        target = reference.FACTS_DIR / name
        changed = not target.is_file() or target.read_text(encoding="utf-8") != text
        target.write_text(text, encoding="utf-8")
        print(f"{'updated' if changed else 'unchanged'}: {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
