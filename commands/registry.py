"""One registry per slash command: the same table drives parsing, dispatch, help and the app manifest,
so what `help` says can never drift from what is parsed."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher

from commands.grammar import Arguments, UsageError, parse
from commands.invocation import Invocation, Reply

Handler = Callable[[Invocation], Reply]
ITEM_ID = re.compile(r"^(?:[A-Za-z]-?)?[0-9]+$")  # R-12, R12, or 12
NOTHING = re.compile(r"(?!)")  # for a subcommand that takes no words


def words_or_keys(*words: str) -> re.Pattern[str]:
    """A first word that is one of `words` or any `key:value`."""
    return re.compile(rf"^(?:{'|'.join(map(re.escape, words))})$|^[A-Za-z_][A-Za-z0-9_]*:", re.IGNORECASE)


GRAMMAR_HELP = (
    '*How to type arguments*: `key:value` (quote values with spaces: `due:"dec 3 5pm"`), '
    "mention people and channels as usual (`@maria`, `#channel`), and write everything else as plain text."
)


@dataclass(frozen=True)
class Subcommand:
    name: str
    summary: str
    handler: Handler
    arguments: str = ""  # how the arguments after the name are written, for help and usage errors
    keys: frozenset[str] = frozenset()
    repeatable: frozenset[str] = frozenset()
    takes_text: bool = False  # whether words and mentions beyond the keys mean something
    # The first word it takes. A sentence (three words or more) whose next word is something else is the
    # default subcommand's text: `/consult Show cause hearing tomorrow: any advice?` asks a question
    # instead of failing as `show`, while `/consult show everything` is still answered as a bad `show`.
    expects: re.Pattern[str] | None = None
    # Whether these arguments open a form instead of doing the work: Slack's trigger_id for a form is good
    # for 3 s from the command, so such a command runs as it is acknowledged instead of being kept for a
    # worker (bot/listeners/commands.py). Decided from what was typed alone, without the database.
    opens_form: Callable[[Arguments], bool] | None = None

    def needs_form(self, args: Arguments) -> bool:
        return self.opens_form is not None and self.opens_form(args)


def on_an_item(
    name: str, summary: str, handler: Handler, *, arguments: str, keys: frozenset[str] = frozenset()
) -> Subcommand:
    """A subcommand whose first word is an item's ID (`show R-12`, `done A-3 link`, `extend C-7 due:...`):
    what follows it is its text, and a sentence starting with its name is the default's (`expects`)."""
    return Subcommand(
        name, summary, handler, arguments=arguments, keys=keys, takes_text=True, expects=ITEM_ID
    )


