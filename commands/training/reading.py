"""Reading about training: the lists of sessions one may attend, and a session with one's answer and its
materials (a library entry named by its ID shows its title and link to whoever may see it)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from commands.format import plain, when
from commands.grammar import UsageError
from commands.invocation import Invocation, Reply
from commands.training.sessions import read_back
from storage import library, training
from storage.people import Person
from storage.training_tables import Answer, Rsvp, SessionStatus


def listing(inv: Invocation) -> Reply:
    which = (inv.args.text.strip().lower() or "upcoming").split()[0]
    if which not in ("upcoming", "past", "mine"):
        raise UsageError(f"`{which}` is not a list; use upcoming, past or mine.")
    now, today = inv.deps.clock(), inv.deps.today()
    with inv.deps.db.session() as session:
        me = inv.person(session)
        rows = [
            r
            for r in training.listed(session, which, me.user_id, now)
            if training.may_attend(session, me, r, today)
        ]
        lines = [f"*Training ({which}): {len(rows)}*"]
        lines += [f"• *{r.ref}* {plain(r.title)}, {when(r.starts_at)}, {r.status}" for r in rows[:25]]
    return Reply("\n".join(lines if rows else [*lines, "Nothing here."]))


def show(inv: Invocation) -> Reply:
    with inv.deps.db.session() as session:
        me = inv.person(session)
        row = training.seen(session, me, inv.args.text.strip(), inv.deps.today())
        answers = training.answers(session, row)
        mine = next((a for a in answers if a.user_id == me.user_id), None)
        lines = [f"*{row.ref} · {plain(row.title)}*", read_back(row, inv.deps.zone_of(me.user_id)) + "."]
        if row.description:
            lines.append(plain(row.description))
        if row.materials:
            lines.append(
                "Materials: " + ", ".join(_material(session, me, m, inv.deps.today()) for m in row.materials)
            )
        if row.status == SessionStatus.cancelled:
            lines.append(f"*Cancelled*: {plain(row.cancel_reason or '')}")
        lines.append(f"Your answer: {answer_words(mine)}")
        if me.user_id == row.organizer_id and row.code:
            lines.append(f"Check-in code: *{row.code}*")
    return Reply("\n".join(lines))


def _material(session: Session, me: Person, named: str, today: date) -> str:
    """A material as typed, or a library entry the person may see, with its title and link."""
    entry = library.load(session, named)
    if entry is None or entry.status not in library.SEEN or not library.may_see(session, me, entry, today):
        return plain(named)
    link = f" <{entry.link}|link>" if entry.link else ""
    return f"*{entry.ref}* ({entry.kind}: {plain(entry.title)}){link}"


def answer_words(row: Rsvp | None) -> str:
    if row is None:
        return "none yet"
    if row.answer == Answer.going and row.waitlisted_at is not None:
        return "going, on the waitlist"
    return {Answer.going: "going", Answer.maybe: "maybe", Answer.cant: "can't"}[Answer(row.answer)]
