"""`liaison library import FILE [--dry-run] [--owner U...]` and `liaison library export [-o FILE]`: an
existing brief bank in, the library out (storage/library_file.py says the columns)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from bot.cli_base import Refused, database
from bot.config import load_settings
from storage import library_file, partners
from storage.audit import Actor
from storage.directory_file import InvalidFile
from storage.identifiers import Detector
from storage.models import Role
from storage.people import Affiliation, Person

_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")


def import_file(args: argparse.Namespace) -> int:
    source: Path = args.file
    try:
        text = source.read_text(encoding="utf-8-sig")  # a spreadsheet's CSV often starts with a BOM
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidFile([f"can't read {source}: {getattr(exc, 'strerror', None) or exc}"]) from exc
    settings = load_settings()
    owner = args.owner or min(settings.admins, default=None)
    if owner is None or not _USER.match(owner):
        raise Refused(
            "say who looks after the imported entries (they are reminded when one is due for review): "
            "--owner U012ABCDEF, or set LIAISON_ADMINS"
        )
    db = database(settings)
    db.upgrade()
    today = db.clock.today()
    detector = Detector(settings.case_number_pattern, settings.do_not_post)
    with db.session() as session:
        handles = [p.handle for p in partners.everyone(session)]
    rows = library_file.read(text, source.name, settings.library_topics, detector, today, handles)
    person = Person(Actor(owner, None), Affiliation.home, role=Role.admin)
    with db.session() as session:
        report = library_file.apply(session, person, rows, source.name, today, dry_run=args.dry_run)
    print("\n".join(report))
    if args.dry_run:
        print("a dry run: nothing was imported")
    return 0


def export_file(args: argparse.Namespace) -> int:
    db = database(load_settings())
    db.upgrade()
    with db.session() as session:
        text = library_file.write(session)
    if args.output is None:
        print(text, end="")
        return 0
    try:
        args.output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise Refused(f"can't write {args.output}: {exc.strerror}") from exc
    print(f"wrote the library to {args.output}")
    return 0
