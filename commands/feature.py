"""What Liaison does beside its item kinds (the library, training, evaluation): a `Feature` brings its
command (if it has its own), its forms and buttons, its part of each scheduler tick, its lines in the
coordinators' digest, its sections and pictures on a person's Home tab, and the words it adds to what an
agreement's scope may cover. Registered
with the kinds (commands/kinds/__init__.standard); generic code asks the features, never names one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from commands.cards import Image
from storage.people import Person

if TYPE_CHECKING:
    from commands.invocation import Deps
    from commands.kinds.spec import CardAction, FormSpec
    from commands.registry import SlashCommand

Tick = Callable[["Deps", datetime], list[str]]  # one pass of its scheduled work: what it sent, a line each


def _nothing_due(_deps: Deps, _now: datetime) -> list[str]:
    return []


def _no_lines(_deps: Deps, _now: datetime) -> list[str]:
    return []


def _no_section(_deps: Deps, _person: Person) -> list[str]:
    return []


def _no_images(_deps: Deps, _person: Person) -> list[Image]:
    return []


@dataclass(frozen=True)
class Feature:
    name: str
    command: SlashCommand | None  # None: its commands live under another (evaluation's under /liaison)
    forms: tuple[FormSpec, ...] = ()
    actions: tuple[CardAction, ...] = ()
    tick: Tick = _nothing_due
    digest: Callable[[Deps, datetime], list[str]] = _no_lines  # the coordinators' digest, at this time
    home: Callable[[Deps, Person], list[str]] = _no_section  # sections of the person's Home tab
    home_images: Callable[[Deps, Person], list[Image]] = _no_images  # pictures at its top (a chart)
    scopes: tuple[str, ...] = ()  # what an agreement's `scope:` may name for it ("resources")
