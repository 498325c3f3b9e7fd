"""Block Kit limits, checked as Slack checks them before it accepts a message or a view.

Each problem is phrased like the entries of Slack's `response_metadata.messages`, e.g.
"[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]", so a failing test points
at the offending field. The limits are those slack-facts.md lists (as slack_sdk's validators enforce them).
"""

from __future__ import annotations

from typing import Any

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
MESSAGE_TEXT = 4_000  # chat.* `text`: over this Slack answers msg_too_long
SECTION_TEXT = 3_000
SECTION_FIELDS = 10
SECTION_FIELD_TEXT = 2_000
HEADER_TEXT = 150
BUTTON_TEXT = 75
BUTTON_VALUE = 2_000
OPTION_TEXT = 75
OPTION_VALUE = 150
SELECT_OPTIONS = 100
ID_LENGTH = 255  # action_id and block_id
VIEW_TEXT = 24  # view title, submit and close
PRIVATE_METADATA = 3_000
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
MARKDOWN_TEXT = 12_000
OVERFLOW_OPTIONS = 5
CHOICE_OPTIONS = 10  # checkboxes and radio buttons
PLACEHOLDER = 150
LABEL = 2_000
URL = 3_000
# plain_text_input: min_length 0 to 3,000 and max_length 1 to 3,000 (its reference page). The page gives
# initial_value no limit of its own; the stand-in refuses one longer than the input takes, which Slack's
# client would show and then refuse to submit, an error its person did not cause.
TEXT_INPUT = 3_000

BLOCK_TYPES = frozenset(
    {
        "actions",
        "context",
        "divider",
        "file",
        "header",
        "image",
        "input",
        "markdown",
        "rich_text",
        "section",
        "video",
        "table",
    }
)
SELECT_TYPES = frozenset(
    {
        "static_select",
        "multi_static_select",
        "external_select",
        "multi_external_select",
        "users_select",
        "multi_users_select",
        "conversations_select",
        "multi_conversations_select",
        "channels_select",
        "multi_channels_select",
    }
)
INPUT_ELEMENT_TYPES = SELECT_TYPES | {
    "plain_text_input",
    "number_input",
    "email_text_input",
    "url_text_input",
    "rich_text_input",
    "datepicker",
    "timepicker",
    "datetimepicker",
    "checkboxes",
    "radio_buttons",
    "file_input",
}
ELEMENT_TYPES = INPUT_ELEMENT_TYPES | {"button", "overflow", "image", "workflow_button"}


