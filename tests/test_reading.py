"""Reading mrkdwn as a Slack client shows it (bot/sandbox/reading.py), which `liaison demo` relies on."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.sandbox import Sandbox
from bot.sandbox.reading import PLAIN, TERMINAL, Reader, format_date

# Friday, December 4, 2026, 22:00 UTC: 5 PM in New York, 4 PM in Chicago, Saturday 11 AM in Auckland.
DUE = 1796421600
NOW = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # the Wednesday before


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox() as sandbox:
        sandbox.add_user("U0DANA", "dana", real_name="Dana Reyes")
        sandbox.add_user("U0LEE", "lee", real_name="Lee Chen", tz="America/Chicago")
        sandbox.add_channel("C0LEGAL", "legal-aid-shared", members=["U0DANA", "U0LEE"])
        yield sandbox


def _reader(sb: Sandbox, user: str, style: object = PLAIN) -> Reader:
    return Reader(sb.workspace, sb.workspace.users[user], style, now=NOW)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("template", "zone", "shown"),
    [
        ("{date_short_pretty} {time}", "America/New_York", "Dec 4, 2026 5:00 PM"),
        ("{date_short_pretty} {time}", "America/Chicago", "Dec 4, 2026 4:00 PM"),
        ("{date_long}", "Pacific/Auckland", "Saturday, December 5th, 2026"),
        ("{date_num} {time_secs}", "UTC", "2026-12-04 10:00:00 PM"),
        ("{date}", "America/New_York", "December 4th, 2026"),
        ("{date_long_full}, {date_slash}", "America/New_York", "December 4, 2026, 04/12/2026"),
    ],
)
def test_dates_are_shown_in_the_readers_zone(template: str, zone: str, shown: str) -> None:
    assert format_date(DUE, template, zone, NOW) == shown


def test_pretty_dates_say_today_and_tomorrow_capitalized_only_first() -> None:
    tomorrow = int(datetime(2026, 12, 3, 18, 0, tzinfo=UTC).timestamp())
    assert format_date(tomorrow, "{date_pretty} at {time}", "America/New_York", NOW) == "Tomorrow at 1:00 PM"
    assert format_date(tomorrow, "due {date_short_pretty}", "America/New_York", NOW) == "due tomorrow"
    assert format_date(tomorrow, "{day_divider_pretty}", "Asia/Tokyo", NOW) == "Tomorrow"  # Dec 3 there now
    assert format_date(DUE, "{day_divider_pretty}", "Asia/Tokyo", NOW) == "Saturday, December 5th"


def test_an_unknown_token_falls_back_as_a_client_does(sb: Sandbox) -> None:
    assert format_date(DUE, "{date_weird}", "UTC", NOW) is None
    assert (
        _reader(sb, "U0DANA").text(f"due <!date^{DUE}^{{date_weird}}|Dec 4 22:00 UTC>")
        == "due Dec 4 22:00 UTC"
    )


def test_mentions_channels_links_and_dates_read_as_names_text_and_local_times(sb: Sandbox) -> None:
    raw = (
        f"<@U0DANA>, see <#C0LEGAL> and <https://example.org/r/1|Open the card>; due "
        f"<!date^{DUE}^{{date_short_pretty}} {{time}}|2026-12-04 22:00 UTC> <!here> &lt;ok&gt; &amp; "
        "<#C9GONE|old>"
    )
    shown = "@Dana Reyes, see #legal-aid-shared and Open the card; due Dec 4, 2026 {} @here <ok> & #old"
    assert _reader(sb, "U0DANA").text(raw) == shown.format("5:00 PM")
    assert _reader(sb, "U0LEE").text(raw) == shown.format("4:00 PM")


def test_emphasis_code_and_quotes_are_formatting_not_marks(sb: Sandbox) -> None:
    raw = "*R-1* is _now_ ~open~ `done`\n> a quote\nsnake_case and 2*3*4 stay\n```\n*not bold*\n```"
    assert (
        _reader(sb, "U0DANA").text(raw)
        == "R-1 is now open done\n│ a quote\nsnake_case and 2*3*4 stay\n*not bold*"
    )
    styled = _reader(sb, "U0DANA", TERMINAL).text("*R-1* and `code`")
    assert styled == "\x1b[1mR-1\x1b[22m and \x1b[36mcode\x1b[39m"


def test_blocks_read_as_lines(sb: Sandbox) -> None:
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "R-1 · Referral"}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "Needs <@U0LEE>"},
            "fields": [
                {"type": "mrkdwn", "text": "*Status*\nrequested"},
                {"type": "mrkdwn", "text": "*Due*\nFri"},
            ],
        },
        {
            "type": "actions",
            "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Accept"}}],
        },
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "_from the office_"}]},
    ]
    assert _reader(sb, "U0DANA").blocks(blocks) == [
        "R-1 · Referral",
        "Needs @Lee Chen",
        "Status: requested · Due: Fri",
        "[Accept]",
        "from the office",
    ]
