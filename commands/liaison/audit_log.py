"""`/liaison audit`: the audit log, for coordinators and admins, newest first, a page at a time."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import Session

from commands.format import when
from commands.grammar import UsageError, page_number, user_id
from commands.invocation import Invocation, Reply
from storage import audit, partners
from storage.models import Decision
from storage.permissions import Action, require

PAGE_SIZE = 20
_MARK = {Decision.done: ":white_check_mark:", Decision.allowed: ":unlock:", Decision.denied: ":no_entry:"}


def show(inv: Invocation) -> Reply:
    args = inv.args
    person = _person(args.first("user"), inv.usage)
    since = _since(args.first("since"), inv.deps.timezone, inv.usage)
    page = page_number(args.first("page"), inv.usage)
    with inv.deps.db.session() as session:
        me = inv.person(session)
        require(session, me, Action.see_audit, channel_id=inv.channel_id)
        item = args.first("item")
        if item and re.fullmatch(r"[rca]-[0-9]+", item, flags=re.IGNORECASE):
            item = item.upper()  # item IDs are stored as R-12, C-7, A-3
        subjects = [s for s in (item, _handle(session, args.first("partner"))) if s]
        found = audit.search(
            session, subjects=subjects or None, person=person, since=since, page=page, size=PAGE_SIZE
        )
    if not found.entries:
        return Reply("No audit entries match." if page == 1 else f"There is no page {page}.")
    lines = [f"*Audit log*: {found.total} entries, page {found.number} of {found.pages}, newest first"]
    for entry in found.entries:
        about = f" `{entry.subject}`" if entry.subject else ""
        where = f" in <#{entry.channel_id}>" if entry.channel_id else ""
        reason = f": {entry.reason}" if entry.reason else ""
        lines.append(
            f"{_MARK[Decision(entry.decision)]} {when(entry.at)} <@{entry.actor_user_id}> "
            f"{entry.action}{about}{where}{reason}"
        )
    if found.number < found.pages:
        command = " ".join(
            part for part in ("/liaison audit", _filters(inv), f"page:{found.number + 1}") if part
        )
        lines.append(f"More: `{command}`")
    return Reply("\n".join(lines))


def _handle(session: Session, handle: str | None) -> str | None:
    return partners.get(session, handle).handle if handle else None


def _person(value: str | None, usage: str) -> str | None:
    return None if value is None else user_id(value, "user", usage)


def _since(value: str | None, timezone: str, usage: str) -> datetime | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
        if day.year < 1900:
            raise ValueError("before any audit entry")
    except ValueError:
        raise UsageError(
            f"`since:{value}` is not a date; write it as YYYY-MM-DD.\nUsage: `{usage}`"
        ) from None
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(timezone))


def _filters(inv: Invocation) -> str:
    return " ".join(f"{k}:{v}" for k, values in inv.args.options.items() if k != "page" for v in values)
