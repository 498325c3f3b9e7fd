"""Block Kit rendering of what commands return. Kept within Slack's limits (see slack-facts.md)."""

from __future__ import annotations

from typing import Any

from commands.cards import Button, Card, Home, Image
from commands.forms import Field as FormField
from commands.forms import FieldKind, Form
from commands.grammar import without_nul
from commands.invocation import Reply
from storage.wording import spelled

SECTION_TEXT_LIMIT = 3000
MESSAGE_TEXT_LIMIT = 4000
MESSAGE_BLOCK_LIMIT = 50
HOME_BLOCK_LIMIT = 100
ACTIONS_LIMIT = 25  # elements in one actions block
NOTIFICATION_LIMIT = 300
HEADER_TEXT_LIMIT = 150
FIELD_LIMIT = 10
FIELD_TEXT_LIMIT = 2000  # a section field's text
IMAGE_ALT_LIMIT = 2000  # an image block's alt_text
IMAGE_TITLE_LIMIT = 2000


def ephemeral(reply: Reply) -> dict[str, Any]:
    """Keyword arguments for respond()/chat.postEphemeral showing `reply` to one person."""
    return {"response_type": "ephemeral", "replace_original": False, **message(reply.text, reply.buttons)}


def in_ack(text: str) -> dict[str, Any]:
    """Keyword arguments for a command's ack() answering privately at once (help, a usage error)."""
    return {"response_type": "ephemeral", **message(text)}


def message(text: str, buttons: tuple[Button, ...] = (), images: tuple[Image, ...] = ()) -> dict[str, Any]:
    """`text` as mrkdwn sections, split at line breaks so no section passes Slack's 3,000 characters, with
    `images` and then `buttons` under them."""
    text = slack_words(text)
    blocks: list[dict[str, Any]] = [{"type": "section", "text": _mrkdwn(chunk)} for chunk in _chunks(text)]
    blocks = blocks[: MESSAGE_BLOCK_LIMIT - len(images) - (1 if buttons else 0)]
    blocks += [_image(image) for image in images]
    if buttons:
        blocks.append({"type": "actions", "elements": [_button(b) for b in buttons[:ACTIONS_LIMIT]]})
    # The text is what notifications show: the first line, not the whole answer again.
    return {"text": _shorten(text.split("\n", 1)[0], NOTIFICATION_LIMIT), "blocks": blocks}


# Slack also refuses a message whose blocks hold too much text in all (`msg_blocks_too_long`, seen near
# 13,000 characters though undocumented): a long message is split well below it.
MESSAGE_TEXT_BUDGET = 12_000


def messages(
    text: str, buttons: tuple[Button, ...] = (), images: tuple[Image, ...] = ()
) -> list[dict[str, Any]]:
    """Like `message`, but nothing cut: text longer than one message takes (50 blocks, or about 12,000
    characters: a report of 650 partners) goes as several messages, in order, with `images` and `buttons`
    under the last."""
    said = slack_words(text)
    sections: list[dict[str, Any]] = [{"type": "section", "text": _mrkdwn(chunk)} for chunk in _chunks(said)]
    parts: list[list[dict[str, Any]]] = [[]]
    size = 0
    for section in sections:
        length = len(section["text"]["text"])
        if parts[-1] and (len(parts[-1]) == MESSAGE_BLOCK_LIMIT or size + length > MESSAGE_TEXT_BUDGET):
            parts.append([])
            size = 0
        parts[-1].append(section)
        size += length
    tail = [_image(image) for image in images]
    if buttons:
        tail.append({"type": "actions", "elements": [_button(b) for b in buttons[:ACTIONS_LIMIT]]})
    if len(parts[-1]) + len(tail) > MESSAGE_BLOCK_LIMIT:
        parts.append([])
    parts[-1] += tail
    first = _shorten(said.split("\n", 1)[0], NOTIFICATION_LIMIT - 30)
    return [
        {"text": first if len(parts) == 1 else f"{first} ({n} of {len(parts)})", "blocks": blocks}
        for n, blocks in enumerate(parts, start=1)
    ]


def _image(image: Image) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "image",
        "slack_file": {"id": image.file_id},
        "alt_text": _shorten(image.alt_text, IMAGE_ALT_LIMIT),
    }
    if image.title:
        block["title"] = {"type": "plain_text", "text": _shorten(image.title, IMAGE_TITLE_LIMIT)}
    return block


def _chunks(text: str) -> list[str]:
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        for piece in _pieces(line):
            candidate = f"{current}\n{piece}" if current else piece
            if len(candidate) > SECTION_TEXT_LIMIT:
                chunks.append(current)
                candidate = piece
            current = candidate
    if current.strip():
        chunks.append(current)
    return [chunk for chunk in chunks if chunk.strip()] or [" "]


def _pieces(line: str) -> list[str]:
    # A single line longer than a section is cut at the limit rather than refused by Slack.
    return [line[i : i + SECTION_TEXT_LIMIT] for i in range(0, len(line), SECTION_TEXT_LIMIT)] or [""]


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def card(item: Card) -> dict[str, Any]:
    """Keyword arguments for chat.postMessage / chat.update showing an item's card."""
    fields = [
        _mrkdwn(_shorten(f"*{label}*\n{value}", FIELD_TEXT_LIMIT))
        for label, value in item.fields[:FIELD_LIMIT]
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _shorten(item.title, HEADER_TEXT_LIMIT)}},
        *({"type": "section", "text": _mrkdwn(_shorten(w, SECTION_TEXT_LIMIT))} for w in item.warnings),
        {"type": "section", "fields": fields},
    ]
    if item.body:
        blocks.append({"type": "section", "text": _mrkdwn(_shorten(item.body, SECTION_TEXT_LIMIT))})
    if item.buttons:
        blocks.append(
            {"type": "actions", "block_id": "next_steps", "elements": [_button(b) for b in item.buttons]}
        )
    if item.notes:
        blocks.append({"type": "context", "elements": [_mrkdwn(note) for note in item.notes]})
    drawn: dict[str, Any] = {"text": _shorten(item.fallback, MESSAGE_TEXT_LIMIT), "blocks": blocks}
    if item.ref:
        drawn["metadata"] = card_metadata(item)
    return drawn


