"""Shortcuts in Slack's menus, whatever the kind (its `Shortcuts` in commands/kinds/): on any message, the
kind's new-item form prefilled from the message; in the shortcuts menu, the same form empty.

From a message, the form is for the message's channel and its text goes in the kind's text field: cut to
what the field takes, and read first by the same identifier detector every item's text meets before it is
stored, whose findings the form shows, so the person removes them before sending rather than being
refused after. What cannot work is said before any form opens, privately, and nothing is stored: a message
without text, a channel Liaison is not in, one where the kind's items cannot go, a person who may not
create items. The form carries the message's place; once the item exists, the message's thread is answered
with its ID and link (commands/items/sources.py)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Any

from commands.forms import Field, Form
from commands.invocation import Deps
from commands.items.fields import written_by_liaison
from commands.kinds.spec import KindSpec
from storage.audit import Actor
from storage.errors import LiaisonError
from storage.identifiers import Finding
from storage.permissions import Action, one_partner_reads, refuse, require

MESSAGE_SHORTCUT = "from_message"  # callback IDs: `referral.from_message`, `referral.new`
GLOBAL_SHORTCUT = "new"
NO_TEXT = (
    "This message has no text Liaison can read (a file, an image or an attachment alone), so there is "
    "nothing to start from. Use the shortcut on a message with words, or start from the shortcuts menu "
    "instead (the lightning bolt by the message box): nothing was saved."
)
NOT_IN_CHANNEL = (
    "Liaison is not in <#{channel}>, so it can neither read this message nor post there. Invite it with "
    "`/invite @liaison` and use the shortcut again: nothing was saved."
)


def message_callback(spec: KindSpec[Any]) -> str:
    return f"{spec.name}.{MESSAGE_SHORTCUT}"


def global_callback(spec: KindSpec[Any]) -> str:
    return f"{spec.name}.{GLOBAL_SHORTCUT}"


@dataclass(frozen=True)
class Message:
    """What a message shortcut's payload says of the message it was used on."""

    channel_id: str
    ts: str
    thread_ts: str | None  # the thread it is a reply in, if it is one
    text: str  # as Slack writes it: `&`, `<` and `>` escaped


def from_message(deps: Deps, actor: Actor, spec: KindSpec[Any], message: Message) -> Form:
    """The kind's new-item form for the message's channel, prefilled from it; LiaisonError (with what to
    do) where it cannot be."""
    assert spec.shortcuts is not None
    text = as_shown(message.text).strip()
    if not text:
        raise LiaisonError(NO_TEXT)
    with deps.db.session() as session:  # who may not create items learns nothing of the channel
        me = deps.person(session, actor)
        require(session, me, Action.create_item, channel_id=message.channel_id)
    place = deps.slack.place(message.channel_id, fresh=True)
    if not place.member:
        raise LiaisonError(NOT_IN_CHANNEL.format(channel=message.channel_id))
    if spec.kind.addressed:
        with deps.db.session() as session:
            verdict = one_partner_reads(session, place)
            if not verdict.allowed:
                refuse(me, Action.create_item.name, verdict.reason, channel_id=message.channel_id)
    form = spec.shortcuts.prefilled(deps, actor, message.channel_id, text)
    key = spec.shortcuts.text_field
    fields = tuple(_prefilled(deps, f, text, spec.kind.addressed) if f.key == key else f for f in form.fields)
    written = written_by_liaison(form.metadata) | {
        "message": message.ts,
        "thread": message.thread_ts or message.ts,
    }
    return replace(form, fields=fields, metadata=json.dumps(written))


# Slack's markup for a mention, channel, link or special word: `<target>` or `<target|label>`.
_MARKUP = re.compile(r"<([^<>|\n]+)(?:\|([^<>\n]*))?>")


def as_shown(text: str) -> str:
    """A message's text as its author saw it: Slack's markup read (`<tel:+13125550143|312-555-0143>` as
    the number shown, `<https://x.org|the order>` as "the order (https://x.org)", `<#C1|intake>` as
    "#intake"), since a card shows item text as written, not as markup; then `&`, `<` and `>`, which Slack
    escapes in what it sends, unescaped. Mentions (`<@U123>`, `<!here>`) stay markup."""
    return _MARKUP.sub(_as_shown, text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _as_shown(markup: re.Match[str]) -> str:
    target, label = markup[1], markup[2]
    if target[0] in "@!":  # a mention stays Slack's markup: `help @here` would read as an email address
        return markup[0]
    if target[0] == "#":
        return f"#{label.lstrip('#')}" if label else markup[0]
    address = target.split(":", 1)[1] if target.startswith(("tel:", "mailto:")) else target
    if not label or label in (target, address):
        return label or address
    if target.startswith("tel:") and _same_number(label, address):
        return label
    return f"{label} ({address})"


def _same_number(label: str, address: str) -> bool:
    """`312-555-0143` labelling `+13125550143`: one number, shown once."""
    digits = re.sub(r"\D", "", label)
    return len(digits) >= 7 and re.sub(r"\D", "", address).endswith(digits)


def _prefilled(deps: Deps, field: Field, text: str, addressed: bool) -> Field:
    """The text field holding the message's text, cut to what it takes; its hint says what was cut and
    what the detector found in what is left."""
    limit = field.limit or len(text)
    kept = text[:limit]
    said = []
    if len(text) > limit:
        said.append(
            f"The message is {len(text):,} characters and this takes {limit:,}, so it was cut to fit: "
            "check its end before sending."
        )
    found = deps.detector.findings(kept)
    if found:
        said.append(found_in_message(found, addressed))
    return replace(field, value=kept, hint=" ".join(said) if said else field.hint)


def found_in_message(found: list[Finding], addressed: bool) -> str:
    """What the form says of identifiers in the prefilled text."""
    kinds = ", ".join(sorted({f.what.value for f in found}))
    if addressed:
        rule = (
            "remove it before sending, or it will be refused: identifying details go to the partner only "
            "with the client's recorded consent (the box below) where its agreement allows them, and a case "
            "number never does (it goes in the case number field, kept in Liaison)."
        )
    else:
        rule = (
            "remove it before posting, or it will be refused: action items go where several organizations "
            "read and never carry client details."
        )
    return f"⚠ Liaison found what looks like {kinds} in the message: {rule}"
