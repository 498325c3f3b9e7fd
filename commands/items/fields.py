"""The pieces of item forms, and reading what comes back: what Liaison wrote into a button's value or a
form's metadata, and the values a person submitted."""

from __future__ import annotations

import json

from commands.forms import Choice, Field, FieldKind
from commands.invocation import Deps
from commands.items.sending import DEFAULT_BUSINESS_DAYS, may_send
from commands.items.sources import Source, source_in
from commands.kinds.spec import FormValues
from storage import partners
from storage.audit import Actor
from storage.errors import LiaisonError
from storage.kinds import AnyKind
from storage.opening import CASE_LIMIT, TEXT_LIMIT, case_number_problem

COPY_NOTE = "The card goes to this channel; the partner's workspace keeps its own copy."
UNREADABLE = "Liaison could not read this button or form, so it changed nothing. Try again from the card."


def written_by_liaison(text: str) -> dict[str, str]:
    """A button's value or a form's metadata: JSON that Liaison wrote and Slack hands back unchanged.
    Anything else (garbled or forged) is refused here, before any of it is used."""
    try:
        data = json.loads(text)
    except (TypeError, ValueError):
        data = None
    if not isinstance(data, dict) or not all(isinstance(v, str | int) for v in data.values()):
        raise LiaisonError(UNREADABLE)
    return {str(k): str(v) for k, v in data.items()}


def ref_in(text: str) -> str:
    """The item a button or form is about."""
    ref = written_by_liaison(text).get("ref")
    if ref is None:
        raise LiaisonError(UNREADABLE)
    return ref


def channel_of(metadata: str, values: FormValues) -> str:
    """The channel a new-item form posts to: the one it was opened in, else the one chosen in it."""
    return written_by_liaison(metadata).get("channel") or typed(values, "channel") or ""


def source_of(deps: Deps, metadata: str) -> Source | None:
    """The message a new-item form was opened from with a message shortcut (None: opened otherwise)."""
    return source_in(deps, written_by_liaison(metadata))


def typed(values: FormValues, key: str) -> str | None:
    value = values.get(key)
    return value if isinstance(value, str) else None


def ticked(values: FormValues, key: str) -> bool:
    return values.get(key) is True


def partner_field(deps: Deps, actor: Actor, channel_id: str, kind: AnyKind, to: str | None) -> Field:
    """The new-item form's partner choice: active partners whose agreement covers the kind, the channel's
    own partner chosen. Refuses anyone who may not send items before naming any partner to them."""
    may_send(deps, actor, channel_id)
    with deps.db.session() as session:
        choices = tuple(
            Choice(p.handle, p.name)
            for p in partners.everyone(session)
            if p.status == "active" and kind.name in p.scope
        )
        linked = partners.linked_partners(session, channel_id)
    if not choices:
        raise LiaisonError(
            f"No partner can receive {kind.name}s yet. An admin adds one with `/liaison partner add ... "
            f"scope:{kind.name}`, or lets an existing one receive them with `/liaison partner edit handle "
            f"scope:...,{kind.name}`."
        )
    chosen = to or (linked[0].handle if len(linked) == 1 else None)
    return Field("to", "Partner", FieldKind.choice, chosen, choices=choices)


def where_fields(channel_id: str) -> tuple[Field, ...]:
    """A form opened from the Home tab has no channel of its own: it asks where to post."""
    return () if channel_id else (Field("channel", "Post it in", FieldKind.channel),)


def text_field(key: str, label: str, value: str) -> Field:
    return Field(
        key,
        label,
        FieldKind.long_text,
        value or None,
        hint="No names, dates of birth, phone numbers or addresses unless the client agreed below.",
        max_length=TEXT_LIMIT,
    )


def due_field(value: str | None) -> Field:
    return Field(
        "due",
        "Due (friday, dec 3 5pm, 2026-12-04)",
        value=value,
        optional=True,
        hint=f"Leave empty for {DEFAULT_BUSINESS_DAYS} business days.",
    )


def case_field(value: str | None) -> Field:
    return Field(
        "case",
        "Case number (kept in Liaison, never posted)",
        value=value,
        optional=True,
        max_length=CASE_LIMIT,
    )


CONSENT_FIELD = Field(
    "consent",
    "The client agreed to share identifying details with this partner, and its agreement allows it.",
    FieldKind.checkbox,
    optional=True,
)


def checkbox(key: str, label: str, on: bool) -> Field:
    return Field(key, label, FieldKind.checkbox, "yes" if on else None, optional=True)


def form_errors(values: FormValues, text_key: str) -> dict[str, str]:
    """Problems in a new-item form Liaison can see without asking anyone, shown inside the still-open form
    (field: message), so nothing the person typed is lost."""
    errors = {}
    text, case = values.get(text_key), values.get("case")
    if isinstance(text, str) and len(text) > TEXT_LIMIT:
        errors[text_key] = f"At most {TEXT_LIMIT} characters; add the rest in the card's thread."
    if isinstance(case, str) and (problem := case_number_problem(case)):
        errors["case"] = problem
    return errors