class _Checker:
    """Collects problems while walking one message's or one view's blocks."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def error(self, text: str, pointer: str) -> None:
        self.problems.append(f"[ERROR] {text} [json-pointer:{pointer}]")

    def max_length(self, value: Any, limit: int, pointer: str) -> None:
        if isinstance(value, str) and len(value) > limit:
            self.error(f"must be less than {limit + 1} characters", pointer)

    def max_items(self, value: Any, limit: int, pointer: str) -> None:
        if isinstance(value, list) and len(value) > limit:
            self.error(f"no more than {limit} items allowed", pointer)

    def text(
        self, obj: Any, limit: int, pointer: str, *, plain_only: bool = False, required: bool = True
    ) -> None:
        """A composition text object: {"type": "plain_text"|"mrkdwn", "text": ...}."""
        if obj is None:
            if required:
                self.error(f"missing required field: {pointer.rsplit('/', 1)[-1]}", pointer.rsplit("/", 1)[0])
            return
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            self.error("failed to match all allowed schemas", pointer)
            return
        allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
        if obj.get("type") not in allowed:
            self.error("must be a valid enum value", f"{pointer}/type")
        self.max_length(obj["text"], limit, f"{pointer}/text")

    def blocks(self, blocks: Any, limit: int, pointer: str) -> None:
        if not isinstance(blocks, list):
            self.error("must be an array", pointer)
            return
        self.max_items(blocks, limit, pointer)
        seen_block_ids: set[str] = set()
        for index, block in enumerate(blocks):
            where = f"{pointer}/{index}"
            if not isinstance(block, dict) or block.get("type") not in BLOCK_TYPES:
                self.error("failed to match all allowed schemas", where)
                continue
            block_id = block.get("block_id")
            if block_id is not None:
                self.max_length(block_id, ID_LENGTH, f"{where}/block_id")
                if block_id in seen_block_ids:
                    self.error(f"duplicate block_id: {block_id}", f"{where}/block_id")
                seen_block_ids.add(block_id)
            self.block(block, where)

    def block(self, block: dict[str, Any], where: str) -> None:
        kind = block["type"]
        if kind == "section":
            if block.get("text") is None and not block.get("fields"):
                self.error("must provide either text or fields", where)
            if block.get("text") is not None:
                self.text(block["text"], SECTION_TEXT, f"{where}/text")
            fields = block.get("fields") or []
            self.max_items(fields, SECTION_FIELDS, f"{where}/fields")
            for i, item in enumerate(fields):
                self.text(item, SECTION_FIELD_TEXT, f"{where}/fields/{i}")
            if block.get("accessory") is not None:
                self.element(block["accessory"], f"{where}/accessory")
        elif kind == "header":
            self.text(block.get("text"), HEADER_TEXT, f"{where}/text", plain_only=True)
        elif kind == "actions":
            self.elements(block.get("elements"), ACTIONS_ELEMENTS, f"{where}/elements", element_check=True)
        elif kind == "context":
            self.elements(block.get("elements"), CONTEXT_ELEMENTS, f"{where}/elements", element_check=False)
        elif kind == "input":
            self.text(block.get("label"), LABEL, f"{where}/label", plain_only=True)
            self.text(block.get("hint"), LABEL, f"{where}/hint", plain_only=True, required=False)
            element = block.get("element")
            if element is None:
                self.error("missing required field: element", where)
            elif not isinstance(element, dict) or element.get("type") not in INPUT_ELEMENT_TYPES:
                self.error("failed to match all allowed schemas", f"{where}/element")
            else:
                self.element(element, f"{where}/element")
        elif kind == "image":
            self.image_source(block, where)
            self.max_length(block.get("image_url"), URL, f"{where}/image_url")
            self.max_length(block.get("alt_text"), LABEL, f"{where}/alt_text")
        elif kind == "markdown":
            self.max_length(block.get("text"), MARKDOWN_TEXT, f"{where}/text")

    def image_source(self, block: dict[str, Any], where: str) -> None:
        """An image comes from a URL or from a file uploaded to Slack (`slack_file`, by its ID or URL):
        exactly one of each pair, as Slack requires."""
        if not block.get("alt_text"):
            self.error("missing required field: alt_text", where)
        if ("image_url" in block) == ("slack_file" in block):
            self.error("must provide exactly one of image_url or slack_file", where)
            return
        source = block.get("slack_file")
        if source is not None and (not isinstance(source, dict) or ("id" in source) == ("url" in source)):
            self.error("slack_file must provide exactly one of id or url", f"{where}/slack_file")

    def elements(self, elements: Any, limit: int, pointer: str, *, element_check: bool) -> None:
        if not isinstance(elements, list) or not elements:
            self.error("must provide at least 1 item", pointer)
            return
        self.max_items(elements, limit, pointer)
        seen_action_ids: set[str] = set()
        for i, element in enumerate(elements):
            if not element_check:  # context: images and text objects
                if isinstance(element, dict) and element.get("type") in ("plain_text", "mrkdwn"):
                    self.text(element, SECTION_TEXT, f"{pointer}/{i}")
                continue
            self.element(element, f"{pointer}/{i}")
            action_id = element.get("action_id") if isinstance(element, dict) else None
            if action_id is not None and action_id in seen_action_ids:
                self.error(f"duplicate action_id: {action_id}", f"{pointer}/{i}/action_id")
            if isinstance(action_id, str):
                seen_action_ids.add(action_id)

    def element(self, element: Any, where: str) -> None:
        if not isinstance(element, dict) or element.get("type") not in ELEMENT_TYPES:
            self.error("failed to match all allowed schemas", where)
            return
        kind = element["type"]
        self.max_length(element.get("action_id"), ID_LENGTH, f"{where}/action_id")
        if element.get("placeholder") is not None:
            self.text(element["placeholder"], PLACEHOLDER, f"{where}/placeholder", plain_only=True)
        if kind == "plain_text_input":
            self.text_input(element, where)
        elif kind == "button":
            self.text(element.get("text"), BUTTON_TEXT, f"{where}/text", plain_only=True)
            self.max_length(element.get("value"), BUTTON_VALUE, f"{where}/value")
            self.max_length(element.get("url"), URL, f"{where}/url")
        elif kind in ("overflow", "checkboxes", "radio_buttons") or kind in SELECT_TYPES:
            limit = {
                "overflow": OVERFLOW_OPTIONS,
                "checkboxes": CHOICE_OPTIONS,
                "radio_buttons": CHOICE_OPTIONS,
            }
            self.options(element.get("options"), limit.get(kind, SELECT_OPTIONS), f"{where}/options")
            groups = element.get("option_groups") or []
            self.max_items(groups, SELECT_OPTIONS, f"{where}/option_groups")
            for g, group in enumerate(groups):
                if isinstance(group, dict):
                    self.text(
                        group.get("label"), OPTION_TEXT, f"{where}/option_groups/{g}/label", plain_only=True
                    )
                    self.options(group.get("options"), SELECT_OPTIONS, f"{where}/option_groups/{g}/options")

    def text_input(self, element: dict[str, Any], where: str) -> None:
        longest = element.get("max_length", TEXT_INPUT)
        for key, low in (("min_length", 0), ("max_length", 1)):
            value = element.get(key)
            if value is not None and (not isinstance(value, int) or not low <= value <= TEXT_INPUT):
                self.error(f"must be between {low} and {TEXT_INPUT}", f"{where}/{key}")
                longest = TEXT_INPUT
        if isinstance(longest, int):
            self.max_length(element.get("initial_value"), longest, f"{where}/initial_value")

    def options(self, options: Any, limit: int, pointer: str) -> None:
        if options is None:
            return
        self.max_items(options, limit, pointer)
        for i, option in enumerate(options if isinstance(options, list) else []):
            if not isinstance(option, dict):
                self.error("failed to match all allowed schemas", f"{pointer}/{i}")
                continue
            self.text(option.get("text"), OPTION_TEXT, f"{pointer}/{i}/text")
            self.max_length(option.get("value"), OPTION_VALUE, f"{pointer}/{i}/value")
            self.text(option.get("description"), OPTION_TEXT, f"{pointer}/{i}/description", required=False)


def check_message_blocks(blocks: Any) -> list[str]:
    """Problems with a message's `blocks` (chat.postMessage, .update, .postEphemeral, response_url)."""
    checker = _Checker()
    checker.blocks(blocks, MESSAGE_BLOCKS, "/blocks")
    return checker.problems