@dataclass(frozen=True)
class SlashCommand:
    name: str  # "/liaison"
    description: str  # shown in Slack's command picker (manifest) and in the overview
    subcommands: tuple[Subcommand, ...] = field(default_factory=tuple)
    default: Subcommand | None = None  # what text that names no subcommand means (`/referral to:... ...`)
    empty_is_default: bool = False  # no text at all runs the default (which opens its form) instead of help

    def __post_init__(self) -> None:
        names = [sub.name for sub in self.subcommands]
        if "help" in names or len(set(names)) != len(names):
            raise ValueError(f"{self.name}: subcommand names must be unique and not 'help'")

    @property
    def subcommand_names(self) -> list[str]:
        return ["help", *(sub.name for sub in self.subcommands)]

    @property
    def usage_hint(self) -> str:
        """Shown in Slack's command picker after the name (the manifest's usage_hint)."""
        first = [self.default.arguments] if self.default else []
        return " | ".join([*first, *self.subcommand_names])

    def usage_of(self, name: str = "") -> str:
        """How the subcommand `name` is typed ("": the default one), for words outside a command's own
        handling (a form's note, an error from what a form and a command share)."""
        named = self.default if not name else next((s for s in self.subcommands if s.name == name), None)
        if named is None:
            raise KeyError(f"{self.name} has no subcommand {name!r}")
        return self.usage(named)

    def usage(self, sub: Subcommand) -> str:
        name = "" if sub is self.default else f" {sub.name}"
        return f"{self.name}{name} {sub.arguments}".strip()

    def resolve(self, text: str) -> tuple[Subcommand | None, Arguments]:
        """Find the subcommand the text names (the longest matching name: `partner add` before `partner`)
        and parse the rest with its keys. None means help."""
        words = text.split()
        if not words and self.empty_is_default and self.default is not None:
            return self.default, Arguments()
        if not words or words[0].lower() == "help":
            return None, Arguments()
        typed = [w.lower() for w in words]
        for sub in sorted(self.subcommands, key=lambda s: -len(s.name.split())):
            name = sub.name.split()
            if typed[: len(name)] == name:
                rest = text.strip().split(maxsplit=len(name))
                after = rest[len(name)] if len(rest) > len(name) else ""
                if self.default is not None and self._is_default_text(sub, after):
                    args = self._arguments(self.default, text)
                    args.confirm = True
                    return self.default, args
                return sub, self._arguments(sub, after)
        if self.default is not None and not self._looks_like_a_typo(words):
            return self.default, self._arguments(self.default, text)
        raise UsageError(self._unknown(words))

    def _is_default_text(self, sub: Subcommand, after: str) -> bool:
        """Whether text that began with a subcommand's name reads as a sentence for the default instead:
        three words or more, the first not what the subcommand takes, and nothing in it that only the
        subcommand would take (an item's ID, a mention, one of its keys). The default then shows it in
        its form, to be sent by the person (Arguments.confirm), never at once."""
        words = after.split()
        if self.default is None or not self.default.takes_text or sub.expects is None or len(words) < 3:
            return False
        bare = [w.strip(".,;:!?") for w in words]
        theirs = any(
            ITEM_ID.match(w) or w.startswith("<@") or w.split(":", 1)[0].lower() in sub.keys for w in bare
        )
        return not theirs and not sub.expects.match(words[0])

    def _looks_like_a_typo(self, words: list[str]) -> bool:
        """`/referral lsit` is a misspelt subcommand, not a referral whose details are "lsit"."""
        return len(words) == 1 and ":" not in words[0] and self._closest_name(words, cutoff=0.75) is not None

    def _arguments(self, sub: Subcommand, rest: str) -> Arguments:
        try:
            args = parse(rest, sub.keys, sub.repeatable)
            if args.text and not sub.takes_text:
                raise UsageError(f"`{self.name} {sub.name}` does not take `{args.text}`.")
        except UsageError as exc:
            raise UsageError(f"{exc.message}\nUsage: `{self.usage(sub)}`") from exc
        return args

    def _unknown(self, words: list[str]) -> str:
        group = [n.split()[1] for n in self.subcommand_names if n.split()[0] == words[0].lower() and " " in n]
        suggestion = self._closest_name(words)
        if group and (len(words) == 1 or suggestion is None):  # `/liaison partner` alone, or `partner frob`
            return f"`{self.name} {words[0]}` needs one of: {', '.join(f'`{g}`' for g in group)}."
        if suggestion:
            typed = " ".join(words[: len(suggestion.split())])
            return (
                f"`{self.name} {typed}` is not something Liaison knows. Did you mean "
                f"`{self.name} {suggestion}`? (`{self.name} help` lists them all.)"
            )
        choices = ", ".join(f"`{n}`" for n in self.subcommand_names)
        return f"`{self.name} {words[0]}` is not something Liaison knows. Try one of: {choices}."

    def _closest_name(self, words: list[str], cutoff: float = 0.6) -> str | None:
        """Compare like with like: two typed words against two-word names, one against one-word names."""
        scored = [
            (SequenceMatcher(None, " ".join(words[: len(name.split())]).lower(), name).ratio(), name)
            for name in self.subcommand_names
        ]
        score, name = max(scored)
        return name if score >= cutoff else None

    def help(self, catalog: Sequence[SlashCommand]) -> Reply:
        lines = [f"*{self.name}*: {self.description}", ""]
        if self.default is not None:
            lines.append(f"• `{self.usage(self.default)}`: {self.default.summary}")
        lines.append(f"• `{self.name} help`: show this help.")
        lines += [f"• `{self.usage(sub)}`: {sub.summary}" for sub in self.subcommands]
        lines += ["", GRAMMAR_HELP, "", "*All Liaison commands*"]
        lines += [f"• `{cmd.name}`: {cmd.description} (`{cmd.name} help`)" for cmd in catalog]
        return Reply("\n".join(lines))


def run(
    command: SlashCommand,
    invocation_for: Callable[[Arguments], Invocation],
    text: str,
    catalog: Sequence[SlashCommand],
) -> Reply:
    """Parse `text` for `command` and call the subcommand's handler (or show help)."""
    sub, args = command.resolve(text)
    if sub is None:
        return command.help(catalog)
    return sub.handler(replace(invocation_for(args), usage=command.usage(sub)))
