"""The partner directory as a reviewed YAML file: `liaison partners import FILE` / `liaison partners export`.

    partners:
      - handle: legal-aid
        name: Legal Aid Society
        kind: legal_aid
        team: [T0123ABC]
        scope: [referral, consult, advocacy]
        identifying: yes

The keys are the ones `/liaison partner add` takes (storage/directory.py). For each partner in the file
the file is the truth: a key left out goes back to its default. Partners not in the file are left alone.
A file with any problem is refused whole, each problem reported with its line.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import yaml
from sqlmodel import Session

from storage import partners
from storage.audit import Actor
from storage.directory import BY_KEY, REQUIRED, check_handle, parse_field
from storage.errors import InvalidInput, LiaisonError

DEFAULTS: dict[str, Any] = {
    "teams": [],
    "services": [],
    "contact_channels": [],
    "contacts": [],
    "mou_ref": None,
    "mou_starts": None,
    "mou_expires": None,
    "scope": [],
    "identifying_allowed": False,
    "status": "active",
    "on_slack": True,
}


class InvalidFile(LiaisonError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Entry:
    handle: str
    line: int
    values: dict[str, Any]  # typed attributes, complete (defaults filled in)


def read(text: str, source: str, scopes: Collection[str]) -> list[Entry]:
    """Parse and check the whole file; InvalidFile lists every problem as `source line N: ...`."""
    problems: list[tuple[int, str]] = []

    def problem(node: yaml.Node, message: str) -> None:
        problems.append((node.start_mark.line + 1, message))

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise InvalidFile([f"{source}{where}: not valid YAML ({getattr(exc, 'problem', exc)})"]) from None
    items = _partners_list(root, source)
    entries: list[Entry] = []
    seen: dict[str, int] = {}
    team_lines: dict[str, tuple[str, int]] = {}
    for item in items:
        entry = _entry(item, problem, scopes)
        if entry is None:
            continue
        if entry.handle in seen:
            problem(item, f"`{entry.handle}` is listed twice (first on line {seen[entry.handle]})")
        seen.setdefault(entry.handle, entry.line)
        for team in entry.values["teams"]:
            owner = team_lines.setdefault(team, (entry.handle, entry.line))
            if owner[0] != entry.handle:
                problem(item, f"team `{team}` is also given to `{owner[0]}` on line {owner[1]}")
        entries.append(entry)
    if problems:
        raise InvalidFile([f"{source} line {line}: {message}" for line, message in sorted(problems)])
    return entries


def apply(
    session: Session, actor: Actor, entries: list[Entry], source: str, home_team_id: str | None = None
) -> list[str]:
    """Bring each listed partner to the file's values, in the caller's transaction; one line per partner.
    `home_team_id` (the office's own workspace) may not be given to a partner."""
    report = []
    for entry in entries:
        try:
            outcome = partners.upsert(session, actor, entry.handle, entry.values, home_team_id)
        except InvalidInput as exc:  # rules that need the database, such as a team owned by another partner
            raise InvalidFile([f"{source} line {entry.line}: `{entry.handle}`: {exc.message}"]) from exc
        report.append(f"{outcome}: {entry.handle}")
    listed = {entry.handle for entry in entries}
    report += [
        f"not in the file, left as it is: {p.handle}"
        for p in partners.everyone(session)
        if p.handle not in listed
    ]
    return report


def write(session: Session) -> str:
    listed = []
    for partner in partners.everyone(session):
        listed.append({"handle": partner.handle, **partners.snapshot(session, partner)})
    header = "# Liaison partner directory. Import with `liaison partners import FILE`; keys as in README.\n"
    listing: str = yaml.safe_dump({"partners": listed}, sort_keys=False, allow_unicode=True, width=100)
    return header + listing


def _partners_list(root: yaml.Node | None, source: str) -> list[yaml.Node]:
    if root is None:
        raise InvalidFile([f"{source}: the file is empty; it needs a `partners:` list"])
    if not isinstance(root, yaml.MappingNode):
        raise InvalidFile([f"{source} line {root.start_mark.line + 1}: the file must start with `partners:`"])
    for key, value in root.value:
        if key.value == "partners":
            if not isinstance(value, yaml.SequenceNode):
                raise InvalidFile([f"{source} line {value.start_mark.line + 1}: `partners:` must be a list"])
            return list(value.value)
    raise InvalidFile([f"{source}: there is no `partners:` list"])


def _entry(item: yaml.Node, problem: Any, scopes: Collection[str]) -> Entry | None:
    if not isinstance(item, yaml.MappingNode):
        problem(item, "each partner must be a set of `key: value` lines")
        return None
    constructor = yaml.SafeLoader("")
    handle: str | None = None
    values: dict[str, Any] = dict(DEFAULTS)
    given: set[str] = set()
    for key_node, value_node in item.value:
        key = str(key_node.value)
        try:
            value = constructor.construct_object(value_node, deep=True)
        except (yaml.YAMLError, ValueError) as exc:  # `2027-02-30`, or a tag a safe loader refuses
            problem(value_node, f"`{key}` can't be read: {getattr(exc, 'problem', None) or exc}")
            continue
        if key == "handle":
            given.add(key)
            try:
                handle = check_handle(str(value))
            except InvalidInput as exc:
                problem(key_node, exc.message)
            continue
        if key in given:
            problem(key_node, f"`{key}` is given twice for this partner")
        given.add(key)
        try:
            attribute, typed = parse_field(key, value, scopes)
        except InvalidInput as exc:
            problem(key_node, exc.message)
            continue
        values[attribute] = typed
    if handle is None:
        if "handle" not in given:
            problem(item, "this partner has no `handle:` (the short name used in commands, like legal-aid)")
        return None
    for key in (k for k in REQUIRED if k not in given):
        problem(item, f"`{handle}` has no `{key}:` ({BY_KEY[key].meaning})")
    return Entry(handle=handle, line=item.start_mark.line + 1, values=values)
