"""Bringing an existing brief bank into the library, and taking the library out: `liaison library import
FILE.csv|FILE.yaml [--dry-run]` and `liaison library export`. Columns (CSV header, or YAML keys):

    kind,title,summary,link,topics,jurisdiction,court_level,audience,partners,review_months,last_verified,
    expertise,contact,testimony

`topics` and `partners` are comma-separated. A file with any bad row is refused whole, every bad row
reported by its line, and nothing is imported; rows that repeat an entry (the same link, or a title all but
identical) are reported and skipped, never doubled."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import yaml
from rapidfuzz import fuzz, process
from sqlmodel import Session, col, select

from storage import library, partners
from storage.directory_file import InvalidFile
from storage.exports import inert
from storage.identifiers import Detector
from storage.library import Draft, Resource
from storage.library_drafts import TYPED
from storage.people import Person

COLUMNS = (*TYPED, "last_verified", "expertise", "contact", "testimony")
SAME_TITLE = 95  # rapidfuzz ratio of two normalized titles that name the same thing


@dataclass(frozen=True)
class Row:
    line: int
    entry: Draft
    verified: date | None


def read(
    text: str, source: str, topics: Sequence[str], detector: Detector, today: date, handles: Sequence[str]
) -> list[Row]:
    """Every row checked (`handles`: the partners a row may name); InvalidFile lists each bad one as
    `source line N: ...`, all of them at once."""
    records = _yaml(text, source) if source.lower().endswith((".yaml", ".yml")) else _csv(text, source)
    if not records:
        raise InvalidFile([f"{source}: there are no entries in the file"])
    problems: list[str] = []
    rows = []
    for line, values in records:
        unknown = sorted(set(values) - set(COLUMNS))
        if unknown:
            problems.append(
                f"{source} line {line}: unknown column {', '.join(unknown)} (columns: {', '.join(COLUMNS)})"
            )
        entry = library.draft({k: _text(v) for k, v in values.items()}, topics)
        said = list(entry.problems.values())
        for name, words in entry.texts().items():
            found = detector.findings(words, None)
            if found:
                kinds = ", ".join(sorted({f.what.value for f in found}))
                said.append(f"the {name} has what looks like {kinds}; entries never carry client details")
        said += [
            f"there is no partner `{handle}` (known: {', '.join(handles) or 'none'})"
            for handle in entry.readers
            if handle not in handles
        ]
        verified = _day(values.get("last_verified"), today, said)
        problems += [f"{source} line {line}: {problem}" for problem in said]
        rows.append(Row(line, entry, verified))
    if problems:
        raise InvalidFile(problems)
    return rows


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _day(value: Any, today: date, said: list[str]) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):  # YAML reads `2026-01-01 10:00` as a time: its day is meant
        value = value.date()
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value).strip())
    except ValueError:
        said.append(f"last_verified `{value}` is not a day; write it as 2026-01-31")
        return None
    if day > today:
        said.append(f"last_verified {day} is in the future")
        return None
    return day


def _csv(text: str, source: str) -> list[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [f.strip() for f in reader.fieldnames or []]
        if "title" not in header:
            raise InvalidFile(
                [f"{source} line 1: the first line must name the columns ({', '.join(COLUMNS)})"]
            )
        twice = sorted({name for name in header if header.count(name) > 1})
        if twice:
            raise InvalidFile([f"{source} line 1: the column {', '.join(twice)} is named twice"])
        records = []
        for values in reader:
            cleaned = {(k or "").strip(): (v or "").strip() for k, v in values.items() if isinstance(k, str)}
            if any(cleaned.values()):
                records.append((reader.line_num, {k: v for k, v in cleaned.items() if v}))
    except csv.Error as exc:  # a field longer than the csv module takes, a NUL byte...
        raise InvalidFile([f"{source} line {reader.line_num}: not readable as CSV ({exc})"]) from None
    return records


def _yaml(text: str, source: str) -> list[tuple[int, dict[str, Any]]]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise InvalidFile([f"{source}{where}: not valid YAML ({getattr(exc, 'problem', exc)})"]) from None
    if isinstance(root, yaml.MappingNode):
        lists = [v for k, v in root.value if k.value == "resources"]
        if len(lists) > 1:
            raise InvalidFile([f"{source}: `resources:` is given twice; keep one list"])
        root = lists[0] if lists else None
    if not isinstance(root, yaml.SequenceNode):
        raise InvalidFile([f"{source}: the file must be a list of entries (or `resources:` and a list)"])
    records = []
    for node in root.value:  # each entry read on its own, so a problem is told with its line
        line = node.start_mark.line + 1
        try:
            values = yaml.SafeLoader("").construct_document(node)
        except (yaml.YAMLError, ValueError, TypeError) as exc:  # `2026-02-30` read as a date
            raise InvalidFile([f"{source} line {line}: not readable ({exc})"]) from None
        if not isinstance(values, dict):
            raise InvalidFile([f"{source} line {line}: each entry must be a set of `key: value` lines"])
        records.append((line, {str(k): v for k, v in values.items()}))
    return records


def _normal(title: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", title.lower()))


def apply(
    session: Session, person: Person, rows: list[Row], source: str, today: date, *, dry_run: bool
) -> list[str]:
    """Import the rows (or, on a dry run, say what would be imported); a line each."""
    known = [p.handle for p in partners.everyone(session)]
    problems = [
        f"{source} line {row.line}: there is no partner `{handle}` (known: {', '.join(known) or 'none'})"
        for row in rows
        for handle in row.entry.readers
        if handle not in known
    ]
    if problems:
        raise InvalidFile(problems)
    links: dict[str, str] = {}
    titles: dict[str, str] = {}
    for ref, link, title in session.exec(
        select(col(Resource.id), col(Resource.link), col(Resource.title))
    ).all():
        if link:
            links[link] = f"RS-{ref}"
        titles[_normal(title)] = f"RS-{ref}"
    report = []
    added = 0
    for row in rows:
        twin = _twin(row.entry, links, titles)
        if twin:
            report.append(f"{source} line {row.line}: skipped, the same as {twin}: {row.entry.title}")
            continue
        where = f"line {row.line}"
        if row.entry.link:
            links[row.entry.link] = where
        titles[_normal(row.entry.title)] = where
        added += 1
        if dry_run:
            continue
        entry = library.add(session, person, row.entry, row.verified or today)
        report.append(f"{source} line {row.line}: imported as {entry.ref}: {entry.title}")
    verb = "would import" if dry_run else "imported"
    report.append(f"{verb} {added} of {len(rows)} entries; {len(rows) - added} skipped as already there")
    return report


def _twin(entry: Draft, links: dict[str, str], titles: dict[str, str]) -> str | None:
    """What the entry repeats (an entry's ID, or an earlier line of the file), if anything."""
    if entry.link and entry.link in links:
        return f"{links[entry.link]} (the same link)"
    title = _normal(entry.title)
    if title in titles:
        return f"{titles[title]} (the same title)"
    close = process.extractOne(title, list(titles), scorer=fuzz.ratio, score_cutoff=SAME_TITLE)
    return f"{titles[close[0]]} (a title all but identical)" if close else None


def write(session: Session) -> str:
    """Every entry as CSV, in COLUMNS (with its ID and status first), oldest first."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(("id", "status", *COLUMNS))
    readers = partners.everyone(session)
    for row in session.exec(select(Resource).order_by(col(Resource.id))).all():
        named = library.reader_ids(session, row)
        values = {
            **{name: getattr(row, name, None) for name in COLUMNS},
            "topics": ", ".join(row.topics),
            "partners": ", ".join(p.handle for p in readers if p.id in named),
        }
        cells = ("" if values[c] is None else str(values[c]) for c in COLUMNS)
        writer.writerow((row.ref, row.status, *(inert(cell) for cell in cells)))
    return out.getvalue()
