"""A report of the partnership's measures, as a person reads it in their DM: who asked for it, when, for
which period and data cut-off; a short summary; every measure with its definition beside it; each
partner's headline figures; the charts; and the numbers as a CSV. A version that leaves the office (a
partner's monthly report) shows any count below 5 as "fewer than 5", and no charts or comments."""

from __future__ import annotations

from dataclasses import dataclass

from commands.cards import Image
from commands.evaluation import charts
from commands.format import plain, when
from commands.invocation import Deps, SlackRefused
from storage import exports
from storage.evaluation import Evaluation
from storage.measures import SMALL, Measure, Unit

FEWER = f"fewer than {SMALL}"


@dataclass(frozen=True)
class Audience:
    """Who will read it: the office's coordinators (everything), or a partner outside the office."""

    outside: bool
    asked_by: str | None = None  # a person who asked for it; None: the monthly report


OFFICE, PARTNER = Audience(outside=False), Audience(outside=True)


def value(measure: Measure, audience: Audience) -> str:
    small = audience.outside and measure.basis < SMALL
    if measure.unit == Unit.number:
        return FEWER if small else f"{measure.value:,.0f}"
    if measure.value is None:
        return "n/a: nothing to compute it from"
    if small:
        return f"not shown: from {FEWER}"
    if hidden := _hidden_share(measure, audience):
        return hidden
    if measure.unit == Unit.share:
        return f"{measure.value:.0%} of {measure.basis}"
    if measure.unit == Unit.rating:
        return f"{measure.value:.1f} of 5, from {measure.basis} answers"
    return f"{measure.value:,.1f} hours"


def _hidden_share(measure: Measure, audience: Audience) -> str | None:
    """A share outside the office says no more than its counts would: "17% of 6" is 1 of 6, so a share
    whose part, or the rest, is a count from 1 to 4 is given only as that."""
    if not audience.outside or measure.unit != Unit.share or measure.value is None:
        return None
    part = round(measure.value * measure.basis)
    if 0 < part < SMALL:
        return f"{FEWER} of {measure.basis}"
    if 0 < measure.basis - part < SMALL:
        return f"all but {FEWER} of {measure.basis}"
    return None


def text(found: Evaluation, audience: Audience, office_zone: str) -> str:
    about = f" for {found.partner.name}" if found.partner is not None else ""
    asked = f"Asked for by <@{audience.asked_by}>" if audience.asked_by else "Liaison's monthly report"
    lines = [
        f"*Partnership report{about}: {found.period.words}*",
        f"{asked} · built {when(found.cutoff)} · data as they stood then · "
        f"period {found.period.first:%B} {found.period.first.day} to {found.period.last:%B} "
        f"{found.period.last.day}, {found.period.last.year}, office days ({office_zone})",
    ]
    if found.empty:
        lines.append(
            "\nNothing was recorded in this period: no referrals, consults, action items, training or "
            "library activity, and no feedback. There is nothing to chart; try a longer period, "
            "like `period:2026`."
        )
        return "\n".join(lines)
    lines.append(f"\n*Summary*: {summary(found, audience)}")
    for section in found.sections:
        lines.append(f"\n*{section.title}*")
        lines += [f"• {m.label}: *{value(m, audience)}* · _{m.definition}_" for m in section.measures] or [
            "• nothing in this period"
        ]
    if found.by_partner and found.partner is None:
        lines.append("\n*By partner* (definitions as above)")
        for name, measures in found.by_partner:
            lines.append(
                f"• *{plain(name)}*: " + " · ".join(f"{m.label} {value(m, audience)}" for m in measures)
            )
    if found.comments and not audience.outside:
        lines.append("\n*Comments* (the office's coordinators only)")
        lines += [f"• {who}: “{plain(said)}”" for who, said in found.comments]
    lines.append(
        "\nThe numbers are in the CSV beside this message"
        + ("." if audience.outside else "; the charts are below.")
    )
    return "\n".join(lines)


def summary(found: Evaluation, audience: Audience) -> str:
    measures = {m.key: m for s in found.sections for m in s.measures}
    parts = [
        f"{value(measures['referrals_sent'], audience)} referrals sent",
        f"{value(measures['referrals_accepted'], audience)} accepted",
        f"first response in {value(measures['first_response_median_hours'], audience)} at the median",
        f"overdue: {value(measures['referrals_overdue_share'], audience)}",
        f"{value(measures['consults_sent'], audience)} consults, answered on time: "
        f"{value(measures['consults_on_time_share'], audience)}",
    ]
    return "; ".join(parts) + "."


def as_csv(found: Evaluation, audience: Audience) -> str:
    """The report's numbers; every cell made inert (exports.as_csv), so a partner named "=1+2 Civil" is a
    name in a spreadsheet, not a formula."""
    table = [["scope", "section", "measure", "label", "value", "unit", "based_on", "definition"]]
    about = found.partner.name if found.partner is not None else "overall"
    meta = {
        "period": found.period.words,
        "from": found.period.first.isoformat(),
        "to": found.period.last.isoformat(),
        "data_cutoff": found.cutoff.isoformat(timespec="seconds"),
        "asked_by": audience.asked_by or "monthly report",
    }
    table += [["report", "about", key, key, said, "", "", ""] for key, said in meta.items()]
    rows = [(about, s.title, m) for s in found.sections for m in s.measures]
    if found.partner is None:
        rows += [(name, "By partner", m) for name, measures in found.by_partner for m in measures]
    for scope, section, m in rows:
        small = audience.outside and m.basis < SMALL  # a count's basis is the count itself
        based_on = FEWER if small else str(m.basis)
        table.append(
            [scope, section, m.key, m.label, _csv_value(m, audience), m.unit, based_on, m.definition]
        )
    return exports.as_csv(table)


def _csv_value(measure: Measure, audience: Audience) -> str:
    if audience.outside and measure.basis < SMALL:
        return FEWER
    if hidden := _hidden_share(measure, audience):
        return hidden
    if measure.value is None:
        return ""
    return f"{measure.value:.0f}" if measure.unit == Unit.number else f"{measure.value:.3f}"


def drawn(found: Evaluation) -> list[charts.Chart]:
    return [
        charts.weekly_flow(found.weeks),
        charts.first_response(found.response_hours),
        charts.open_ages(found.ages),
    ]


def send(deps: Deps, user_id: str, found: Evaluation, audience: Audience) -> str | None:
    """The report in the person's DM: the message with its charts (not for readers outside the office:
    a bar's height would show a count below 5), then the CSV. Raises SlackRefused if the message did not
    go; once it went, a refused CSV is not a refused report (sending it again would send it twice): the
    refusal's code is returned instead, for the caller to tell the person."""
    images: tuple[Image, ...] = ()
    if not audience.outside and not found.empty:
        images = tuple(
            Image(deps.slack.upload_image(f"{c.name}.png", c.png, c.alt_text), c.alt_text, c.title)
            for c in drawn(found)
        )
    deps.slack.send_dm(user_id, text(found, audience, deps.timezone), images=images)
    if found.empty:
        return None
    name = f"liaison-report-{found.period.first.isoformat()}-{found.period.last.isoformat()}.csv"
    try:
        deps.slack.send_file(
            user_id, name, as_csv(found, audience), f"The numbers of the report: {found.period.words}."
        )
    except SlackRefused as refused:
        return refused.code
    return None
