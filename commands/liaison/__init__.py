"""`/liaison`: the office's own settings: the partner directory, channel links, roles, closures, the audit
log, and how Liaison sees you."""

from __future__ import annotations

from commands import digest
from commands.evaluation import reports
from commands.liaison import audit_log, closures, directory, exports, holds, people
from commands.registry import SlashCommand, Subcommand
from storage.directory import KEYS

_PARTNER_KEYS = (
    'name:"..." kind:... team:T... services:a,b mou:... mou_starts:... mou_expires:... '
    "scope:... identifying:yes|no"
)

COMMAND = SlashCommand(
    name="/liaison",
    description=(
        "Liaison's settings: partners, channels, roles, closures, the audit log, and how Liaison sees you."
    ),
    subcommands=(
        Subcommand("whoami", "show how Liaison sees you: your organization and your role.", people.whoami),
        Subcommand("partner list", "list the partner organizations.", directory.partner_list),
        Subcommand(
            "partner show",
            "show a partner's record and agreement.",
            directory.partner_show,
            arguments="handle",
            takes_text=True,
        ),
        Subcommand(
            "partner add",
            "add a partner organization (admins).",
            directory.partner_add,
            arguments=f"handle {_PARTNER_KEYS}",
            keys=KEYS,
            repeatable=frozenset({"team"}),
            takes_text=True,
        ),
        Subcommand(
            "partner edit",
            "change a partner's record; takes the same keys as add (admins).",
            directory.partner_edit,
            arguments="handle key:value ...",
            keys=KEYS,
            repeatable=frozenset({"team"}),
            takes_text=True,
        ),
        Subcommand(
            "partner deactivate",
            "stop new items going to a partner (admins).",
            directory.partner_deactivate,
            arguments="handle",
            takes_text=True,
        ),
        Subcommand(
            "channel link",
            "record which partners are in a channel (admins).",
            directory.channel_link,
            arguments="#channel partner-handle [partner-handle ...]",
            takes_text=True,
        ),
        Subcommand(
            "channel show",
            "show a channel's partners and what may be posted there.",
            directory.channel_show,
            arguments="[#channel]",
            takes_text=True,
        ),
        Subcommand(
            "role",
            "give a home-staff member a role (admins).",
            people.role,
            arguments="@person defender|coordinator|admin",
            takes_text=True,
        ),
        Subcommand(
            "digest on",
            "get a daily digest of where things stand, by DM at your local time (coordinators get one "
            "unless they turn it off).",
            digest.turn_on,
            arguments="[at:08:30] [days:weekdays|daily]",
            keys=frozenset({"at", "days"}),
        ),
        Subcommand("digest off", "stop your daily digest.", digest.turn_off),
        Subcommand("digest preview", "see today's digest now, privately.", digest.preview),
        Subcommand(
            "hold",
            "keep a case's items' text past the retention period (admins).",
            holds.place,
            arguments="case:24-CR-0113",
            keys=frozenset({"case"}),
        ),
        Subcommand(
            "hold release",
            "end a legal hold (admins).",
            holds.release,
            arguments="case:24-CR-0113",
            keys=frozenset({"case"}),
        ),
        Subcommand(
            "closed",
            "close the office on a day that is no public holiday: deadlines and reminders skip it "
            "(coordinators, admins).",
            closures.close,
            arguments='2026-12-24 reason:"courthouse closed"',
            keys=frozenset({"reason"}),
            takes_text=True,
        ),
        Subcommand(
            "closed list",
            "the public holidays and office closures of the coming year.",
            closures.show,
        ),
        Subcommand(
            "closed remove",
            "reopen a day the office had closed (coordinators, admins).",
            closures.remove,
            arguments="2026-12-24",
            takes_text=True,
        ),
        Subcommand(
            "export",
            "a CSV of referrals, consults, action items or the audit log, in your DM (coordinators, admins).",
            exports.export,
            arguments="referrals|consults|advocacy|audit [from:2026-01-01] [to:2026-12-31]",
            keys=frozenset({"from", "to"}),
            takes_text=True,
        ),
        Subcommand(
            "stats",
            "counts only: referrals by partner and need, acceptance, times to accept and close, consults' "
            "first answers, overdue share (coordinators, admins).",
            exports.show_stats,
            arguments="[from:2026-01-01] [to:2026-12-31]",
            keys=frozenset({"from", "to"}),
        ),
        Subcommand(
            "report",
            "the partnership's measures with their definitions, charts and a CSV, in your DM (coordinators, "
            "admins).",
            reports.report,
            arguments="[period:last-month|2026-11|2026-Q3|2026] [from:2026-09-01] [to:2026-10-15] "
            "[partner:handle]",
            keys=frozenset({"period", "from", "to", "partner"}),
        ),
        Subcommand(
            "audit",
            "read the audit log (coordinators and admins).",
            audit_log.show,
            arguments="[item:R-12] [partner:handle] [user:@person] [since:YYYY-MM-DD] [page:2]",
            keys=frozenset({"item", "partner", "user", "since", "page"}),
        ),
    ),
)
