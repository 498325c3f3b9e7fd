"""The shared case-resource library through the real bot, on SQLite and PostgreSQL: entries added by the
office, found by partner staff from the shelf only as their agreement allows, suggested and approved,
shared only where every reader may see them, reminded once when due for review, imported in bulk."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from bot.sandbox import Sandbox, visible_text
from storage.library import DEFAULT_TOPICS
from tests.databases import BACKENDS
from tests.inprocess import InProcessBot, in_process_bot
from tests.office import (
    ADMIN,
    CIVIL_TEAM,
    CIVIL_USER,
    DEFENDER,
    OFFICE_CHANNEL,
    PARTNER_TEAM,
    PARTNER_USER,
    SHARED_CHANNEL,
    Bot,
    fill_form,
    office,
)
from tests.office import command as typed

CIVIL_CHANNEL = "C0CIVIL"  # shared with Civil Rights Org, whose agreement does not cover resources
MEMO = {
    "kind": {"value": "memo"},
    "title": {"value": "Suppressing cell-site location data after Carpenter"},
    "summary": {"value": "Research memo on motions to suppress historical cell-site records; warrant rule."},
    "link": {"value": "https://drive.example.org/memos/carpenter-csli.pdf"},
    "topics": {"value": "search-and-seizure, discovery"},
    "jurisdiction": {"value": "Illinois"},
    "court_level": {"value": "trial"},
    "audience": {"value": "agreement"},
}


def workspace(slack: Sandbox) -> None:
    slack.add_channel(CIVIL_CHANNEL, "civil-shared", members=[DEFENDER, ADMIN, CIVIL_USER])


def set_up(slack: Sandbox, bot: Bot) -> None:
    """Legal Aid Society's agreement covers resources; Civil Rights Org's does not; Dana coordinates."""
    for line in (
        f'partner add legal-aid name:"Legal Aid Society" kind:legal_aid team:{PARTNER_TEAM} '
        "scope:referral,resources",
        f"channel link <#{SHARED_CHANNEL}|legal> legal-aid",
        f'partner add civil name:"Civil Rights Org" kind:civil_rights team:{CIVIL_TEAM} scope:advocacy',
        f"channel link <#{CIVIL_CHANNEL}|civil> civil",
        "role <@U0DEF> coordinator",
    ):
        answer = typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", line)
        assert "Sorry" not in answer and "not" not in answer.split(".")[0], answer


@pytest.fixture
def slack() -> Iterator[Sandbox]:
    with office() as sandbox:
        workspace(sandbox)
        yield sandbox


@pytest.fixture(params=BACKENDS)
def bot(request: pytest.FixtureRequest, slack: Sandbox, tmp_path: Path) -> Iterator[InProcessBot]:
    with in_process_bot(slack, tmp_path, request.param) as running:
        set_up(slack, running)
        yield running


def _add(slack: Sandbox, bot: Bot, values: dict[str, dict[str, str]], line: str = "") -> str:
    """`/resource add` in the office channel, the form filled in; what the person is then told."""
    seen = len(slack.ephemerals(DEFENDER, OFFICE_CHANNEL))
    delivery = slack.slash_command(DEFENDER, OFFICE_CHANNEL, "/resource", f"add {line}".strip())
    assert delivery.acked, delivery
    fill_form(slack, DEFENDER, values)
    answer = slack.wait_for(lambda: slack.ephemerals(DEFENDER, OFFICE_CHANNEL)[seen:], message="an answer")
    bot.settle()
    return visible_text(answer[-1])


def _rows(bot: Bot, query: str) -> list[tuple[Any, ...]]:
    """What the bot's database holds (read as an inspector would, beside the bot)."""
    engine = create_engine(bot.db_url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(query))]
    finally:
        engine.dispose()


def _entries(bot: Bot) -> list[tuple[Any, ...]]:
    return _rows(bot, "SELECT id, title, status FROM resource ORDER BY id")


def _ephemeral_after(slack: Sandbox, bot: Bot, user: str, channel: str, seen: int) -> str:
    answers = slack.wait_for(lambda: slack.ephemerals(user, channel)[seen:], message=f"an answer to {user}")
    bot.settle()
    return visible_text(answers[-1])


