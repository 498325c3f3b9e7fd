"""Changing a session after it was announced: `edit` (its start, length, place, title or seats) and
`cancel`. Either redraws every card and sends everyone going the updated (or cancelling) invitation,
with a SEQUENCE one higher, so their calendars follow."""

from __future__ import annotations

from commands.format import plain, when
from commands.grammar import UsageError
from commands.invocation import Invocation, Reply
from commands.training import sessions
from commands.training.attending import _frozen, send_invitation
from storage import disclosure, training, training_plans
from storage.deadlines import parse_start
from storage.errors import InvalidInput
from storage.training_tables import Answer, SessionStatus

EDITABLE = frozenset({"title", "start", "length", "place", "capacity"})


def edit(inv: Invocation) -> Reply:
    """`/training edit T-3 [start:...] [length:...] [place:...] [title:...] [capacity:...]`."""
    changes = {key: inv.args.first(key) for key in EDITABLE if inv.args.first(key) is not None}
    if not changes:
        raise UsageError(f"Say what changes: `{inv.usage}`.")
    now = inv.deps.clock()
    with inv.deps.db.session() as session:
        me = inv.person(session)
        row = training.seen(session, me, inv.args.text.strip(), inv.deps.today())
        sessions.organizer_check(me, row, "change it")
        if row.status != SessionStatus.scheduled:
            raise UsageError(f"{row.ref} was cancelled; schedule a new session instead.")
        problems: dict[str, str] = {}
        if "start" in changes:
            try:
                row.starts_at = parse_start(changes["start"] or "", inv.deps.zone_of(me.user_id), now)
            except InvalidInput as exc:
                problems["start"] = exc.message
        if "length" in changes:
            row.minutes = training_plans.minutes_of(changes["length"], problems)
        answers = training.answers(session, row)
        if "capacity" in changes:
            capacity = training_plans.capacity_of(changes["capacity"], problems)
            seated = training.counts(answers).going
            if capacity is not None and capacity < seated:
                problems["capacity"] = (
                    f"{seated} people have seats already; a capacity below that would take seats back. "
                    f"Give at least {seated}."
                )
            row.capacity = capacity
        for key in ("title", "place"):
            if key in changes:
                text = (changes[key] or "").strip()
                if not text:
                    problems[key] = f"The {key} can't be empty."
                disclosure.screen_shared(
                    inv.deps.detector,
                    me,
                    text,
                    inv.channel_id,
                    what=key,
                    kind="training",
                    because=sessions.KEPT_OUT,
                )
                setattr(row, key, text)
        if problems:
            raise UsageError("Nothing was changed: " + " ".join(problems.values()))
        training.changed(session, me, row)
        promoted = [(r.user_id, r.name) for r in training.promote(session, row, answers, now)]
        going = [(r.user_id, r.name) for r in answers if r.seated]
        snapshot = _frozen(row)
        said = sessions.read_back(row, inv.deps.zone_of(me.user_id))
    sessions.redraw(inv.deps, snapshot.ref)
    for user_id, _name in promoted:
        inv.deps.slack.tell(
            user_id, f"A seat freed up: you're going to *{snapshot.ref}*, {when(snapshot.starts_at)}."
        )
    for user_id, name in {*going, *promoted}:
        send_invitation(inv.deps, snapshot, user_id, name)
    return Reply(f"Changed {snapshot.ref}: {said}. Everyone going was sent the updated invitation.")


def cancel(inv: Invocation) -> Reply:
    reason = (inv.args.first("reason") or "").strip()
    if not reason:
        raise UsageError(f"Say why, for the people who were going: `{inv.usage}`.")
    with inv.deps.db.session() as session:
        me = inv.person(session)
        row = training.seen(session, me, inv.args.text.strip(), inv.deps.today())
        sessions.organizer_check(me, row, "cancel it")
        if row.status == SessionStatus.cancelled:
            raise UsageError(f"{row.ref} is cancelled already.")
        disclosure.screen_shared(
            inv.deps.detector,
            me,
            reason,
            inv.channel_id,
            what="reason",
            kind="training",
            because=sessions.KEPT_OUT,
        )
        training.cancel(session, me, row, reason)
        going = [
            (r.user_id, r.name)
            for r in training.answers(session, row)
            if r.answer in (Answer.going, Answer.maybe)
        ]
        snapshot = _frozen(row)
    sessions.redraw(inv.deps, snapshot.ref)
    for user_id, name in going:
        inv.deps.slack.tell(
            user_id, f"*{snapshot.ref}* ({plain(snapshot.title)}) is cancelled: {plain(reason)}"
        )
        send_invitation(inv.deps, snapshot, user_id, name)
    return Reply(
        f"Cancelled {snapshot.ref}; {len(going)} people were told and sent the cancelling invitation."
    )
