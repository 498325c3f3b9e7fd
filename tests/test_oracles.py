"""The vendored copies of Slack's material are verbatim: compared with the shared oracles when present."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
SHARED = Path(os.environ.get("LIAISON_SHARED_ORACLES", ROOT.parent / "shared" / "oracles"))

OURS = ROOT / "tests" / "oracles"
CATALOG = ROOT / "bot" / "sandbox" / "catalog"


def _pairs() -> list[tuple[Path, Path]]:
    """(our copy, the shared original) for every vendored file."""
    pairs = [(f, SHARED / "payloads" / f.name) for f in sorted((OURS / "payloads").glob("*.json"))]
    pairs += [
        (f, SHARED / "slack_docs_method_catalog" / "methods" / f.name) for f in sorted(CATALOG.glob("*.json"))
    ]
    pairs.append((OURS / "manifest.schema.1.0.0.json", SHARED / "manifest.schema.1.0.0.json"))
    pairs.append((OURS / "events.json", SHARED / "slack_docs_method_catalog" / "events.json"))
    return pairs


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared oracles not found at {SHARED}")
@pytest.mark.parametrize(("ours", "theirs"), _pairs(), ids=lambda p: p.name)
def test_vendored_copy_is_identical_to_the_shared_oracle(ours: Path, theirs: Path) -> None:
    assert theirs.is_file(), f"{theirs} is missing from the shared oracles"
    assert ours.read_bytes() == theirs.read_bytes()