def test_partner_staff_find_only_what_their_agreement_allows(slack: Sandbox, bot: Bot) -> None:
    assert _add(slack, bot, MEMO).startswith("Added *RS-1* (memo:")
    office_only = {
        **MEMO,
        "title": {"value": "Suppression strategy notes, office only"},
        "audience": {"value": "office"},
    }
    assert _add(slack, bot, office_only).startswith("Added *RS-2*")
    civil_only = {
        **MEMO,
        "title": {"value": "Suppression and protest arrests"},
        "audience": {"value": "partners"},
        "partners": {"value": "civil"},
    }
    assert _add(slack, bot, civil_only).startswith("Added *RS-3*")
    expert = {
        "kind": {"value": "expert"},
        "title": {"value": "Dr. Rivera, cell-site location analyst"},
        "summary": {
            "value": "Former carrier engineer; reviews drive tests and tower dumps for suppression hearings."
        },
        "expertise": {"value": "cell-site location, tower dumps"},
        "contact": {"value": "https://experts.example.org/rivera"},
        "topics": {"value": "forensics"},
        "audience": {"value": "agreement"},
    }
    assert _add(slack, bot, expert).startswith("Added *RS-4* (expert:")

    # The office finds everything, best first, with what matched in bold.
    found = typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/resource", "search suppression")
    assert found.splitlines()[0] == "*4 entries match*, best first:", found
    assert "*suppress*" in found.lower() or "*suppression*" in found.lower(), found

    # A coordinator posts the shelf in each shared channel; partner staff search from it.
    for channel in (SHARED_CHANNEL, CIVIL_CHANNEL):
        assert "shelf is posted" in typed(slack, bot, DEFENDER, channel, "/resource", "shelf")
    for user, channel, expected in (
        (PARTNER_USER, SHARED_CHANNEL, {"RS-1", "RS-4"}),
        (CIVIL_USER, CIVIL_CHANNEL, {"RS-3"}),
    ):
        shelf = next(
            m for m in slack.messages(channel) if m.text.startswith("The shared case-resource library")
        )
        seen = len(slack.ephemerals(user, channel))
        assert slack.click(user, channel, shelf.ts, "resource.shelf.search").acked
        fill_form(slack, user, {"words": {"value": "suppression"}})
        answer = _ephemeral_after(slack, bot, user, channel, seen)
        shown = {ref for ref in ("RS-1", "RS-2", "RS-3", "RS-4") if f"*{ref}*" in answer}
        assert shown == expected, (user, answer)
        assert f"*{len(expected)} " in answer.splitlines()[0], (
            answer
        )  # the count is only of what they may see

    # What a partner may not see is answered exactly as what does not exist.
    seen = len(slack.ephemerals(PARTNER_USER, SHARED_CHANNEL))
    shelf = next(
        m for m in slack.messages(SHARED_CHANNEL) if m.text.startswith("The shared case-resource library")
    )
    slack.click(PARTNER_USER, SHARED_CHANNEL, shelf.ts, "resource.shelf.search")
    fill_form(slack, PARTNER_USER, {"words": {"value": "office only"}})
    hidden = _ephemeral_after(slack, bot, PARTNER_USER, SHARED_CHANNEL, seen)
    seen = len(slack.ephemerals(PARTNER_USER, SHARED_CHANNEL))
    slack.click(PARTNER_USER, SHARED_CHANNEL, shelf.ts, "resource.shelf.search")
    fill_form(slack, PARTNER_USER, {"words": {"value": "zebra crossing"}})
    absent = _ephemeral_after(slack, bot, PARTNER_USER, SHARED_CHANNEL, seen)
    assert hidden.replace("office only", "X") == absent.replace("zebra crossing", "X"), (hidden, absent)


