"""The README's configuration table and command reference stay true to the code."""

from __future__ import annotations

import re
from pathlib import Path

from commands import catalog
from commands.kinds import standard

CATALOG = catalog(standard())


ROOT = Path(__file__).parent.parent
# In a Markdown table a literal | is written \|; readers see |.
README = (ROOT / "README.md").read_text().replace("\\|", "|")


def _variables_read_by_config() -> set[str]:
    source = (ROOT / "bot" / "config.py").read_text()
    return set(re.findall(r'get\("([A-Z_]+)"\)', source))


def test_configuration_table_and_env_example_list_every_setting() -> None:
    variables = _variables_read_by_config()
    assert len(variables) == 19
    table = set(re.findall(r"^\| `([A-Z_]+)` \|", README, flags=re.MULTILINE))
    example = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), flags=re.MULTILINE))
    assert table == variables
    assert example == variables


def test_command_reference_lists_every_command_and_subcommand() -> None:
    for command in CATALOG:
        assert f"`{command.name} help`" in README
        for sub in [*command.subcommands, *([command.default] if command.default else [])]:
            assert f"`{command.usage(sub)}`" in README


def test_cli_reference_lists_every_cli_command() -> None:
    for usage in (
        "liaison run",
        "liaison init",
        "liaison check",
        "liaison db upgrade",
        "liaison manifest",
        "liaison partners import",
        "liaison demo",
        "liaison partners export",
        "liaison library import",
        "liaison library export",
    ):
        assert f"`{usage}" in README


def test_the_set_up_never_copies_the_template_over_env() -> None:
    """`make run` makes .env and writes the key into it; copying the template afterwards would lose it."""
    set_up = README.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    assert "cp .env.example" not in README
    assert set_up.index("`make run`") < set_up.index("`.venv/bin/liaison check`") < set_up.index("again")


def test_the_docs_the_readme_points_to_are_the_projects_own() -> None:
    """A clone has nothing beside it: every document the README or the code names is in the repository."""
    linked = set(re.findall(r"\]\((docs/[\w./-]+)\)", README))
    assert linked == {"docs/design.md", "docs/slack-facts.md", "docs/report-sample.png"}
    assert all((ROOT / path).is_file() for path in linked)
    outside = "../" + "shared"  # split, so this file does not name it
    files = [ROOT / "README.md", ROOT / "Makefile", *(ROOT / "docs").glob("*.md")]
    files += [p for d in ("bot", "commands", "storage", "tests", "tools") for p in (ROOT / d).rglob("*.py")]
    assert [str(p.relative_to(ROOT)) for p in files if outside in p.read_text()] == []
