"""Settings: defaults, normalisation, and one readable line per problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import DEFAULT_API_URL, ConfigError, load_settings


def test_defaults_need_nothing_but_slack_credentials(tmp_path: Path) -> None:
    settings = load_settings({}, env_file=tmp_path / ".env")
    assert settings.api_url == DEFAULT_API_URL
    assert settings.database_url == "sqlite:///liaison.db"
    assert settings.timezone == "America/New_York"
    assert settings.port == 3000
    assert settings.admins == frozenset()
    assert not settings.socket_mode_available


def test_env_file_is_read_and_the_real_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("SLACK_BOT_TOKEN=xoxb-from-file\nPORT=4000\nLIAISON_ADMINS=U0ADM, U0TWO\n")
    settings = load_settings({"PORT": "5000"}, env_file=env_file)
    assert settings.bot_token == "xoxb-from-file"
    assert settings.port == 5000
    assert settings.admins == {"U0ADM", "U0TWO"}


def test_urls_are_normalised(tmp_path: Path) -> None:
    settings = load_settings(
        {"SLACK_API_URL": "http://127.0.0.1:9999/api", "DATABASE_URL": "postgres://u:p@db:5432/liaison"},
        env_file=None,
    )
    assert settings.api_url == "http://127.0.0.1:9999/api/"
    assert settings.database_url == "postgresql+psycopg://u:p@db:5432/liaison"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("SLACK_BOT_TOKEN", "xoxp-123", "SLACK_BOT_TOKEN must start with 'xoxb-'"),
        ("SLACK_APP_TOKEN", "xoxb-123", "SLACK_APP_TOKEN must start with 'xapp-'"),
        ("SLACK_API_URL", "slack.com/api", "SLACK_API_URL must be an http(s) URL"),
        ("DATABASE_URL", "mysql://u@h/db", "DATABASE_URL uses 'mysql'"),
        ("DATABASE_URL", "not a url", "DATABASE_URL is not a database URL"),
        ("LIAISON_ADMINS", "maria,U0ADM", "LIAISON_ADMINS must be comma-separated Slack user IDs"),
        ("LIAISON_TIMEZONE", "Eastern", "LIAISON_TIMEZONE must be an IANA time zone"),
        ("PORT", "70000", "PORT must be a number from 1 to 65535"),
    ],
)
def test_each_malformed_setting_is_one_line_naming_it(name: str, value: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({name: value}, env_file=None)
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith(expected)
    assert "\n" not in caught.value.problems[0]


def test_each_mode_names_the_credentials_it_lacks() -> None:
    settings = load_settings({}, env_file=None)
    with pytest.raises(ConfigError) as http:
        settings.require_slack(socket_mode=False)
    assert [p.split()[0] for p in http.value.problems] == ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"]
    with pytest.raises(ConfigError) as socket:
        settings.require_slack(socket_mode=True)
    assert [p.split()[0] for p in socket.value.problems] == ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"]