def test_share_here_only_where_every_reader_may_see_it(slack: Sandbox, bot: Bot) -> None:
    _add(slack, bot, MEMO)
    _add(slack, bot, {**MEMO, "title": {"value": "Office strategy"}, "audience": {"value": "office"}})
    refused = typed(slack, bot, DEFENDER, CIVIL_CHANNEL, "/resource", "share RS-1")
    assert refused.startswith(
        "RS-1 can't be shared here: Civil Rights Org reads this channel and may not see it"
    ), refused
    refused = typed(slack, bot, DEFENDER, SHARED_CHANNEL, "/resource", "share RS-2")
    assert "it is for the office only, and Legal Aid Society reads this channel" in refused, refused
    assert not [
        m for m in slack.messages(CIVIL_CHANNEL) + slack.messages(SHARED_CHANNEL) if m.text.startswith("RS-")
    ]

    # From the search results' button, in the channel it is shared with.
    found_seen = len(slack.ephemerals(DEFENDER, SHARED_CHANNEL))
    typed(slack, bot, DEFENDER, SHARED_CHANNEL, "/resource", "search carpenter")
    results = slack.ephemerals(DEFENDER, SHARED_CHANNEL)[found_seen]
    assert slack.click(DEFENDER, SHARED_CHANNEL, results.ts, "resource.share.0", '{"ref": "RS-1"}').acked
    card = slack.wait_for(
        lambda: [m for m in slack.messages(SHARED_CHANNEL) if m.text.startswith("RS-1 · Suppressing")],
        message="card",
    )[0]
    assert "https://drive.example.org/memos/carpenter-csli.pdf" in visible_text(card)
    bot.settle()
    uses = _rows(bot, "SELECT use, org FROM resource_use WHERE resource_id = 1 ORDER BY id")
    assert ("share", "office") in uses and ("search", "office") in uses
    assert _rows(bot, "SELECT count(*) FROM audit_log WHERE action = 'resource.share'") == [(2,)]


def test_a_suggestion_is_approved_and_its_author_told(slack: Sandbox, bot: Bot) -> None:
    typed(slack, bot, ADMIN, SHARED_CHANNEL, "/resource", "shelf")
    shelf = next(
        m for m in slack.messages(SHARED_CHANNEL) if m.text.startswith("The shared case-resource library")
    )
    seen = len(slack.ephemerals(PARTNER_USER, SHARED_CHANNEL))
    assert slack.click(PARTNER_USER, SHARED_CHANNEL, shelf.ts, "resource.shelf.suggest").acked
    fill_form(
        slack,
        PARTNER_USER,
        {
            "kind": {"value": "brief"},
            "title": {"value": "Amicus brief on bail reform and ability to pay"},
            "summary": {"value": "Our amicus brief arguing that bail must consider ability to pay."},
            "link": {"value": "https://legalaid.example.org/briefs/bail-amicus.pdf"},
            "topics": {"value": "bail"},
        },
    )
    thanked = _ephemeral_after(slack, bot, PARTNER_USER, SHARED_CHANNEL, seen)
    assert thanked.startswith("Thank you: your suggestion *RS-1*"), thanked
    assert any("suggested *RS-1*" in visible_text(m) for m in slack.dms(DEFENDER)), "the coordinator is told"
    # Not in the library until approved: the office's search does not find it.
    assert typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/resource", "search amicus").startswith(
        "No library entries"
    )
    assert "RS-1" in typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/resource", "list suggested")
    refused = typed(slack, bot, PARTNER_USER, SHARED_CHANNEL, "/resource", "approve RS-1")
    assert refused.startswith("Only the office's staff can approve suggestions"), refused
    approved = typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/resource", "approve RS-1")
    assert approved.startswith("Approved *RS-1*"), approved
    told = slack.wait_for(
        lambda: [m for m in slack.dms(PARTNER_USER) if "is in the library now" in m.text], message="DM"
    )
    assert "RS-1" in visible_text(told[0])
    assert "*RS-1*" in typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/resource", "search amicus bail")
    assert _entries(bot)[0][2] == "current"


