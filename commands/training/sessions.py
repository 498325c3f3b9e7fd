"""Training sessions on the Slack side: the new-session form, its read-back, the announcement card (with
Going, Maybe, Can't and Check in) posted only where every reader may attend, list, show, edit and cancel.
A change or a cancellation redraws every card and sends everyone going an updated invitation."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from commands.cards import Button, Card
from commands.format import plain, when
from commands.forms import Choice, FieldKind, Form
from commands.forms import Field as FormField
from commands.grammar import UsageError
from commands.invocation import Deps, Invocation, Reply
from commands.kinds.spec import FormValues
from storage import disclosure, partners, training, training_plans
from storage.audit import Actor
from storage.deadlines import parse_start
from storage.disclosure import Permit
from storage.errors import InvalidInput
from storage.library_tables import Audience
from storage.models import Role
from storage.people import Affiliation, Person
from storage.permissions import refuse
from storage.training_plans import CATEGORIES, Plan
from storage.training_tables import Answer, SessionStatus, TrainingSession

NEW_FORM = "training.new"
ANSWER_ACTION = "training.answer"  # training.answer.going, .maybe, .cant
CHECK_IN_ACTION = "training.check_in"
KEPT_OUT = "Training announcements are read by several organizations"
AUDIENCES = (
    Choice(Audience.agreement, "Every partner whose agreement covers training"),
    Choice(Audience.partners, "Only the partners named below"),
    Choice(Audience.office, "The office only"),
)


def new(inv: Invocation) -> Reply:
    """`/training new`: the form (office staff), prefilled with anything typed."""
    with inv.deps.db.session() as session:
        _office_only(inv.person(session), "schedule training")
    typed = {key: inv.args.first(key) for key in ("title", "start", "length", "place", "capacity")}
    return Reply("", form=new_form(inv.channel_id or "", typed))


def new_form(channel_id: str, typed: dict[str, str | None]) -> Form:
    return Form(
        callback_id=NEW_FORM,
        title="New training session",
        submit="Schedule",
        fields=(
            FormField("title", "Title", value=typed.get("title"), max_length=200),
            FormField("description", "What it covers", FieldKind.long_text, optional=True, max_length=2000),
            FormField(
                "start", "Start, in your time zone", value=typed.get("start"), hint="Like `dec 11 2pm`."
            ),
            FormField("length", "Length", value=typed.get("length") or "60", hint="Minutes, or `1h30`."),
            FormField("place", "Room or video link", value=typed.get("place"), max_length=300),
            FormField(
                "audience", "Who may attend", FieldKind.choice, value=Audience.agreement, choices=AUDIENCES
            ),
            FormField(
                "partners",
                "Partners (when only named ones may)",
                optional=True,
                hint="Handles, comma-separated.",
            ),
            FormField(
                "capacity", "Seats", value=typed.get("capacity"), optional=True, hint="Empty: no limit."
            ),
            FormField(
                "presenters",
                "Presenters",
                optional=True,
                hint="Names, comma-separated, from any organization.",
            ),
            FormField("cle_hours", "CLE hours", optional=True, hint="Like 1.5; empty for none."),
            FormField(
                "cle_category",
                "CLE category",
                FieldKind.choice,
                value="general",
                choices=tuple(Choice(c, c) for c in CATEGORIES),
            ),
            FormField("course_number", "CLE course number", optional=True, max_length=64),
            FormField("cle_state", "Accrediting state", optional=True, hint="Like IL.", max_length=8),
            FormField(
                "materials",
                "Materials",
                optional=True,
                hint="Links or library entries (RS-12), comma-separated.",
            ),
            FormField("code", "Ask for a session code at check-in", FieldKind.checkbox, optional=True),
            FormField(
                "repeat",
                "Repeat",
                FieldKind.choice,
                value="none",
                choices=(Choice("none", "no"), Choice("weekly", "weekly"), Choice("monthly", "monthly")),
            ),
            FormField("times", "How many sessions in all", optional=True, hint="2 to 12, when it repeats."),
        ),
        metadata=json.dumps({"channel": channel_id}),
        notes=("Announcements are read by several organizations: no client names, numbers or case details.",),
    )


def _text(values: FormValues, key: str) -> str:
    value = values.get(key)
    return value.strip() if isinstance(value, str) else ""


def plan_of(deps: Deps, me: Person, values: FormValues) -> Plan:
    """The form's values read and checked; each problem names its field."""
    plan = Plan()
    problems = plan.problems
    plan.title = _text(values, "title")
    if not plan.title:
        problems["title"] = "A session needs a title."
    plan.description = _text(values, "description")
    try:
        plan.starts_at = parse_start(_text(values, "start"), deps.zone_of(me.user_id), deps.clock())
    except InvalidInput as exc:
        problems["start"] = exc.message
    plan.minutes = training_plans.minutes_of(_text(values, "length"), problems)
    plan.place = _text(values, "place")
    if not plan.place:
        problems["place"] = "Say where: a room, or a video link."
    plan.audience = _text(values, "audience") or Audience.agreement
    if plan.audience not in Audience.__members__.values():
        problems["audience"] = f"`{plan.audience}` is not an audience; use one of {', '.join(Audience)}."
    plan.readers = [h.lower() for h in re.split(r"[,\s]+", _text(values, "partners")) if h]
    if plan.audience == Audience.partners and not plan.readers:
        problems["partners"] = "Name the partners whose people may attend (their handles)."
    plan.capacity = training_plans.capacity_of(_text(values, "capacity"), problems)
    plan.presenters = [p.strip() for p in _text(values, "presenters").split(",") if p.strip()]
    plan.cle_hours = training_plans.hours_of(_text(values, "cle_hours"), problems)
    plan.cle_category = _text(values, "cle_category") or "general"
    if plan.cle_category not in CATEGORIES:
        problems["cle_category"] = (
            f"`{plan.cle_category}` is not a CLE category; use one of {', '.join(CATEGORIES)}."
        )
    plan.course_number = _text(values, "course_number") or None
    plan.cle_state = _text(values, "cle_state").upper() or None
    plan.materials = [m.strip() for m in _text(values, "materials").split(",") if m.strip()]
    plan.code = values.get("code") is True
    return plan


