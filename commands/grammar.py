"""The argument grammar every slash command shares.

    /referral to:legal-aid due:"dec 3 5pm" <@U123|maria> Client faces eviction; hearing Dec 3.

- `key:value` pairs, where the key is one the command knows; the value runs to the next space, or is
  quoted ("like this" or “like this”, as Slack's clients often turn straight quotes into curly ones).
- Slack mentions, which Slack sends escaped: users `<@U123|name>`, channels `<#C123|name>`. Slack also
  escapes `&`, `<` and `>` that were typed (`&amp;`, `&lt;`, `&gt;`): values and text are read back as
  typed, and escaped again wherever they are shown (commands/format.plain).
- Everything else is free text, kept in the order typed.

A word that looks like `key:` but whose key is not known stays free text ("Note: the client..."), unless
it is a near miss of a known key (`dew:friday`), which is reported so a typo is not silently posted.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from storage.errors import LiaisonError

_QUOTES = {'"': '"', "“": "”", "”": "”", "„": "“"}
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):")
_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#([CGD][A-Z0-9]+)(?:\|[^>]*)?>")
_WORD = re.compile(r"\S+")


class UsageError(LiaisonError):
    """Command text that cannot be understood; the message says what was wrong and how to fix it."""


_BARE_USER = re.compile(r"[UW][A-Z0-9]+")


def user_id(value: str, key: str, usage: str) -> str:
    """The user a `key:@maria` option names (Slack sends `<@U123|maria>`; a bare ID is accepted too)."""
    match = _USER.fullmatch(value) or _BARE_USER.fullmatch(value)
    if match is None:
        raise UsageError(
            f"`{key}:{value}` must mention someone, like `{key}:@maria` (pick them from Slack's list as you "
            f"type).\nUsage: `{usage}`"
        )
    return match.group(1) if match.re is _USER else match.group(0)


@dataclass
class Arguments:
    """What a person typed after the command, taken apart."""

    words: list[str] = field(default_factory=list)  # bare words, in order (the first may be a subcommand)
    options: dict[str, list[str]] = field(default_factory=dict)  # key -> values, in order typed
    users: list[str] = field(default_factory=list)  # user IDs mentioned
    channels: list[str] = field(default_factory=list)  # channel IDs mentioned
    text: str = ""  # the free text, with mentions left as typed
    # The text began like a subcommand but read as a sentence: show it in the form before sending it.
    confirm: bool = False

    def first(self, key: str) -> str | None:
        values = self.options.get(key)
        return values[0] if values else None


def without_nul(text: str) -> str:
    """What a person typed, without NUL characters: nobody can see one, and PostgreSQL refuses them in
    any text column (a command, a form or a reply carrying one would otherwise fail to be saved)."""
    return text.replace("\x00", "")


def parse(raw: str, keys: Collection[str] = (), repeatable: Collection[str] = ()) -> Arguments:
    """Split `raw` into key:value options (only for `keys`), mentions and free text.

    Raises UsageError for an unclosed quote, a key given twice that may not repeat, an empty value,
    or a near miss of a known key.
    """
    raw = without_nul(raw)
    args = Arguments()
    free: list[str] = []
    joined_after_option = False
    free_end = pos = 0
    while True:
        match = _WORD.search(raw, pos)
        if match is None:
            break
        start = match.start()
        key_match = _KEY.match(raw, start)
        key = key_match.group(1).lower() if key_match else ""
        if key_match and key in keys:  # `Case:` is `case:`: a capital must not turn a key into posted text
            value, pos = _read_value(raw, key_match.end(), key)
            _add_option(args, key, value, repeatable)
            joined_after_option = True
            continue
        if key_match and key_match.end() < len(raw) and not raw[key_match.end()].isspace():
            _refuse_near_miss(key, keys)
        token = match.group()
        pos = match.end()
        if user := _USER.fullmatch(token):
            args.users.append(user.group(1))
        elif channel := _CHANNEL.fullmatch(token):
            args.channels.append(channel.group(1))
        else:
            args.words.append(token)
        # Keep the spacing (and line breaks) people typed between words, but where an option was cut
        # out of the middle of the text, one space stands in for it.
        if free:
            free.append(" " if joined_after_option else raw[free_end:start])
        free.append(token)
        free_end = match.end()
        joined_after_option = False
    args.text = typed("".join(free))
    args.options = {key: [typed(v) for v in values] for key, values in args.options.items()}
    return args


def typed(text: str) -> str:
    """What was typed, from Slack's escaped form of it."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _read_value(raw: str, start: int, key: str) -> tuple[str, int]:
    if start < len(raw) and raw[start] in _QUOTES:
        closing = _QUOTES[raw[start]]
        end = _find_closing(raw, start + 1, closing)
        if end < 0:
            raise UsageError(f"The quoted value after `{key}:` is never closed: add a closing {closing}.")
        value = raw[start + 1 : end].strip()
        pos = end + 1
    else:
        match = re.compile(r"\S*").match(raw, start)
        assert match is not None  # \S* always matches
        value, pos = match.group(), match.end()
    if not value:
        raise UsageError(f"`{key}:` needs a value right after the colon, like `{key}:something`.")
    return value, pos


def _find_closing(raw: str, start: int, closing: str) -> int:
    # Accept a straight quote as the closer of a curly opener: people mix them when editing.
    candidates = [i for i in (raw.find(closing, start), raw.find('"', start)) if i >= 0]
    return min(candidates) if candidates else -1


def _add_option(args: Arguments, key: str, value: str, repeatable: Collection[str]) -> None:
    if key in args.options and key not in repeatable:
        raise UsageError(f"`{key}:` is given twice; give it once.")
    args.options.setdefault(key, []).append(value)


def _refuse_near_miss(word: str, keys: Collection[str]) -> None:
    """`dew:friday` is a typo of `due:`; `hearing:10am` is just text. One slip per short key, two per long."""
    for key in sorted(keys):
        if _edit_distance(word, key) <= (1 if len(key) < 7 else 2):
            raise UsageError(f"Unknown key `{word}:`. Did you mean `{key}:`?")


def _edit_distance(a: str, b: str) -> int:
    """Levenshtein distance counting a swap of neighbours as one edit (`dsc` for `desc`)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, prev2[j - 2] + 1)
            row.append(cost)
        prev2, prev = prev, row
    return prev[-1]


def page_number(value: str | None, usage: str) -> int:
    """`page:N` as a number; 1 when not given. ASCII digits only (`str.isdigit` accepts `²`)."""
    if value is None:
        return 1
    if not re.fullmatch(r"[0-9]{1,6}", value) or int(value) < 1:
        raise UsageError(f"`page:{value}` must be a page number like `page:2`.\nUsage: `{usage}`")
    return int(value)
