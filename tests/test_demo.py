"""`liaison demo` runs the whole referral loop offline and prints what each person sees."""

from __future__ import annotations

from pathlib import Path

from tests.botproc import run_cli


def test_the_demo_walks_a_referral_from_request_to_outcome(tmp_path: Path) -> None:
    result = run_cli(["demo"], tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    transcript = result.stdout
    for step in (
        "only Ari sees: Added Legal Aid Society (`legal-aid`) to the partner directory.",
        "only Dana sees: Sent *R-1* to Legal Aid Society: housing, due",
        "[Accept] [Reject…] [Cancel referral…] [Entered in error…]",
        "Lee (Legal Aid Society) clicks [Accept] on the card",
        "Status: completed",
        "Lee (Legal Aid Society): We have an attorney for this. Calling the client today.",
        "> Represented at the hearing; the eviction was dismissed.",
        "@Lee requested → accepted",
        "Thread: 1 reply, first response",
    ):
        assert step in transcript, step
    shared = [line for line in transcript.splitlines() if line.startswith("  | ")]
    assert shared and not [line for line in shared if "24-CR-0113" in line]
    assert "Traceback" not in result.stderr
    assert not list(tmp_path.iterdir()), "the demo leaves nothing behind"
