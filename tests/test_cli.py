"""The `liaison` command line, run as a real process: clear one-line answers, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox import Sandbox
from storage.db import newest_revision
from tests.botproc import run_cli
from tests.office import bot_settings


@pytest.fixture(scope="module")
def slack() -> Iterator[Sandbox]:
    with Sandbox() as sandbox:
        yield sandbox


def test_run_without_slack_credentials_says_what_is_missing_and_where_to_get_it(tmp_path: Path) -> None:
    result = run_cli(["run"], tmp_path)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith("liaison: SLACK_BOT_TOKEN is not set: put the Bot User OAuth Token (xoxb-...)")
    assert lines[1].startswith("liaison: SLACK_SIGNING_SECRET is not set: copy the Signing Secret")
    assert ".env.example" in lines[2]
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "liaison.db").exists(), "nothing should be created before the settings are right"


def test_socket_mode_without_an_app_token_names_it(tmp_path: Path) -> None:
    result = run_cli(["run", "--socket"], tmp_path, SLACK_BOT_TOKEN="xoxb-1")
    assert result.returncode == 2
    assert result.stderr.splitlines()[0].startswith("liaison: SLACK_APP_TOKEN is not set")


def test_settings_are_read_from_a_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxp-wrong-kind\n")
    result = run_cli(["check"], tmp_path)
    assert result.returncode == 2
    assert "liaison: SLACK_BOT_TOKEN must start with 'xoxb-'" in result.stderr


def test_check_against_the_stand_in_prints_the_team_and_bot_user(slack: Sandbox, tmp_path: Path) -> None:
    result = run_cli(["check"], tmp_path, **bot_settings(slack, f"sqlite:///{tmp_path / 'l.db'}"))
    assert result.returncode == 0, result.stderr
    assert "configuration: ok; would run in Socket Mode" in result.stdout
    assert "schema needs `liaison db upgrade`" in result.stdout
    assert (
        f"slack: team Defender Office ({slack.home_team_id}), bot user {slack.bot_user_id}" in result.stdout
    )
    assert "admins from LIAISON_ADMINS: U0ADM" in result.stdout
    assert slack.calls("auth.test"), "check must really call auth.test"


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


def test_db_upgrade_migrates_and_reports_the_revision(tmp_path: Path) -> None:
    result = run_cli(["db", "upgrade"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"database sqlite:///liaison.db is at migration {newest_revision()}" in result.stdout
    assert (tmp_path / "liaison.db").exists()


def test_an_unreachable_database_is_one_line_naming_it(tmp_path: Path) -> None:
    result = run_cli(
        ["db", "upgrade"], tmp_path, DATABASE_URL="postgresql://liaison:secret@127.0.0.1:1/liaison"
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "liaison: can't reach the database at postgresql+psycopg://liaison:***@127.0.0.1:1/liaison: "
        "check DATABASE_URL and that the database server is running"
    )


def test_manifest_prints_the_committed_manifest(tmp_path: Path) -> None:
    result = run_cli(["manifest"], tmp_path)
    assert result.returncode == 0
    assert result.stdout == (Path(__file__).parent.parent / "manifest.yml").read_text()
