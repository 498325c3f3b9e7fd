"""The partner directory file: `liaison partners import` / `export`, on SQLite and PostgreSQL, run in this
process as a process would run them (tests/inprocess.py); the round trip also as real processes (e2e)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from sqlalchemy import text

from storage import audit, partners
from storage.db import Database
from tests.botproc import run_cli
from tests.databases import database_url
from tests.inprocess import cli_in_process
from tests.office import Ran

DIRECTORY = """\
partners:
  - handle: legal-aid
    name: "Legal Aid Society"
    kind: legal_aid
    team: [T0123ABC, T0123DEF]
    services: housing,benefits,expungement
    contacts: [U0LAS]
    mou: MOU-2025-04
    mou_starts: 2025-07-01
    mou_expires: 2027-06-30
    scope: referral,consult,advocacy
    identifying: yes
  - handle: civil-rights
    name: Civil Rights Org
    kind: civil_rights
    team: T0CIVIL
    scope: [consult, advocacy]
    slack: yes
"""


@pytest.fixture
def office_db(db: Database) -> str:
    """The URL of an office's database, made beforehand: the command line refuses one that is not there."""
    return db.url


def _cli(args: list[str], folder: Path, db_url: str, liaison: Callable[..., Ran] = cli_in_process) -> Ran:
    return liaison(args, folder, DATABASE_URL=db_url)


@pytest.fixture(params=["in-process", pytest.param("process", marks=pytest.mark.e2e)])
def liaison(request: pytest.FixtureRequest) -> Callable[..., Ran]:
    """The command line run here (tests/inprocess.py), or as a real process."""
    return cli_in_process if request.param == "in-process" else run_cli


def test_import_then_export_round_trips_and_a_second_import_changes_nothing(
    office_db: str, tmp_path: Path, liaison: Callable[..., Ran]
) -> None:
    source = tmp_path / "partners.yaml"
    source.write_text(DIRECTORY)
    first = _cli(["partners", "import", str(source)], tmp_path, office_db, liaison)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == ["added: legal-aid", "added: civil-rights"]

    exported = _cli(["partners", "export", "-o", str(tmp_path / "export.yaml")], tmp_path, office_db, liaison)
    assert exported.returncode == 0, exported.stderr
    original = {p["handle"]: p for p in yaml.safe_load(DIRECTORY)["partners"]}
    written = {p["handle"]: p for p in yaml.safe_load((tmp_path / "export.yaml").read_text())["partners"]}
    assert set(written) == set(original)
    legal = written["legal-aid"]
    assert legal["team"] == ["T0123ABC", "T0123DEF"]
    assert legal["services"] == ["housing", "benefits", "expungement"]
    assert str(legal["mou_expires"]) == "2027-06-30" and legal["identifying"] is True
    assert written["civil-rights"]["scope"] == ["advocacy", "consult"]

    again = _cli(["partners", "import", str(tmp_path / "export.yaml")], tmp_path, office_db, liaison)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines() == ["unchanged: civil-rights", "unchanged: legal-aid"]
    db = Database(office_db)
    with db.session() as session:
        assert len(audit.entries(session)) == 2, "an unchanged import writes no audit rows"
    db.dispose()


def test_the_file_is_the_truth_for_the_partners_it_lists(office_db: str, tmp_path: Path) -> None:
    source = tmp_path / "partners.yaml"
    source.write_text(DIRECTORY)
    assert _cli(["partners", "import", str(source)], tmp_path, office_db).returncode == 0
    source.write_text("partners:\n  - handle: legal-aid\n    name: Legal Aid Society\n    kind: legal_aid\n")
    result = _cli(["partners", "import", str(source)], tmp_path, office_db)
    assert result.stdout.splitlines() == [
        "changed: legal-aid",
        "not in the file, left as it is: civil-rights",
    ]
    db = Database(office_db)
    with db.session() as session:
        legal = partners.get(session, "legal-aid")
        assert (partners.teams_of(session, legal), legal.scope, legal.mou_expires) == ([], [], None)
    db.dispose()


