"""The `.env` file an office keeps its settings in: made from `.env.example` on the first run, given the key
that encrypts stored client text, and checked for a setting written twice.

python-dotenv lets the last definition of a name win, silently: a key typed into the template's line and
another appended later would leave the office's data encrypted with one and the person copying the other
somewhere safe. So a definition is filled in where it stands, never added a second time, and a name
defined twice is pointed out every time Liaison starts.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from storage.crypto import new_key

KEY = "LIAISON_DATA_KEY"
_DEFINITION = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=")


class DotenvProblem(Exception):
    """The file cannot be set up without a person deciding something; the message says what."""


@dataclass
class Prepared:
    """What `prepare` did, for the person to read: notices first, then warnings."""

    notices: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def definitions(path: Path) -> dict[str, list[int]]:
    """Each name the file defines, with the line numbers (from 1) that define it."""
    found: dict[str, list[int]] = {}
    if not path.is_file():
        return found
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if match := _DEFINITION.match(line):
            found.setdefault(match.group(1), []).append(number)
    return found


def duplicate_warnings(path: Path) -> list[str]:
    """One line per name defined more than once, saying which definition counts."""
    return [
        f"{path} defines {name} on lines {', '.join(map(str, lines[:-1]))} and {lines[-1]}: only the last "
        f"one is used; delete the others"
        for name, lines in definitions(path).items()
        if len(lines) > 1
    ]


def prepare(path: Path, template: Path, environ: Mapping[str, str] | None = None) -> Prepared:
    """Make `path` from `template` when it does not exist, and put a new LIAISON_DATA_KEY in it when
    neither the environment nor the file has one (and plain-text storage was not chosen)."""
    env = os.environ if environ is None else environ
    done = Prepared()
    if not path.exists():
        path.touch(mode=0o600)  # it will hold the key and the Slack tokens: the owner's eyes only
        if template.is_file():
            path.write_text(template.read_text(encoding="utf-8"), encoding="utf-8")
            done.notices.append(f"created {path} from {template}: put your Slack app's settings in it")
        else:
            path.write_text("# Liaison settings: see README.md, Configuration.\n", encoding="utf-8")
            done.notices.append(f"created {path}: put your Slack app's settings in it")
    if env.get(KEY, "").strip():
        return done
    values = {k: (v or "").strip() for k, v in dotenv_values(path).items()}
    plaintext = (env.get("LIAISON_ALLOW_PLAINTEXT") or values.get("LIAISON_ALLOW_PLAINTEXT") or "").lower()
    if plaintext in ("1", "true", "yes"):
        return done
    lines = definitions(path).get(KEY, [])
    if len(lines) > 1:
        raise DotenvProblem(
            f"{path} defines {KEY} on lines {', '.join(map(str, lines))}: keep the one that holds the key "
            "your data was encrypted with, delete the others, and run again"
        )
    if values.get(KEY):
        return done
    _write_key(path, lines[0] if lines else None, new_key())
    where = f"line {lines[0]}" if lines else "its end"
    done.warnings.append(
        f"no {KEY} was set, so a new key was written into {path} ({where}); keep a copy somewhere safe: "
        "without it the stored client text can't be read"
    )
    return done


def _write_key(path: Path, line_number: int | None, key: str) -> None:
    """The key on the line that defines it (empty), else on a line of its own at the end."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    if line_number is None:
        ending = "" if not text or text.endswith("\n") else "\n"
        path.write_text(f"{text}{ending}{KEY}={key}\n", encoding="utf-8")
        return
    old = lines[line_number - 1]
    lines[line_number - 1] = f"{KEY}={key}" + ("\n" if old.endswith("\n") else "")
    path.write_text("".join(lines), encoding="utf-8")