def check_view(view: Any, *, expected_type: str | None = None) -> list[str]:
    """Problems with a view (views.open/push/update/publish, response_action update/push)."""
    checker = _Checker()
    if not isinstance(view, dict):
        checker.error("must be an object", "/view")
        return checker.problems
    kind = view.get("type")
    if kind not in ("modal", "home") or (expected_type and kind != expected_type):
        checker.error("must be a valid enum value", "/view/type")
    if kind == "modal":
        checker.text(view.get("title"), VIEW_TEXT, "/view/title", plain_only=True)
        has_inputs = any(isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks") or [])
        checker.text(view.get("submit"), VIEW_TEXT, "/view/submit", plain_only=True, required=has_inputs)
        checker.text(view.get("close"), VIEW_TEXT, "/view/close", plain_only=True, required=False)
    checker.max_length(view.get("private_metadata"), PRIVATE_METADATA, "/view/private_metadata")
    checker.max_length(view.get("callback_id"), ID_LENGTH, "/view/callback_id")
    checker.max_length(view.get("external_id"), ID_LENGTH, "/view/external_id")
    if "blocks" not in view:
        checker.error("missing required field: blocks", "/view")
    else:
        checker.blocks(view["blocks"], VIEW_BLOCKS, "/view/blocks")
    return checker.problems
