"""`/training`: joint training sessions (storage/training.py), a Feature beside the item kinds."""

from __future__ import annotations

import re

from commands.feature import Feature
from commands.kinds.spec import CardAction, FormSpec
from commands.registry import SlashCommand, Subcommand
from commands.training import attending, changes, reading, reminders, sessions
from storage.training_tables import SCOPE, Answer

_SESSION = "T-3"
COMMAND = SlashCommand(
    name="/training",
    description="Joint training: sessions, RSVPs, reminders, attendance and CLE records.",
    subcommands=(
        Subcommand(
            "new",
            "schedule a session: a form, prefilled with anything typed (office staff).",
            sessions.new,
            arguments='[title:"..."] [start:"dec 11 2pm"] [length:90] [place:"..."] [capacity:30]',
            keys=frozenset({"title", "start", "length", "place", "capacity"}),
            opens_form=lambda _args: True,
        ),
        Subcommand(
            "list",
            "sessions, upcoming unless you say otherwise.",
            reading.listing,
            arguments="[upcoming|past|mine]",
            takes_text=True,
        ),
        Subcommand("show", "a session, and your answer.", reading.show, arguments=_SESSION, takes_text=True),
        Subcommand(
            "announce",
            "post its card (Going, Maybe, Can't, Check in) here or in the channels named, if every reader "
            "may attend.",
            sessions.announce,
            arguments=f"{_SESSION} [#channel ...]",
            takes_text=True,
        ),
        Subcommand(
            "edit",
            "change its start, length, place, title or seats: cards redrawn, updated invitations sent.",
            changes.edit,
            arguments=f'{_SESSION} [start:"dec 11 3pm"] [length:90] [place:"..."] [title:"..."] [capacity:4]',
            keys=changes.EDITABLE,
            takes_text=True,
        ),
        Subcommand(
            "cancel",
            "cancel it: the cards say so, and everyone going gets the cancelling invitation.",
            changes.cancel,
            arguments=f'{_SESSION} reason:"..."',
            keys=frozenset({"reason"}),
            takes_text=True,
        ),
        Subcommand(
            "attendance",
            "who came; `export` for the CSV, `add`/`remove @person` to correct it (organizer, coordinators).",
            attending.attendance,
            arguments=f"{_SESSION} [export|add @person|remove @person]",
            takes_text=True,
        ),
        Subcommand(
            "credits",
            "your CLE hours by category for the year.",
            attending.credits,
            arguments="[year:2026]",
            keys=frozenset({"year"}),
        ),
        Subcommand(
            "certificate",
            "your certificate of attendance, as a PDF in your DM.",
            attending.certificate,
            arguments=_SESSION,
            takes_text=True,
        ),
    ),
)

FEATURE = Feature(
    name="training",
    command=COMMAND,
    forms=(
        FormSpec(sessions.NEW_FORM, sessions.submitted, sessions.form_problems),
        FormSpec(attending.CODE_FORM, attending.code_submitted),
        FormSpec(attending.FEEDBACK_FORM, attending.feedback_submitted),
    ),
    actions=(
        *(CardAction(f"{sessions.ANSWER_ACTION}.{a}", attending.clicked(a)) for a in Answer),
        CardAction(sessions.CHECK_IN_ACTION, attending.check_in_clicked),
        CardAction(re.compile(rf"^{re.escape(reminders.FEEDBACK_ACTION)}$"), attending.feedback_form),
    ),
    tick=reminders.remind,
    digest=reminders.digest_lines,
    home=reminders.home_sections,
    scopes=(SCOPE,),
)
