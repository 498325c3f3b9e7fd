"""Taking part in a session: Going, Maybe or Can't from the card (partner staff from their own team), a
seat or the waitlist and a calendar invitation in the person's DM, promotion when a seat frees, check-in
in its window (with the session's code when the organizer wants one), the organizer's attendance list
and CSV, each attendee's CLE credits and certificate, and cancelling (everyone going gets the cancelling
invitation)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from commands import forms
from commands.format import plain, when
from commands.forms import Field as FormField
from commands.forms import Form
from commands.grammar import UsageError
from commands.invocation import Deps, Invocation, Reply, SlackRefused
from commands.items.fields import written_by_liaison
from commands.kinds.spec import FormValues
from commands.training import certificates, reading, sessions
from storage import disclosure, training
from storage.audit import Actor
from storage.errors import Conflict
from storage.permissions import refuse
from storage.training_calendar import invitation
from storage.training_tables import Answer, Rsvp, SessionStatus, TrainingSession

CODE_FORM = "training.code"


def answered(deps: Deps, actor: Actor, ref: str, _channel_id: str, chosen: Answer) -> Reply:
    now = deps.clock()
    name = _name(deps, actor.user_id)
    with deps.db.session() as session:
        me = deps.person(session, actor)
        row = training.load(session, ref)
        if row is None or not training.may_attend(session, me, row, deps.today()):
            who = me.partner.name if me.partner else "your organization"
            refuse(
                me,
                "training.answer",
                f"{ref} is not open to {who}, so Liaison can't take your answer.",
                subject=ref,
            )
        done = training.answer(session, me, row, chosen, name, now)
        place = _waitlist_place(training.answers(session, row), done.rsvp)
        promoted = [(r.user_id, r.name) for r in done.promoted]
        snapshot = _frozen(row)
    if done.changed:
        sessions.redraw(deps, ref)
    for user_id, who in promoted:
        deps.slack.tell(
            user_id,
            f"A seat freed up: you're going to *{ref}* ({plain(snapshot.title)}), "
            f"{when(snapshot.starts_at)}.",
        )
        send_invitation(deps, snapshot, user_id, who)
    if done.rsvp.seated and done.changed:
        send_invitation(deps, snapshot, actor.user_id, name)
        return Reply(
            f"You're going to {ref}: the calendar invitation is in your direct messages with Liaison.",
            trouble=True,
        )
    if chosen == Answer.going and place:
        return Reply(
            f"{ref} is full: you're number {place} on the waitlist, and you'll get a message if a seat "
            "frees.",
            trouble=True,
        )
    if chosen == Answer.cant and done.changed:
        send_invitation(deps, snapshot, actor.user_id, name, cancelled=True)
    return Reply(f"Noted: {reading.answer_words(done.rsvp)} for {ref}.", trouble=True)


def _waitlist_place(rows: list[Rsvp], mine: Rsvp) -> int:
    waiting = sorted(
        (r for r in rows if r.answer == Answer.going and r.waitlisted_at is not None),
        key=lambda r: (r.waitlisted_at, r.id or 0),
    )
    return next((n for n, r in enumerate(waiting, 1) if r.user_id == mine.user_id), 0)


def _frozen(row: TrainingSession) -> TrainingSession:
    """A copy of the session to use after its database session closed."""
    return TrainingSession.model_validate(row.model_dump())


def _name(deps: Deps, user_id: str) -> str:
    return user_id  # Slack's display names change; the invitation and CSV name the person by their ID


def send_invitation(
    deps: Deps, row: TrainingSession, user_id: str, name: str, *, cancelled: bool = False
) -> None:
    """The session's invitation (or, `cancelled`, its cancellation for this person) in their DM. Best
    effort: the answer is saved and shown on the card whatever Slack says."""
    shown = row.model_copy(update={"status": SessionStatus.cancelled}) if cancelled else row
    data = invitation(shown, deps.home_team_id, name, deps.clock())
    verb = "Cancelled" if shown.status == SessionStatus.cancelled else "Invitation"
    try:
        deps.slack.send_file(
            user_id, f"{row.ref}.ics", data, f"{verb}: *{row.ref}* {plain(row.title)}", data.decode("utf-8")
        )
    except SlackRefused:
        deps.slack.tell(
            user_id,
            f"Liaison could not send the calendar invitation for {row.ref}; `/training show {row.ref}` has "
            "the details.",
        )


def clicked(chosen: Answer):  # type: ignore[no-untyped-def]
    def on_click(deps: Deps, actor: Actor, ref: str, channel_id: str) -> Reply:
        return answered(deps, actor, ref, channel_id, chosen)

    return on_click


# ---- check-in ------------------------------------------------------------------------------------------


def check_in_clicked(deps: Deps, actor: Actor, ref: str, channel_id: str) -> Reply | Form:
    with deps.db.session() as session:
        me = deps.person(session, actor)
        row = training.seen(session, me, ref, deps.today())
        _window(deps, row, actor.user_id)
        if row.code is not None:
            return Form(
                callback_id=CODE_FORM,
                title="Check in",
                submit="Check in",
                fields=(FormField("code", "The session's code, shown in the room", max_length=16),),
                metadata=json.dumps({"ref": row.ref, "channel": channel_id}),
            )
    return _checked_in(deps, actor, ref, None)


def code_submitted(deps: Deps, actor: Actor, metadata: str, values: FormValues) -> Reply:
    code = values.get("code")
    return _checked_in(
        deps, actor, str(written_by_liaison(metadata).get("ref")), code if isinstance(code, str) else None
    )


def _checked_in(deps: Deps, actor: Actor, ref: str, code: str | None) -> Reply:
    now = deps.clock()
    with deps.db.session() as session:
        me = deps.person(session, actor)
        row = training.seen(session, me, ref, deps.today())
        _window(deps, row, actor.user_id)
        training.check_in(session, me, row, code, now)
    return Reply(f"Checked in to {ref} at {when(now)}.", trouble=True)


def _window(deps: Deps, row: TrainingSession, user_id: str) -> None:
    opens, closes = training.check_in_window(row)
    now = deps.clock()
    if row.status != SessionStatus.scheduled:
        raise Conflict(f"{row.ref} was cancelled.")
    if not opens <= now <= closes:
        raise Conflict(
            f"Check-in for {row.ref} is open from {when(opens)} to {when(closes)} (15 minutes before the "
            "start to 30 minutes after the end)."
        )


# ---- the organizer: attendance, export, cancel -----------------------------------------------------------


def attendance(inv: Invocation) -> Reply:
    """`/training attendance T-3 [export | add @person | remove @person]`."""
    words = inv.args.text.split()
    if not words:
        raise UsageError(f"Say which session: `{inv.usage}`.")
    now = inv.deps.clock()
    with inv.deps.db.session() as session:
        me = inv.person(session)
        row = training.seen(session, me, words[0], inv.deps.today())
        sessions.organizer_check(me, row, "see and correct its attendance")
        action = words[1].lower() if len(words) > 1 else "list"
        if action in ("add", "remove"):
            people = re.findall(r"<@([UW][A-Z0-9]+)", " ".join(words[2:]))
            if not people:
                raise UsageError(f"Say who: `/training attendance {row.ref} {action} @person`.")
            for user_id in people:
                team = inv.deps.slack.team_of(user_id)
                org = "office" if team == inv.deps.home_team_id else _org_of_team(session, team)
                training.mark(session, me, row, user_id, org, action == "add", now)
        elif action not in ("list", "export"):
            raise UsageError(
                f"`{action}` is not something attendance does; use export, add @person or remove @person."
            )
        came = training.attended(session, row)
        snapshot = sessions._frozen(row) if hasattr(sessions, "_frozen") else row
        rows = [(r.user_id, r.org, r.checked_in_at) for r in came]
        table = _csv(row, came)
    if action == "export":
        inv.deps.slack.send_file(
            inv.actor.user_id, f"{row.ref}-attendance.csv", table, f"Attendance for *{row.ref}*"
        )
        return Reply(
            f"The attendance of {row.ref} ({len(rows)} people) is in your direct messages with Liaison."
        )
    lines = [f"*{snapshot.ref} attendance: {len(rows)}*"]
    lines += [f"• <@{user}> ({org}), checked in {when(at)}" for user, org, at in rows if at is not None]
    return Reply("\n".join(lines))


def _org_of_team(session: object, team: str | None) -> str:
    from storage import partners

    partner = partners.for_team(session, team)  # type: ignore[arg-type]
    return partner.handle if partner else "unknown"


def _csv(row: TrainingSession, came: list[Rsvp]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(("name", "organization", "hours", "category", "course number", "check-in time"))
    for r in came:
        assert r.checked_in_at is not None
        writer.writerow(
            (
                r.name or r.user_id,
                r.org,
                f"{row.cle_hours:g}",
                row.cle_category,
                row.course_number or "",
                r.checked_in_at.isoformat(),
            )
        )
    return out.getvalue()


# ---- each attendee's own: credits and certificate --------------------------------------------------------


def credits(inv: Invocation) -> Reply:
    year_text = inv.args.first("year") or str(inv.deps.today().year)
    if not re.fullmatch(r"[0-9]{4}", year_text) or not 2000 <= int(year_text) <= 2100:
        raise UsageError(f"`year:{year_text}` is not a year; write it like `year:2026`.")
    year = int(year_text)
    with inv.deps.db.session() as session:
        rows = training.credits(session, inv.actor.user_id, year)
        by_category: dict[str, float] = {}
        for t, _r in rows:
            by_category[t.cle_category] = by_category.get(t.cle_category, 0.0) + t.cle_hours
        lines = [f"*Your CLE hours in {year}: {sum(by_category.values()):g}*"]
        lines += [f"• {category}: {hours:g}" for category, hours in sorted(by_category.items())]
        lines += [f"• *{t.ref}* {plain(t.title)}, {when(t.starts_at)}: {t.cle_hours:g} h" for t, _r in rows]
    return Reply("\n".join(lines if rows else [*lines, "No sessions attended that year."]))


def certificate(inv: Invocation) -> Reply:
    with inv.deps.db.session() as session:
        me = inv.person(session)
        row = training.seen(session, me, inv.args.text.strip(), inv.deps.today())
        mine = next((r for r in training.attended(session, row) if r.user_id == me.user_id), None)
        if mine is None or mine.checked_in_at is None:
            raise UsageError(
                f"Liaison has no check-in of yours for {row.ref}, so it can't certify attendance; ask the "
                "organizer to add you."
            )
        zone = ZoneInfo(inv.deps.zone_of(me.user_id))
        pdf, text = certificates.certificate(row, mine, _display_name(inv.deps, me.user_id), zone)
    inv.deps.slack.send_file(
        me.user_id, f"{row.ref}-certificate.pdf", pdf, f"Certificate of attendance for *{row.ref}*", text
    )
    return Reply(f"Your certificate for {row.ref} is in your direct messages with Liaison.")


def _display_name(deps: Deps, user_id: str) -> str:
    return user_id


def local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


# ---- feedback ----------------------------------------------------------------------------------------------

FEEDBACK_FORM = "training.feedback"


def feedback_form(deps: Deps, actor: Actor, ref: str, _channel_id: str) -> Form:
    with deps.db.session() as session:
        me = deps.person(session, actor)
        row = training.seen(session, me, ref, deps.today())
        mine = next((r for r in training.attended(session, row) if r.user_id == me.user_id), None)
        if mine is None:
            raise Conflict(f"Liaison has no check-in of yours for {row.ref}, so it asks for no feedback.")
        if mine.rating is not None:
            raise Conflict(f"You rated {row.ref} already ({mine.rating} of 5). Thank you.")
    return Form(
        callback_id=FEEDBACK_FORM,
        title="How did it go?",
        submit="Send",
        fields=(forms.rating(), forms.remark()),
        metadata=json.dumps({"ref": ref}),
        notes=("No client names or details, please.",),
    )


def feedback_submitted(deps: Deps, actor: Actor, metadata: str, values: FormValues) -> Reply:
    ref = str(written_by_liaison(metadata).get("ref"))
    rating = forms.rated(values)
    comment = values.get("comment") if isinstance(values.get("comment"), str) else None
    with deps.db.session() as session:
        me = deps.person(session, actor)
        row = training.seen(session, me, ref, deps.today())
        if comment:
            disclosure.screen_shared(
                deps.detector,
                me,
                str(comment),
                None,
                what="comment",
                kind="training",
                because=sessions.KEPT_OUT,
            )
        training.rate(session, me, row, rating, str(comment) if comment else None)
    return Reply(f"Thank you: your rating of {ref} is saved.")