CARD_EVENT = "liaison_item"  # the event_type of a card's message metadata


def card_metadata(item: Card) -> dict[str, Any]:
    """What names the item in its card's message, so a card whose post Liaison never heard back about can
    be found again (conversations.history with include_all_metadata). Only its ID and a stamp of letters
    (no digits: nothing a reader, or the guard, could take for a date or a number about a client), since
    every app and person in the workspace can read message metadata."""
    return {"event_type": CARD_EVENT, "event_payload": {"ref": item.ref, "stamp": item.stamp}}


def is_card_of(message: dict[str, Any], item: Card) -> bool:
    """Whether a message (as conversations.history gives it, with its metadata) is this item's card."""
    metadata = message.get("metadata")
    return (
        isinstance(metadata, dict)
        and metadata.get("event_type") == CARD_EVENT
        and metadata.get("event_payload") == card_metadata(item)["event_payload"]
    )


def _button(button: Button) -> dict[str, Any]:
    rendered: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": _shorten(button.label, 75)},
        "action_id": button.action_id,
        "value": button.value,
    }
    if button.style:
        rendered["style"] = button.style
    return rendered


def _mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": slack_words(text)}


def slack_words(text: str) -> str:
    """The commands and people the domain's messages name (storage/wording.py), as Slack writes them."""
    return spelled(text, lambda words: f"`/{words}`", lambda user_id: f"<@{user_id}>")


def home(view: Home) -> dict[str, Any]:
    """A Home tab for views.publish: the buttons first, then each section (cut to Slack's limits)."""
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": "Liaison"}}]
    if view.buttons:
        blocks.append({"type": "actions", "elements": [_button(b) for b in view.buttons[:ACTIONS_LIMIT]]})
    blocks += [_image(image) for image in view.images]
    for section in view.sections:
        blocks += [{"type": "section", "text": _mrkdwn(chunk)} for chunk in _chunks(section)]
    return {"type": "home", "blocks": blocks[:HOME_BLOCK_LIMIT]}


def form(spec: Form) -> dict[str, Any]:
    """A modal for views.open."""
    blocks = [_input(f.fitted()) for f in spec.fields]
    if spec.notes:
        blocks.append({"type": "context", "elements": [_mrkdwn(note) for note in spec.notes]})
    return {
        "type": "modal",
        "callback_id": spec.callback_id,
        "private_metadata": spec.metadata,
        "title": {"type": "plain_text", "text": _shorten(spec.title, 24)},
        "submit": {"type": "plain_text", "text": _shorten(spec.submit, 24)},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def _input(spec: FormField) -> dict[str, Any]:
    element: dict[str, Any]
    if spec.kind == FieldKind.choice:
        options = [_option(c.value, c.label) for c in spec.choices[:100]]
        element = {"type": "static_select", "action_id": "value", "options": options}
        chosen = [o for o in options if o["value"] == spec.value]
        if chosen:
            element["initial_option"] = chosen[0]
    elif spec.kind == FieldKind.channel:
        element = {
            "type": "conversations_select",
            "action_id": "value",
            "filter": {"include": ["public", "private"], "exclude_bot_users": True},
        }
    elif spec.kind == FieldKind.people:
        element = {"type": "multi_users_select", "action_id": "value"}
        if spec.values:
            element["initial_users"] = list(spec.values)
    elif spec.kind == FieldKind.checkbox:
        # The label says what is confirmed (an option's text is cut at 75 characters); the box says yes.
        element = {"type": "checkboxes", "action_id": "value", "options": [_option("yes", "Yes")]}
        if spec.value == "yes":  # ticked already on the command line (dnc:yes)
            element["initial_options"] = [_option("yes", "Yes")]
    else:
        element = {
            "type": "plain_text_input",
            "action_id": "value",
            "multiline": spec.kind == FieldKind.long_text,
        }
        if spec.value:
            element["initial_value"] = spec.value
        if spec.limit:
            element["max_length"] = spec.limit
    block: dict[str, Any] = {
        "type": "input",
        "block_id": spec.key,
        "optional": spec.optional,
        "label": {
            "type": "plain_text",
            "text": _shorten(spec.label, 2000),
        },
        "element": element,
    }
    if spec.hint:
        block["hint"] = {"type": "plain_text", "text": _shorten(spec.hint, 2000)}
    return block


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": _shorten(label, 75)}, "value": value[:150]}


def submitted(values: dict[str, Any]) -> dict[str, str | bool | list[str] | None]:
    """A submission's state.values as {field key: text, chosen value, checked, or the people chosen}."""
    found: dict[str, str | bool | list[str] | None] = {}
    for key, actions in values.items():
        state = actions.get("value", {})
        if state.get("type") == "checkboxes":
            found[key] = bool(state.get("selected_options"))
        elif state.get("type") == "conversations_select":
            found[key] = state.get("selected_conversation")
        elif state.get("type") == "multi_users_select":
            found[key] = [str(u) for u in state.get("selected_users") or []]
        elif state.get("type") == "static_select":
            found[key] = (state.get("selected_option") or {}).get("value")
        else:
            found[key] = without_nul(state.get("value") or "").strip() or None
    return found
