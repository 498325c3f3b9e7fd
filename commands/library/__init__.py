"""`/resource`: the shared case-resource library (storage/library.py), a Feature beside the item kinds."""

from __future__ import annotations

import re

from commands.feature import Feature
from commands.kinds.spec import CardAction, FormSpec
from commands.library import entries, finding, reviews
from commands.registry import NOTHING, SlashCommand, Subcommand
from storage.library import SCOPE

_ENTRY = "RS-12"
COMMAND = SlashCommand(
    name="/resource",
    description="The shared case-resource library: memos, briefs, motions, experts, templates.",
    subcommands=(
        Subcommand(
            "search",
            "find entries, best first, privately; each with Share here and Open.",
            finding.search_command,
            arguments='words ["exact phrase"] [-without] [kind:memo] [topic:bail] [jurisdiction:IL]',
            keys=frozenset({"kind", "topic", "jurisdiction"}),
            takes_text=True,
        ),
        Subcommand(
            "add",
            "add an entry: a form, prefilled with anything typed (office staff).",
            entries.add,
            arguments='[kind:memo] [title:"..."] [link:https://...] [topics:bail,discovery]',
            keys=entries.ADD_KEYS,
            takes_text=True,
            opens_form=lambda _args: True,
        ),
        Subcommand("show", "everything about an entry.", finding.show, arguments=_ENTRY, takes_text=True),
        Subcommand(
            "list",
            "entries you look after, those due for review, the newest, or suggestions waiting.",
            finding.listing,
            arguments="mine|stale|new|suggested",
            takes_text=True,
            expects=None,
        ),
        Subcommand(
            "share",
            "post an entry's card in this channel, if everyone here may see it.",
            finding.share_command,
            arguments=_ENTRY,
            takes_text=True,
        ),
        Subcommand(
            "verify",
            "say an entry still holds: it is current until its next review.",
            entries.verify,
            arguments=_ENTRY,
            takes_text=True,
        ),
        Subcommand(
            "withdraw",
            "take an entry out of the library, saying why.",
            entries.withdraw,
            arguments=f'{_ENTRY} reason:"superseded by..."',
            keys=frozenset({"reason"}),
            takes_text=True,
        ),
        Subcommand(
            "edit",
            "change an entry in its form.",
            entries.edit,
            arguments=_ENTRY,
            takes_text=True,
            opens_form=lambda _args: True,
        ),
        Subcommand(
            "approve",
            "add a partner's suggestion to the library (coordinators).",
            entries.approve,
            arguments=_ENTRY,
            takes_text=True,
        ),
        Subcommand(
            "decline",
            "decline a suggestion, saying why (coordinators); its author is told.",
            entries.decline,
            arguments=f'{_ENTRY} reason:"..."',
            keys=frozenset({"reason"}),
            takes_text=True,
        ),
        Subcommand(
            "shelf",
            "post the library's shelf here: partner staff search and suggest with its buttons "
            "(coordinators).",
            finding.shelf,
            expects=NOTHING,
        ),
    ),
)

FEATURE = Feature(
    name="library",
    command=COMMAND,
    forms=(
        FormSpec(entries.ADD_FORM, entries.added, entries.form_problems),
        FormSpec(entries.EDIT_FORM, entries.edited, entries.form_problems),
        FormSpec(entries.SUGGEST_FORM, entries.suggested, entries.form_problems),
        FormSpec(finding.SEARCH_FORM, finding.searched),
    ),
    actions=(
        CardAction(re.compile(rf"^{re.escape(finding.SHARE_ACTION)}(\.\d+)?$"), finding.shared),
        CardAction(re.compile(rf"^{re.escape(finding.OPEN_ACTION)}(\.\d+)?$"), finding.opened),
        CardAction(finding.SEARCH_ACTION, finding.search_form),
        CardAction(finding.SUGGEST_ACTION, finding.suggest),
    ),
    tick=reviews.remind_owners,
    digest=reviews.digest_lines,
    home=reviews.home_sections,
    scopes=(SCOPE,),
)
