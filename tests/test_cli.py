"""The `liaison` command line: clear one-line answers, never a traceback. Its commands run in this process
(bot.cli.main with the environment, folder and output a process would have: tests/inprocess.py); as real
processes (marked e2e), what only a process shows: `liaison run` refusing to start or saying where it
creates its database, and one line, not a retry log, when the database or Slack is out of reach."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.sandbox import Sandbox
from storage.db import newest_revision
from tests.botproc import BotProcess, run_cli
from tests.inprocess import cli_in_process as liaison
from tests.office import bot_settings


@pytest.mark.e2e
def test_run_without_slack_credentials_says_what_is_missing_and_where_to_get_it(tmp_path: Path) -> None:
    result = run_cli(["run"], tmp_path)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith("liaison: SLACK_BOT_TOKEN is not set: put the Bot User OAuth Token (xoxb-...)")
    assert lines[1].startswith("liaison: SLACK_SIGNING_SECRET is not set: copy the Signing Secret")
    assert lines[2].startswith("liaison: LIAISON_DATA_KEY is not set")
    assert ".env.example" in lines[3] and len(lines) == 4
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "liaison.db").exists(), "nothing should be created before the settings are right"


@pytest.mark.e2e
def test_socket_mode_without_an_app_token_names_it(tmp_path: Path) -> None:
    result = run_cli(["run", "--socket"], tmp_path, SLACK_BOT_TOKEN="xoxb-1")
    assert result.returncode == 2
    assert result.stderr.splitlines()[0].startswith("liaison: SLACK_APP_TOKEN is not set")


def test_settings_are_read_from_a_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxp-wrong-kind\n")
    result = liaison(["check"], tmp_path)
    assert result.returncode == 2
    assert "liaison: SLACK_BOT_TOKEN must start with 'xoxb-'" in result.stderr


def test_check_against_the_stand_in_prints_the_team_and_bot_user(slack: Sandbox, tmp_path: Path) -> None:
    settings = bot_settings(slack, f"sqlite:///{tmp_path / 'l.db'}") | {"LIAISON_HOLIDAYS": "us-il"}
    result = liaison(["check"], tmp_path, **settings)
    assert result.returncode == 0, result.stderr
    assert "configuration: ok; would run in Socket Mode" in result.stdout
    assert "public holidays (LIAISON_HOLIDAYS) of Illinois, United States (US-IL)" in result.stdout
    assert f"database: none yet at {tmp_path / 'l.db'}; `liaison run` creates it there" in result.stdout
    assert not (tmp_path / "l.db").exists(), "check looks; it creates nothing"
    assert (
        f"slack: team Defender Office ({slack.home_team_id}), bot user {slack.bot_user_id}" in result.stdout
    )
    assert "admins from LIAISON_ADMINS: U0ADM" in result.stdout
    assert slack.calls("auth.test"), "check must really call auth.test"


@pytest.mark.e2e
def test_check_with_a_revoked_token_says_so_in_one_line(slack: Sandbox, tmp_path: Path) -> None:
    settings = bot_settings(slack, f"sqlite:///{tmp_path / 'l.db'}") | {"SLACK_BOT_TOKEN": "xoxb-revoked"}
    result = run_cli(["check"], tmp_path, **settings)
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith("liaison: Slack refused SLACK_BOT_TOKEN (invalid_auth)")
    )
    assert "Traceback" not in result.stderr


def test_db_upgrade_creates_says_where_migrates_and_reports_the_revision(tmp_path: Path) -> None:
    result = liaison(["db", "upgrade"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"database sqlite:///liaison.db is at migration {newest_revision()}" in result.stdout
    assert (
        result.stderr == f"liaison: no database at {tmp_path / 'liaison.db'} yet: creating a new one there\n"
    )
    assert (tmp_path / "liaison.db").exists()
    again = liaison(["db", "upgrade"], tmp_path)
    assert again.returncode == 0 and again.stderr == "", "an existing database is simply used"


@pytest.mark.e2e
def test_an_unreachable_database_is_one_line_naming_it(tmp_path: Path) -> None:
    result = run_cli(
        ["db", "upgrade"], tmp_path, DATABASE_URL="postgresql://liaison:secret@127.0.0.1:1/liaison"
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "liaison: can't reach the database at postgresql+psycopg://liaison:***@127.0.0.1:1/liaison: "
        "check DATABASE_URL and that the database server is running"
    )


def test_work_on_sqlite_is_refused_in_one_line(tmp_path: Path) -> None:
    """Workers of their own take commands from a PostgreSQL queue; on SQLite `liaison run` starts them,
    woken through pipes from its front, and takes back their commands when it starts again."""
    assert liaison(["db", "upgrade"], tmp_path).returncode == 0
    result = liaison(["work"], tmp_path, LIAISON_ALLOW_PLAINTEXT="1")
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        "liaison: `liaison work` takes commands from a PostgreSQL queue; on SQLite `liaison run` starts its "
        "worker processes itself"
    ), result.stderr


def test_manifest_prints_the_committed_manifest(tmp_path: Path) -> None:
    result = liaison(["manifest"], tmp_path)
    assert result.returncode == 0
    assert result.stdout == (Path(__file__).parent.parent / "manifest.yml").read_text()


def test_check_with_settings_missing_says_only_what_is_missing(tmp_path: Path) -> None:
    result = liaison(["check"], tmp_path)
    assert result.returncode == 2
    assert result.stdout == "", "nothing is 'ok' while something is missing"
    assert [line.split(" is not set")[0] for line in result.stderr.splitlines()[:3]] == [
        "liaison: SLACK_BOT_TOKEN",
        "liaison: SLACK_SIGNING_SECRET",
        "liaison: LIAISON_DATA_KEY",
    ]


MISTAKES = [
    (
        ["export", "referrals", "--from", "notadate"],
        "liaison export: --from 'notadate' is not a day; write it",
    ),
    (["export"], "liaison export: say what to export: referrals, consults, advocacy, audit"),
    (["export", "everything"], "liaison export: 'everything' is not one of referrals, consults, advocacy"),
    (["run", "--bogus"], "liaison run: there is no option --bogus here (`liaison run --help` lists them)"),
    (["run", "--port", "abc"], "liaison run: --port takes a whole number, not 'abc'"),
    (["run", "--http", "--socket"], "liaison run: --http and --socket can't be used together"),
    (
        ["tick", "--at", "yesterday"],
        "liaison tick: --at 'yesterday' is not a time; write it as 2026-12-01T14:00Z",
    ),
    (["tick", "--at", "2026-12-01T14:00"], "liaison tick: --at '2026-12-01T14:00' has no time zone; add Z"),
    (["purge", "--at"], "liaison purge: --at needs a value after it"),
    (["keys"], "liaison keys: say which action: new, rotate"),
    (["work", "--threads", "x"], "liaison work: --threads takes a whole number, not 'x'"),
    (["bogus"], "liaison: 'bogus' is not one of run, work, init, db, partners, library, tick, export"),
]


@pytest.mark.parametrize(("args", "first_line"), MISTAKES, ids=[" ".join(m[0]) for m in MISTAKES])
def test_a_mistake_on_the_command_line_is_one_line_then_that_commands_usage(
    tmp_path: Path, args: list[str], first_line: str
) -> None:
    result = liaison(args, tmp_path)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith(first_line), lines
    command = first_line.split(":")[0]
    assert len(lines) == 2 and lines[1].startswith(f"{command}: usage: {command} [-h]"), lines
    assert "error:" not in result.stderr and ".env" not in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [["purge", "--dry-run"], ["export", "referrals"], ["partners", "export"], ["keys", "rotate"], ["tick"]],
    ids=lambda a: " ".join(a),
)
def test_a_database_that_is_not_there_is_refused_not_created(
    slack: Sandbox, tmp_path: Path, args: list[str]
) -> None:
    mistyped = tmp_path / "nonexistent" / "dir" / "x.db"
    result = liaison(args, tmp_path, **bot_settings(slack, f"sqlite:///{mistyped}"))
    assert result.returncode == 2
    assert result.stderr == (
        f"liaison: there is no database at {mistyped}: check DATABASE_URL (`liaison run` or "
        "`liaison db upgrade` creates a new one)\n"
    )
    assert not (tmp_path / "nonexistent").exists()


@pytest.mark.e2e
def test_run_says_where_it_creates_a_new_database(slack: Sandbox, tmp_path: Path) -> None:
    fresh = tmp_path / "data" / "liaison.db"
    bot = BotProcess(tmp_path, ["--http"], **bot_settings(slack, f"sqlite:///{fresh}"))
    try:
        bot.wait_until_serving()
        assert f"liaison: no database at {fresh} yet: creating a new one there" in bot.output
    finally:
        assert bot.stop() == 0
    assert fresh.exists()


@pytest.mark.e2e
def test_an_unreachable_slack_is_one_line_without_the_retry_log(tmp_path: Path) -> None:
    result = run_cli(
        ["check"],
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-1",
        SLACK_APP_TOKEN="xapp-1",
        SLACK_API_URL="http://127.0.0.1:1/api/",  # nothing listens on port 1
        LIAISON_ALLOW_PLAINTEXT="1",
    )
    assert result.returncode == 1
    assert result.stderr.startswith("liaison: Could not reach Slack at http://127.0.0.1:1/api/")
    assert result.stderr.count("\n") == 1, result.stderr