def form_problems(values: FormValues) -> dict[str, str]:
    """What the still-open form can show without knowing who sent it (the start needs their zone)."""
    found: dict[str, str] = {}
    if not _text(values, "title"):
        found["title"] = "A session needs a title."
    training_plans.minutes_of(_text(values, "length"), found)
    training_plans.capacity_of(_text(values, "capacity"), found)
    training_plans.hours_of(_text(values, "cle_hours"), found)
    return found


def submitted(deps: Deps, actor: Actor, _metadata: str, values: FormValues) -> Reply:
    with deps.db.session() as session:
        me = deps.person(session, actor)
        _office_only(me, "schedule training")
        plan = plan_of(deps, me, values)
        if plan.problems:
            raise UsageError("Nothing was scheduled: " + " ".join(plan.problems.values()))
        for name, words in _texts(plan).items():
            disclosure.screen_shared(
                deps.detector, me, words, None, what=name, kind="training", because=KEPT_OUT
            )
        zone = deps.zone_of(actor.user_id)
        repeat, times = training_plans.series_of(_text(values, "repeat"), _text(values, "times"))
        rows = [
            training.create(session, me, replace(plan, starts_at=start), deps.clock())
            for start in training_plans.series(plan.starts_at, zone, repeat, times)
        ]
        said = read_back(rows[0], zone)
        code = f" Check-in code: *{rows[0].code}* (show it in the room)." if rows[0].code else ""
        more = f" Also scheduled, {repeat}: {', '.join(r.ref for r in rows[1:])}." if len(rows) > 1 else ""
    return Reply(
        f"Scheduled *{rows[0].ref}*: {said}.{code}{more} Announce it with "
        f"`/training announce {rows[0].ref} #channel`."
    )


def _texts(plan: Plan) -> dict[str, str]:
    """Every piece of the session a person typed that others will read (the guard reads each)."""
    texts = {
        "title": plan.title,
        "description": plan.description,
        "place": plan.place,
        "presenters": ", ".join(plan.presenters),
        "materials": ", ".join(plan.materials),
        "course number": plan.course_number or "",
        "accrediting state": plan.cle_state or "",
    }
    return {name: words for name, words in texts.items() if words}


def read_back(row: TrainingSession, zone: str) -> str:
    """The session in words, in the reader's zone, so a misread start is caught."""
    local = row.starts_at.astimezone(ZoneInfo(zone))
    seats = f"{row.capacity} seats" if row.capacity else "no seat limit"
    cle = f", {row.cle_hours:g} CLE hours ({row.cle_category})" if row.cle_hours else ""
    # With its year: "nov 20" typed on November 24 means next year's, and the read-back must show that.
    moment = f"{local:%A, %B} {local.day}, {local.year}, {local:%-I:%M %p %Z}"
    return f"{plain(row.title)}, {moment}, {row.minutes} minutes, at {plain(row.place)}, {seats}{cle}"