def test_an_entry_past_its_review_date_reminds_its_owner_once(slack: Sandbox, bot: Bot) -> None:
    _add(slack, bot, {**MEMO, "review_months": {"value": "1"}})
    # Added 2026-11-24 (the test office's clock), reviewed monthly: due 2026-12-24, a Thursday.
    before = bot.tick(datetime.fromisoformat("2026-12-23T15:00:00+00:00"))
    assert not [line for line in before if "review" in line], before
    night = bot.tick(
        datetime.fromisoformat("2026-12-24T03:00:00+00:00")
    )  # 22:00 in New York: not working time
    assert not [line for line in night if "review" in line], night
    morning = datetime.fromisoformat("2026-12-24T15:00:00+00:00")
    assert "sent review reminder for RS-1 to U0DEF" in bot.tick(morning)
    assert not [line for line in bot.tick(morning + timedelta(hours=2)) if "review" in line]
    # Reminded of this review date, the entry leaves the scheduler's list (the 501st due is reached too).
    assert [str(day) for (day,) in _rows(bot, "SELECT reminded_for FROM resource")] == ["2026-12-24"]
    reminders = [m for m in slack.dms(DEFENDER) if "was due for review" in m.text]
    assert len(reminders) == 1 and "/resource verify RS-1" in visible_text(reminders[0])
    assert ":warning: *due for review*" in typed(
        slack, bot, DEFENDER, OFFICE_CHANNEL, "/resource", "search carpenter"
    )
    assert "RS-1" in typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/resource", "list stale")


BANK = """kind,title,summary,link,topics,jurisdiction,review_months
memo,Franks hearings in drug cases,When a warrant affidavit misleads: the showing needed,https://bank.example.org/franks.pdf,search-and-seizure,Illinois,
brief,Ability-to-pay bail brief,Appellate brief on bail and ability to pay,https://bank.example.org/bail.pdf,bail,Illinois,6
motion,Motion to compel Brady material,Template motion with supporting caselaw,http://bank.example.org/brady.doc,discovery,,
memo,Client call notes,Call the client back at 312-555-0143 about the hearing,https://bank.example.org/notes,trial,,
sermon,Something else,An unknown kind,https://bank.example.org/x,bail,,
memo,Immigration consequences,Padilla advisals for pleas,https://bank.example.org/padilla,immigraton,,
memo,Sentencing mitigation,Mitigation memo,https://bank.example.org/mitigation,sentencing,,48
"""


def test_an_import_with_bad_rows_reports_each_and_imports_nothing(
    slack: Sandbox, bot: Bot, tmp_path: Path
) -> None:
    bank = tmp_path / "bank.csv"
    bank.write_text(BANK, encoding="utf-8")
    ran = bot.cli(["library", "import", str(bank), "--owner", DEFENDER])
    assert ran.returncode == 2, ran.stdout
    said = ran.stderr.splitlines()
    assert said[:-1] == [
        "liaison: bank.csv line 4: `http://bank.example.org/brady.doc` is not an https link; paste the "
        "document's https address (a Slack file's link starts with https:// too).",
        "liaison: bank.csv line 5: the summary has what looks like a phone number; entries never carry "
        "client details",
        "liaison: bank.csv line 6: `sermon` is not a kind of entry; use one of memo, brief, motion, expert, "
        "template, training, data, other.",
        "liaison: bank.csv line 7: Not topics Liaison knows: `immigraton`. Use some of: "
        + ", ".join(DEFAULT_TOPICS)
        + ".",
        "liaison: bank.csv line 8: `48` is not a review interval; give a number of months from 1 to 36.",
    ], said
    assert said[-1] == "liaison: nothing was imported; fix the file and import it again"
    assert _entries(bot) == []

    good = "\n".join(BANK.splitlines()[:3]) + "\n"
    bank.write_text(
        good + "memo,FRANKS hearings in drug cases!,Same thing again,https://bank.example.org/f2,trial,,\n"
    )
    dry = bot.cli(["library", "import", str(bank), "--dry-run", "--owner", DEFENDER])
    assert dry.returncode == 0, dry.stderr
    assert (
        "bank.csv line 4: skipped, the same as line 2 (the same title): FRANKS hearings in drug cases!"
        in dry.stdout
    )
    assert dry.stdout.strip().endswith("a dry run: nothing was imported") and _entries(bot) == []
    done = bot.cli(["library", "import", str(bank), "--owner", DEFENDER])
    assert "imported 2 of 3 entries; 1 skipped as already there" in done.stdout, done.stdout
    assert [title for _id, title, _status in _entries(bot)] == [
        "Franks hearings in drug cases",
        "Ability-to-pay bail brief",
    ]
    again = bot.cli(["library", "import", str(bank), "--owner", DEFENDER])
    assert "bank.csv line 2: skipped, the same as RS-1 (the same link)" in again.stdout, again.stdout
    assert len(_entries(bot)) == 2
    exported = bot.cli(["library", "export"])
    assert exported.stdout.splitlines()[0].startswith("id,status,kind,title,summary,link,topics")
    assert "RS-2,current,brief,Ability-to-pay bail brief" in exported.stdout


