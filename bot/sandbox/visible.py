"""What a person reads of a message or a view, as one string, for assertions in tests.

The message `text` is included even when blocks are present: Slack shows it in notifications and search,
so a confidentiality assertion ("the case number is not visible") must cover it too. Slack markup such as
`<@U123>` or `<!date^...|fallback>` is left as sent, which contains both the IDs and the fallbacks.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .workspace import Ephemeral, Message, View


def _text_of(obj: Any) -> Iterable[str]:
    if isinstance(obj, dict) and isinstance(obj.get("text"), str):
        yield obj["text"]


def _element_texts(element: Any) -> Iterable[str]:
    """Labels a person sees on an element (button text, placeholder, chosen or offered options)."""
    if not isinstance(element, dict):
        return
    if element.get("type") in ("plain_text", "mrkdwn"):
        yield from _text_of(element)
        return
    yield from _text_of(element.get("text"))
    yield from _text_of(element.get("placeholder"))
    if isinstance(element.get("initial_value"), str):
        yield element["initial_value"]
    if element.get("type") in ("checkboxes", "radio_buttons"):  # their options are always on screen
        for option in element.get("options") or []:
            yield from _text_of(option.get("text"))
            yield from _text_of(option.get("description"))
    else:
        yield from _text_of((element.get("initial_option") or {}).get("text"))
        for option in element.get("initial_options") or []:
            yield from _text_of(option.get("text"))


def _rich_text(elements: Any) -> Iterable[str]:
    for element in elements or []:
        if not isinstance(element, dict):
            continue
        if isinstance(element.get("text"), str):
            yield element["text"]
        elif element.get("type") == "link" and isinstance(element.get("url"), str):
            yield element["url"]
        yield from _rich_text(element.get("elements"))


def block_texts(blocks: Iterable[Any]) -> Iterable[str]:
    for block in blocks:
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "rich_text":
            yield "".join(_rich_text(block.get("elements")))
        elif kind == "markdown" and isinstance(block.get("text"), str):
            yield block["text"]
        elif kind == "input":
            yield from _text_of(block.get("label"))
            yield from _element_texts(block.get("element"))
            yield from _text_of(block.get("hint"))
        elif kind == "image":
            yield from _text_of(block.get("title"))
        else:
            yield from _text_of(block.get("text"))
            for item in block.get("fields") or []:
                yield from _text_of(item)
            yield from _element_texts(block.get("accessory"))
            for element in block.get("elements") or []:
                yield from _element_texts(element)


def visible_text(item: Message | Ephemeral | View | dict[str, Any] | list[Any]) -> str:
    """Everything a person would read of a message, an ephemeral, a view, or a list of blocks."""
    parts: list[str] = []
    if isinstance(item, View):
        for key in ("title", "close", "submit"):
            parts.extend(_text_of(item.spec.get(key)))
        parts.extend(item.errors.values())
        parts.extend(block_texts(item.blocks))
    elif isinstance(item, Message | Ephemeral):
        parts.append(item.text)
        parts.extend(block_texts(item.blocks or []))
    elif isinstance(item, list):
        parts.extend(block_texts(item))
    else:
        if isinstance(item.get("text"), str):
            parts.append(item["text"])
        for key in ("title", "close", "submit"):
            parts.extend(_text_of(item.get(key)))
        parts.extend(block_texts(item.get("blocks") or []))
    return "\n".join(part for part in parts if part)
