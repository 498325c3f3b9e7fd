"""`/liaison export referrals|consults|advocacy|audit [from:] [to:]` (a CSV in your DM) and `/liaison stats
[from:] [to:]` (counts only), for coordinators and admins."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from commands.grammar import UsageError
from commands.invocation import Invocation, Reply
from storage import exports
from storage.permissions import Action, require
from storage.stats import Stats, stats


def period(inv: Invocation) -> exports.Period:
    """`from:` and `to:` as office days (both included), read and cut to what Liaison can hold."""

    def day(key: str) -> date | None:
        value = inv.args.first(key)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise UsageError(
                f"`{key}:{value}` is not a date; write it as YYYY-MM-DD.\nUsage: `{inv.usage}`"
            ) from None

    first, last = day("from"), day("to")
    if first and last and last < first:
        raise UsageError(f"`to:` comes before `from:`.\nUsage: `{inv.usage}`")
    return exports.period(first, last, ZoneInfo(inv.deps.timezone), inv.deps.clock())


def export(inv: Invocation) -> Reply:
    words = [w.lower() for w in inv.args.words]
    choices = exports.choices(inv.deps.kinds)
    if len(words) != 1 or words[0] not in choices:
        raise UsageError(f"Export one of {', '.join(f'`{w}`' for w in choices)}.\nUsage: `{inv.usage}`")
    span = period(inv)
    with inv.deps.db.session() as session:
        require(session, inv.person(session), Action.see_audit)
        table = exports.rows(session, inv.deps.kinds, words[0], span.since, span.until)
    name = f"liaison-{words[0]}-{inv.deps.today().isoformat()}.csv"
    inv.deps.slack.send_file(
        inv.actor.user_id, name, exports.as_csv(table), f"{len(table) - 1} {words[0]} rows, {span.words}."
    )
    return Reply(f"Sent `{name}` to your direct messages with Liaison: {len(table) - 1} rows, {span.words}.")


def show_stats(inv: Invocation) -> Reply:
    span = period(inv)
    with inv.deps.db.session() as session:
        require(session, inv.person(session), Action.see_audit)
        found = stats(session, span.since, span.until, inv.deps.clock())
    return Reply(render(found, span.words))


def render(found: Stats, span: str) -> str:
    lines = [f"*Liaison, {span}* (counts only)", f"Referrals: {found.referrals}"]
    lines += [f"• {partner}, {need}: {count}" for partner, need, count in found.by_partner_need]
    lines += [
        f"Acceptance rate: {_share(found.acceptance_rate)}",
        f"Median time to accept: {_hours(found.median_hours_to_accept)}",
        f"Median time to close: {_hours(found.median_hours_to_close)}",
        f"Closed with an outcome: {_share(found.closed_with_outcome)}",
        f"Consults: {found.consults}",
        f"Median time to a consult's first answer: {_hours(found.median_hours_to_first_answer)}",
        f"Open and overdue: {_share(found.overdue_share)}",
    ]
    return "\n".join(lines)


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _hours(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} hours"