def test_the_home_tab_and_the_digest_show_the_library(slack: Sandbox, bot: Bot) -> None:
    _add(slack, bot, {**MEMO, "review_months": {"value": "1"}})
    bot.tick(datetime.fromisoformat("2026-12-28T15:00:00+00:00"))  # past its review date: now due
    slack.open_app_home(DEFENDER)
    home = slack.wait_for(
        lambda: (view := slack.home_view(DEFENDER)) and "library" in visible_text(view) and view,
        message="the Home tab",
    )
    shown = visible_text(home)
    assert "Your library entries due for review: 1" in shown, shown
    assert "*RS-1* memo · Suppressing cell-site location data after Carpenter, due 2026-12-24" in shown
    assert "Newest in the library" in shown
    digest = typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/liaison", "digest preview")
    assert "*Library entries due for review: 1*" in digest, digest
    assert "• *RS-1* memo · Suppressing cell-site location data after Carpenter, looked after by" in digest


def test_an_entry_is_edited_verified_and_withdrawn_by_its_owner_or_a_coordinator(
    slack: Sandbox, bot: Bot
) -> None:
    _add(slack, bot, MEMO)
    colleague = "U0COL"  # home staff, a defender, who did not add it
    slack.add_user(colleague, "cole", real_name="Cole Colleague")
    slack.add_member(OFFICE_CHANNEL, colleague)
    refused = typed(slack, bot, colleague, OFFICE_CHANNEL, "/resource", "verify RS-1")
    assert refused.startswith("Only the person who looks after RS-1 or a coordinator can verify it."), refused
    refused = typed(slack, bot, colleague, OFFICE_CHANNEL, "/resource", "withdraw RS-1 reason:old")
    assert refused.startswith("Only the person who looks after RS-1"), refused

    seen = len(slack.ephemerals(DEFENDER, OFFICE_CHANNEL))
    assert slack.slash_command(DEFENDER, OFFICE_CHANNEL, "/resource", "edit RS-1").acked
    form = slack.wait_for(lambda: slack.open_views(DEFENDER), message="the form")[-1]
    prefilled = {
        b["block_id"]: b["element"].get("initial_value") for b in form.blocks if b["type"] == "input"
    }
    assert prefilled["title"] == "Suppressing cell-site location data after Carpenter", prefilled
    fill_form(slack, DEFENDER, {"title": {"value": "Cell-site location data after Carpenter (2026 update)"}})
    assert _ephemeral_after(slack, bot, DEFENDER, OFFICE_CHANNEL, seen).startswith("Saved *RS-1*")
    assert "*RS-1*" in typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/resource", "search 2026 update")

    verified = typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/resource", "verify RS-1")
    assert verified.startswith("Verified *RS-1*") and "due for review again on November 24, 2027" in verified
    withdrawn = typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/resource", 'withdraw RS-1 reason:"superseded"')
    assert withdrawn.startswith("Withdrew *RS-1*"), withdrawn
    assert typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/resource", "search carpenter").startswith(
        "No library"
    )
    shown = typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/resource", "show RS-1")
    assert "Status: withdrawn" in shown and "Why withdrawn: superseded" in shown, shown
    again = typed(slack, bot, DEFENDER, SHARED_CHANNEL, "/resource", "share RS-1")
    assert again.startswith("RS-1 is withdrawn, so it can't be shared."), again


