"""What a kind of item is to the people who use it: its card, its command, its forms, its words. One
`KindSpec` per kind, beside its domain half (storage/kinds.ItemKind), registered together in
commands/kinds/__init__.py. Generic code (posting cards, moves, threads, reminders, the Home tab, the
digest) asks the spec of an item's kind; it never asks what class an item is."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic

from commands.cards import Card
from commands.feature import Feature
from commands.forms import Form
from storage.audit import Actor
from storage.item_tables import ItemBase
from storage.kinds import ItemKind, Kinds, T
from storage.threads import Summary

if TYPE_CHECKING:
    from commands.invocation import Deps, Reply
    from commands.registry import SlashCommand

FormValues = dict[str, str | bool | list[str] | None]
# What a button on the card does, from who clicked, the item's ID and the channel: a change answered with
# a Reply, or a Form to fill in first.
OnClick = Callable[["Deps", Actor, str, str], "Reply | Form"]
# A submitted form's work, from who sent it, the form's metadata (as Liaison wrote it) and its values.
OnSubmit = Callable[["Deps", Actor, str, FormValues], "Reply"]
FormErrors = Callable[[FormValues], dict[str, str]]


def _no_errors(_values: FormValues) -> dict[str, str]:
    return {}


def _never(_user_id: str, _item: ItemBase) -> bool:
    return False


def _nothing(_item: ItemBase) -> str:
    return ""


@dataclass(frozen=True)
class CardAction:
    """A button on a kind's cards besides its moves (`consult.take`, `advocacy.assign`)."""

    action: str | re.Pattern[str]  # the button's action ID, or a pattern for several (`resource.share.2`)
    on_click: OnClick


@dataclass(frozen=True)
class FormSpec:
    """A form a kind opens (its new-item form, Extend…, Reassign…), known by its callback ID."""

    callback: str
    on_submit: OnSubmit
    errors: FormErrors = _no_errors  # what is shown inside the still-open form, before any work


@dataclass(frozen=True)
class Shortcuts:
    """A kind's shortcuts in Slack's menus (commands/items/shortcuts.py): on any message (`message`, "Refer
    to a partner"), its new-item form prefilled from the message; in the shortcuts menu, the same form
    empty (named by the spec's `new_label`)."""

    message: str  # the message shortcut's name in Slack's menu: at most 24 characters
    description: str  # what the message shortcut does, for Slack's menu: at most 150 characters
    # The new-item form for a channel, with the message's text in the field `text_field`.
    prefilled: Callable[[Deps, Actor, str, str], Form]
    text_field: str


@dataclass(frozen=True)
class KindSpec(Generic[T]):
    """What differs between kinds, on the Slack side; `T` is the kind's table."""

    kind: ItemKind[T]  # the domain half: table, states, reminders' policy, exports, retention
    # Its card, from the item, its partner (a Partner; None for a kind with owners instead) and its thread.
    card: Callable[[T, Any, Summary], Card]
    command: SlashCommand
    new_form: Callable[[Deps, Actor, str], Form]  # a blank new-item form; "" as channel asks where to post
    new_label: str  # its Home tab button: "New referral"
    forms: tuple[FormSpec, ...]  # the new-item form's submission first, then any others
    actions: tuple[CardAction, ...] = ()
    awaits: Callable[[str, T], bool] = _never  # whether the next step is this user's (Home tab)
    digest_titles: Mapping[str, str] = field(default_factory=dict)  # its digest lists' titles, by key
    # What every reminder posted in the item's thread adds (a referral's "do not contact the client").
    reminder_note: Callable[[T], str] = _nothing
    shortcuts: Shortcuts | None = None  # none: the kind has no shortcuts in Slack's menus

    @property
    def name(self) -> str:
        return self.kind.name


class Specs:
    """Every kind Liaison runs with, looked up by name or by an item; `kinds` is their domain halves;
    `features` what it does beside them (commands/feature.py)."""

    def __init__(self, specs: Sequence[KindSpec[Any]], features: Sequence[Feature] = ()) -> None:
        self._all = tuple(specs)
        self.features = tuple(features)
        self.kinds = Kinds([spec.kind for spec in self._all])
        self._by_name = {spec.name: spec for spec in self._all}

    def __iter__(self) -> Iterator[KindSpec[Any]]:
        return iter(self._all)

    def of(self, item: ItemBase) -> KindSpec[Any]:
        return self._by_name[self.kinds.of(item).name]

    def named(self, name: str) -> KindSpec[Any] | None:
        return self._by_name.get(name)

    @property
    def commands(self) -> tuple[SlashCommand, ...]:
        return (*(spec.command for spec in self._all), *(f.command for f in self.features if f.command))

    @property
    def forms(self) -> Iterator[FormSpec]:
        yield from (form for spec in self._all for form in spec.forms)
        yield from (form for feature in self.features for form in feature.forms)

    @property
    def actions(self) -> Iterator[CardAction]:
        yield from (action for spec in self._all for action in spec.actions)
        yield from (action for feature in self.features for action in feature.actions)

    @property
    def scopes(self) -> list[str]:
        """What an agreement's scope may cover: each kind, and what the features add."""
        return [*self.kinds.names, *(scope for f in self.features for scope in f.scopes)]

    @property
    def digest_titles(self) -> dict[str, str]:
        return {key: title for spec in self._all for key, title in spec.digest_titles.items()}
