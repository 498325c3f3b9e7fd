"""How the house is built, checked as a reviewer would: no module over the size one reads at a sitting, and
no generic code asking what class an item is (a kind's own modules may; everything else asks its spec)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "commands", "storage")
MOST_LINES = 400
# Generated data and Slack's stand-in: the sandbox mirrors Slack, not Liaison's design.
NOT_OURS = ("bot/sandbox/", "storage/migrations/versions/")
ITEM_CLASSES = {"Referral", "Consult", "Advocacy", "ItemBase", "AddressedItem"}
# A kind's own modules: where its class may be named and checked.
KIND_MODULES = {
    "storage/referrals.py",
    "storage/consults.py",
    "storage/advocacy.py",
    "storage/item_tables.py",
    "commands/kinds/referral.py",
    "commands/kinds/consult.py",
    "commands/kinds/advocacy.py",
}


def _modules() -> list[Path]:
    found = [p for package in PACKAGES for p in (ROOT / package).rglob("*.py")]
    return sorted(p for p in found if not any(str(p.relative_to(ROOT)).startswith(n) for n in NOT_OURS))


def test_the_modules_are_found() -> None:
    names = {str(p.relative_to(ROOT)) for p in _modules()}
    assert {"commands/items/cards.py", "storage/kinds.py", "bot/app.py"} <= names


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_over_the_limit(path: Path) -> None:
    lines = len(path.read_text("utf-8").splitlines())
    assert lines <= MOST_LINES, f"{path.relative_to(ROOT)} has {lines} lines; split it by what it holds"


def _isinstance_on_items(tree: ast.AST) -> list[int]:
    """The lines calling isinstance (or issubclass) with an item class among its classes."""
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        if node.func.id not in ("isinstance", "issubclass") or len(node.args) != 2:
            continue
        names = {n.id for n in ast.walk(node.args[1]) if isinstance(n, ast.Name)}
        names |= {n.attr for n in ast.walk(node.args[1]) if isinstance(n, ast.Attribute)}
        if names & ITEM_CLASSES:
            found.append(node.lineno)
    return found


def test_the_isinstance_check_finds_what_it_looks_for() -> None:
    tree = ast.parse(
        "isinstance(item, Referral | Consult)\nisinstance(x, models.Advocacy)\nisinstance(x, str)"
    )
    assert _isinstance_on_items(tree) == [1, 2]


def test_generic_code_never_asks_what_class_an_item_is() -> None:
    offenders = {
        str(path.relative_to(ROOT)): lines
        for path in _modules()
        if str(path.relative_to(ROOT)) not in KIND_MODULES
        and (lines := _isinstance_on_items(ast.parse(path.read_text("utf-8"))))
    }
    assert offenders == {}, f"ask the kind's spec instead (commands/kinds/spec.py): {offenders}"