def test_a_declined_suggestion_tells_its_author_why(slack: Sandbox, bot: Bot) -> None:
    typed(slack, bot, ADMIN, SHARED_CHANNEL, "/resource", "shelf")
    shelf = next(
        m for m in slack.messages(SHARED_CHANNEL) if m.text.startswith("The shared case-resource library")
    )
    seen = len(slack.ephemerals(PARTNER_USER, SHARED_CHANNEL))
    slack.click(PARTNER_USER, SHARED_CHANNEL, shelf.ts, "resource.shelf.suggest")
    fill_form(
        slack,
        PARTNER_USER,
        {
            "kind": {"value": "template"},
            "title": {"value": "Intake checklist"},
            "summary": {"value": "Our intake checklist for housing referrals."},
            "link": {"value": "https://legalaid.example.org/intake.docx"},
        },
    )
    _ephemeral_after(slack, bot, PARTNER_USER, SHARED_CHANNEL, seen)
    refused = typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/resource", "decline RS-1")
    assert refused.startswith("Say why, for the person who suggested it"), refused
    declined = typed(
        slack, bot, ADMIN, OFFICE_CHANNEL, "/resource", 'decline RS-1 reason:"we have one already"'
    )
    assert declined.startswith("Declined *RS-1* (template: Intake checklist); the person who suggested")
    told = slack.wait_for(lambda: [m for m in slack.dms(PARTNER_USER) if "declined" in m.text], message="DM")
    assert "we have one already" in visible_text(told[0])
    assert "RS-1" not in typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/resource", "list suggested")
    assert typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/resource", "approve RS-1").startswith(
        "RS-1 is declined, not a suggestion waiting for curators."
    )


@pytest.mark.parametrize(
    ("name", "text", "said"),
    [
        (
            "bank.yaml",
            "- kind: memo\n  title: A\n  summary: B\n  link: https://x.example.org/a\n"
            "  last_verified: 2026-02-30\n",
            "bank.yaml line 1: not readable",
        ),
        ("bank.yaml", "resources:\n- kind: memo\nresources:\n- kind: brief\n", "`resources:` is given twice"),
        ("bank.csv", "kind,title,title\nmemo,A,B\n", "bank.csv line 1: the column title is named twice"),
        ("bank.csv", "kind,title,summary\nmemo,A," + "x" * 200_000 + "\n", "not readable as CSV"),
    ],
)
def test_an_unreadable_file_is_one_line_naming_what_and_where(
    slack: Sandbox, bot: Bot, tmp_path: Path, name: str, text: str, said: str
) -> None:
    bank = tmp_path / name
    bank.write_text(text, encoding="utf-8")
    ran = bot.cli(["library", "import", str(bank), "--owner", DEFENDER])
    assert ran.returncode == 2 and said in ran.stderr, ran.stderr
    assert "Traceback" not in ran.stderr and _entries(bot) == []


def test_every_bad_row_is_reported_at_once_and_a_time_counts_as_its_day(
    slack: Sandbox, bot: Bot, tmp_path: Path
) -> None:
    bank = tmp_path / "bank.yaml"
    bank.write_text(
        "- {kind: memo, title: A, summary: B, link: 'http://x.example.org/a'}\n"
        "- {kind: memo, title: C, summary: D, link: 'https://x.example.org/c', audience: partners, "
        "partners: nobody}\n"
        "- {kind: memo, title: E, summary: F, link: 'https://x.example.org/e', "
        "last_verified: 2026-01-01 10:00:00}\n",
        encoding="utf-8",
    )
    ran = bot.cli(["library", "import", str(bank), "--owner", DEFENDER])
    lines = ran.stderr.splitlines()
    assert lines[0].startswith("liaison: bank.yaml line 1: `http://x.example.org/a` is not an https link"), (
        lines
    )
    assert lines[1].startswith("liaison: bank.yaml line 2: there is no partner `nobody`"), lines
    assert len(lines) == 3 and _entries(bot) == []  # line 3 is fine: its time is read as its day


def test_the_export_keeps_a_title_from_running_as_a_formula(slack: Sandbox, bot: Bot) -> None:
    _add(slack, bot, {**MEMO, "title": {"value": '=HYPERLINK("https://evil.example.org","x")'}})
    exported = bot.cli(["library", "export"]).stdout
    assert "'=HYPERLINK" in exported, exported
