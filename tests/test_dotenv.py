"""The `.env` file: `make run` makes it from `.env.example` with a new key written where the template has its
empty line (never a second definition, which python-dotenv would let win silently), and a name written
twice is pointed out by every command. The commands run in this process as a process would run them
(tests/inprocess.py); `make run` runs as a real process (e2e)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from dotenv import dotenv_values

from bot.dotenv_file import definitions
from tests.botproc import clean_environment
from tests.inprocess import cli_in_process

ROOT = Path(__file__).parent.parent
TEMPLATE = ROOT / ".env.example"


def _office(tmp_path: Path) -> Path:
    """A folder like a fresh clone's, as far as settings go: the template and no .env."""
    shutil.copy(TEMPLATE, tmp_path / ".env.example")
    return tmp_path


def test_init_makes_env_from_the_template_and_fills_the_key_in_place(tmp_path: Path) -> None:
    folder = _office(tmp_path)
    result = cli_in_process(["init"], folder)
    assert result.returncode == 0, result.stderr
    assert "created .env from .env.example" in result.stdout
    assert "a new key was written into .env (line" in result.stderr and "keep a copy" in result.stderr
    env = folder / ".env"
    key_lines = definitions(env)["LIAISON_DATA_KEY"]
    assert len(key_lines) == 1 and key_lines == definitions(TEMPLATE)["LIAISON_DATA_KEY"], (
        "on the template's line"
    )
    key = dotenv_values(env)["LIAISON_DATA_KEY"]
    assert key and len(key) == 44
    assert env.read_text().replace(f"LIAISON_DATA_KEY={key}", "LIAISON_DATA_KEY=") == TEMPLATE.read_text()
    assert env.stat().st_mode & 0o077 == 0, ".env holds secrets: its owner's only"

    again = cli_in_process(["init"], folder)
    assert again.returncode == 0 and again.stdout == again.stderr == ""
    assert dotenv_values(env)["LIAISON_DATA_KEY"] == key, "a second run keeps the key"


def test_a_key_typed_into_the_template_line_is_kept(tmp_path: Path) -> None:
    folder = _office(tmp_path)
    key = cli_in_process(["keys", "new"], folder).stdout.strip()
    (folder / ".env").write_text(
        TEMPLATE.read_text().replace("LIAISON_DATA_KEY=\n", f"LIAISON_DATA_KEY={key}\n")
    )
    result = cli_in_process(["init"], folder)
    assert result.returncode == 0 and result.stderr == ""
    assert dotenv_values(folder / ".env")["LIAISON_DATA_KEY"] == key
    assert len(definitions(folder / ".env")["LIAISON_DATA_KEY"]) == 1


def test_an_env_without_the_line_gets_one_at_its_end(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-1")  # no newline at the end, as editors leave it
    assert cli_in_process(["init"], tmp_path).returncode == 0
    values = dotenv_values(tmp_path / ".env")
    assert values["SLACK_BOT_TOKEN"] == "xoxb-1" and values["LIAISON_DATA_KEY"]


def test_no_key_is_written_when_the_environment_has_one_or_plain_text_was_chosen(tmp_path: Path) -> None:
    folder = _office(tmp_path)
    assert cli_in_process(["init"], folder, LIAISON_DATA_KEY="from-the-environment").returncode == 0
    assert not dotenv_values(folder / ".env")["LIAISON_DATA_KEY"]
    assert cli_in_process(["init"], folder, LIAISON_ALLOW_PLAINTEXT="1").returncode == 0
    assert not dotenv_values(folder / ".env")["LIAISON_DATA_KEY"]


def test_a_name_defined_twice_is_pointed_out_by_every_command(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("PORT=3000\nSLACK_BOT_TOKEN=xoxb-1\nPORT=4000\n")
    said = (
        "liaison: warning: .env defines PORT on lines 1 and 3: only the last one is used; delete the others"
    )
    for args in (["manifest"], ["check"], ["init"]):
        assert said in cli_in_process(args, tmp_path).stderr.splitlines(), args


def test_two_keys_are_not_guessed_between(tmp_path: Path) -> None:
    """The issue's case: a key appended after the template's line, and another typed into that line."""
    folder = _office(tmp_path)
    first, second = (cli_in_process(["keys", "new"], folder).stdout.strip() for _ in range(2))
    text = TEMPLATE.read_text().replace("LIAISON_DATA_KEY=\n", f"LIAISON_DATA_KEY={first}\n")
    (folder / ".env").write_text(f"{text}LIAISON_DATA_KEY={second}\n")
    before = (folder / ".env").read_text()
    result = cli_in_process(["init"], folder)
    assert result.returncode == 2
    assert "keep the one that holds the key your data was encrypted with" in result.stderr
    assert (folder / ".env").read_text() == before, "nothing is changed until a person decides"


@pytest.mark.e2e
def test_make_run_makes_env_first_and_a_second_run_keeps_its_key(tmp_path: Path) -> None:
    """The Makefile's own `run` recipe, with `liaison run` itself replaced by a stand-in that only reports."""
    folder = _office(tmp_path)
    shutil.copy(ROOT / "Makefile", folder / "Makefile")
    (folder / "pyproject.toml").write_text("")
    bin_dir = folder / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").symlink_to(sys.executable)
    liaison = bin_dir / "liaison"
    liaison.write_text(
        f'#!/bin/sh\nif [ "$1" = run ]; then echo "liaison run would start here"; exit 0; fi\n'
        f'PYTHONPATH={ROOT} exec {sys.executable} -m bot.cli "$@"\n'
    )
    liaison.chmod(0o755)
    for stamp in (".installed-run", ".installed-dev"):
        (folder / ".venv" / stamp).touch()
    os.utime(folder / "pyproject.toml", (0, 0))  # older than the stamps: nothing to install

    def make_run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["make", "-s", "run"],
            cwd=folder,
            env=clean_environment(),
            capture_output=True,
            text=True,
            timeout=60,
        )

    first = make_run()
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[-1] == "liaison run would start here"
    key = dotenv_values(folder / ".env")["LIAISON_DATA_KEY"]
    assert key and len(definitions(folder / ".env")["LIAISON_DATA_KEY"]) == 1
    made = (folder / ".env").read_text().replace(f"LIAISON_DATA_KEY={key}", "LIAISON_DATA_KEY=")
    assert made == TEMPLATE.read_text(), "made from the template"
    second = make_run()
    assert second.returncode == 0 and "key" not in second.stderr
    assert dotenv_values(folder / ".env")["LIAISON_DATA_KEY"] == key
    assert len(definitions(folder / ".env")["LIAISON_DATA_KEY"]) == 1