def card(session: Session, row: TrainingSession) -> Card:
    answers = training.answers(session, row)
    counted = training.counts(answers)
    names = {p.handle: p.name for p in partners.everyone(session)}
    by_org = (
        ", ".join(
            f"{names.get(org, 'the office') if org != 'office' else 'the office'} {n}"
            for org, n in sorted(counted.by_org.items())
        )
        or "nobody yet"
    )
    left = counted.seats_left(row.capacity)
    seats = (
        "no limit"
        if left is None
        else (f"{left} of {row.capacity} left" if left else f"full ({row.capacity})")
    )
    fields = [
        ("When", when(row.starts_at)),
        ("Length", f"{row.minutes} minutes"),
        ("Where", plain(row.place)),
        ("Seats", seats + (f", {counted.waitlist} waiting" if counted.waitlist else "")),
        ("Going", by_org),
        ("Maybe", str(counted.maybe)),
    ]
    if row.cle_hours:
        fields.append(
            (
                "CLE",
                f"{row.cle_hours:g} h {row.cle_category}" + (f" ({row.cle_state})" if row.cle_state else ""),
            )
        )
    if row.presenters:
        fields.append(("Presenters", plain(", ".join(row.presenters))))
    value = json.dumps({"ref": row.ref})
    cancelled = row.status == SessionStatus.cancelled
    buttons = (
        ()
        if cancelled
        else (
            *(
                Button(word, f"{ANSWER_ACTION}.{a}", value, "primary" if a == Answer.going else None)
                for a, word in _ANSWER_WORDS
            ),
            Button("Check in", CHECK_IN_ACTION, value),
        )
    )
    return Card(
        title=f"{row.ref} · Training: {row.title}"[:150],
        fields=tuple(fields),
        body=plain(row.description[:600])
        if not cancelled
        else f"*Cancelled*: {plain(row.cancel_reason or '')}",
        buttons=buttons,
        notes=("Going? You'll get a calendar invitation in your direct messages with Liaison.",),
    )


_ANSWER_WORDS = ((Answer.going, "Going"), (Answer.maybe, "Maybe"), (Answer.cant, "Can't"))


def redraw(deps: Deps, ref: str) -> None:
    """Every announcement card of the session, as it stands now."""
    with deps.db.session() as session:
        row = training.load(session, ref)
        if row is None:
            return
        drawn = card(session, row)
        places = [(p.channel_id, p.ts) for p in training.posts(session, row)]
    for channel_id, ts in places:
        deps.slack.update_card(channel_id, ts, drawn, Permit(None))


def announce(inv: Invocation) -> Reply:
    """`/training announce T-3 [#channel ...]`: its card where every reader's organization may attend."""
    words = inv.args.text.split()
    if not words:
        raise UsageError(f"Say which session: `{inv.usage}`.")
    channels = [c.split("|")[0].lstrip("<#") for c in words[1:] if c.startswith("<#")] or [
        inv.channel_id or ""
    ]
    today = inv.deps.today()
    with inv.deps.db.session() as session:
        me = inv.person(session)
        row = training.seen(session, me, words[0], today)
        _organizer(me, row, "announce it")
        if row.status != SessionStatus.scheduled:
            raise UsageError(f"{row.ref} was cancelled.")
        for channel in channels:
            why = _who_may_not(
                session, row, inv.deps.slack.place(channel, fresh=True).external_teams, channel, today
            )
            if why:
                refuse(
                    me,
                    "training.announce",
                    f"{row.ref} can't be announced in <#{channel}>: {why}",
                    subject=row.ref,
                    channel_id=channel,
                )
        drawn = card(session, row)
    posted = []
    for channel in channels:
        ts = inv.deps.slack.post_card(channel, drawn, Permit(None))
        with inv.deps.db.session() as session:
            current = training.load(session, row.ref)
            assert current is not None
            training.post(session, current, channel, ts)
        posted.append(f"<#{channel}>")
    return Reply(f"Announced {row.ref} in {', '.join(posted)}.")


def _who_may_not(
    session: Session, row: TrainingSession, teams: frozenset[str], channel_id: str, today: date
) -> str:
    """Why some organization that reads the channel may not attend; "" when every one may."""
    barred = partners.barred(
        session, channel_id, teams, lambda p: training.partner_may_attend(session, row, p, today)
    )
    if barred is None:
        return "people of an organization Liaison does not know read this channel."
    if not barred:
        return ""
    verb, be = ("reads", "is") if len(barred) == 1 else ("read", "are")
    return f"{' and '.join(barred)} {verb} this channel and {be} not in its audience."


def _office_only(me: Person, what: str) -> None:
    if me.affiliation != Affiliation.home:
        refuse(me, "training.new", f"Only the office's staff can {what}.")


def _organizer(me: Person, row: TrainingSession, what: str) -> None:
    _office_only(me, what)
    if me.user_id != row.organizer_id and me.role not in (Role.coordinator, Role.admin):
        refuse(
            me,
            "training.organize",
            f"Only {row.ref}'s organizer or a coordinator can {what}.",
            subject=row.ref,
        )


def organizer_check(me: Person, row: TrainingSession, what: str) -> None:
    _organizer(me, row, what)


def now_in(deps: Deps, user_id: str) -> datetime:
    return deps.clock().astimezone(ZoneInfo(deps.zone_of(user_id)))