def test_a_bad_file_is_refused_whole_naming_each_line_and_field(office_db: str, tmp_path: Path) -> None:
    source = tmp_path / "partners.yaml"
    text = DIRECTORY + "  - handle: clinic\n    name: Clinic\n    kind: spaceship\n    mou_expires: soon\n"
    source.write_text(text)
    line = {content.strip(): number for number, content in enumerate(text.splitlines(), 1)}
    result = _cli(["partners", "import", str(source)], tmp_path, office_db)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"liaison: partners.yaml line {line['kind: spaceship']}: `kind` must be one of legal_aid, "
        "civil_rights, clinic, social_services, mental_health, housing, other.",
        f"liaison: partners.yaml line {line['mou_expires: soon']}: `mou_expires`: `soon` is not a date; "
        "write it as YYYY-MM-DD, like 2027-06-30.",
        "liaison: nothing was imported; fix the file and import it again",
    ]
    exported = _cli(["partners", "export"], tmp_path, office_db)
    assert yaml.safe_load(exported.stdout) == {"partners": []}, "the good entries were not imported either"


def test_a_conflict_with_the_database_refuses_the_whole_file(office_db: str, tmp_path: Path) -> None:
    source = tmp_path / "partners.yaml"
    source.write_text(DIRECTORY)
    assert _cli(["partners", "import", str(source)], tmp_path, office_db).returncode == 0
    source.write_text(
        "partners:\n  - handle: newcomer\n    name: New\n    kind: other\n"
        "  - handle: thief\n    name: Thief\n    kind: other\n    team: T0CIVIL\n"
    )
    result = _cli(["partners", "import", str(source)], tmp_path, office_db)
    assert result.returncode == 2
    thief_line = source.read_text().splitlines().index("  - handle: thief") + 1
    assert (
        f"partners.yaml line {thief_line}: `thief`: Team `T0CIVIL` already belongs to `civil-rights`."
        in result.stderr
    )
    exported = yaml.safe_load(_cli(["partners", "export"], tmp_path, office_db).stdout)
    handles = [p["handle"] for p in exported["partners"]]
    assert handles == ["civil-rights", "legal-aid"], "`newcomer` must not have been added"


def test_unreadable_and_malformed_files_get_one_clear_line(tmp_path: Path) -> None:
    missing = cli_in_process(["partners", "import", str(tmp_path / "nope.yaml")], tmp_path)
    assert missing.returncode == 2 and "can't read" in missing.stderr and "Traceback" not in missing.stderr
    (tmp_path / "broken.yaml").write_text("partners:\n  - handle: [unclosed\n")
    broken = cli_in_process(["partners", "import", str(tmp_path / "broken.yaml")], tmp_path)
    assert (
        broken.returncode == 2 and "broken.yaml line" in broken.stderr and "not valid YAML" in broken.stderr
    )


def test_values_yaml_cannot_build_are_file_problems_not_tracebacks(tmp_path: Path) -> None:
    (tmp_path / "odd.yaml").write_text(
        "partners:\n  - handle: clinic\n    name: !!python/object:os.system x\n    kind: other\n"
        "    mou_expires: 2027-02-30\n"
    )
    result = cli_in_process(["partners", "import", str(tmp_path / "odd.yaml")], tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "odd.yaml line 3: `name` can't be read" in result.stderr
    assert "odd.yaml line 5: `mou_expires` can't be read: day is out of range for month" in result.stderr


def test_an_import_that_waits_too_long_for_another_writer_says_so_in_one_line(tmp_path: Path) -> None:
    """On PostgreSQL an import's commit waits for the lookups' mark (migration 0023) at most its lock
    timeout: then one line, nothing imported, never a traceback."""
    source = tmp_path / "partners.yaml"
    source.write_text(DIRECTORY)
    with database_url("postgresql", tmp_path) as url:
        db = Database(url)
        db.upgrade()
        holder = db.engine.connect()
        try:
            holder.execute(text("UPDATE lookup_generation SET value = value + 1"))  # another writer's commit
            result = _cli(["partners", "import", str(source)], tmp_path, url)
            holder.rollback()
            assert result.returncode == 1
            assert result.stderr.strip().splitlines()[-1:] == [
                "liaison: Liaison is very busy right now and nothing was saved. Please try again in a minute."
            ], result.stderr
            assert "Traceback" not in result.stderr and "storage.db" not in result.stderr, result.stderr
            assert yaml.safe_load(_cli(["partners", "export"], tmp_path, url).stdout)["partners"] == []
        finally:
            holder.close()
            db.dispose()
