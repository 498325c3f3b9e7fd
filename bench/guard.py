"""The identifier guard measured on the labelled corpus (bench/corpus/): recall per class, false alarms on
ordinary text, and the time the guard adds per message."""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.corpus.build import CASE_NUMBER, DO_NOT_POST, OFFICE_PATTERN
from storage.detector import Detector

CORPUS = Path(__file__).parent / "corpus"
TARGET_RECALL, TARGET_FALSE_ALARMS, TARGET_P99_MS = 0.99, 0.01, 2.0


def corpus(name: str) -> list[dict[str, str]]:
    return json.loads((CORPUS / f"{name}.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def office_detector() -> Detector:
    """The detector as the corpus's office configures it (its case-number pattern, its names)."""
    return Detector(OFFICE_PATTERN, DO_NOT_POST)


@dataclass
class GuardRun:
    caught: Counter[str]
    total: Counter[str]
    missed: list[dict[str, str]]
    false_alarms: list[tuple[str, list[str]]]
    ordinary: int
    p50_ms: float
    p99_ms: float
    chars: int


def measure(rounds: int = 300) -> GuardRun:
    detector = office_detector()
    caught: Counter[str] = Counter()
    total: Counter[str] = Counter()
    missed = []
    for case in corpus("identifiers"):
        total[case["class"]] += 1
        if detector.findings(case["text"], CASE_NUMBER):
            caught[case["class"]] += 1
        else:
            missed.append(case)
    ordinary = corpus("ordinary")
    alarms = []
    for case in ordinary:
        found = detector.findings(case["text"], CASE_NUMBER)
        if found:
            alarms.append((case["text"], [f"{f.what.name}: {case['text'][f.start : f.end]}" for f in found]))
    # A long message as people write them: ordinary sentences up to 3,000 characters.
    long_text = ""
    for case in ordinary:
        if len(long_text) + len(case["text"]) + 1 > 3000:
            break
        long_text += case["text"] + "\n"
    timings = []
    for _ in range(rounds):
        started = time.process_time()
        detector.findings(long_text, CASE_NUMBER)
        timings.append((time.process_time() - started) * 1000)
    timings.sort()
    return GuardRun(
        caught,
        total,
        missed,
        alarms,
        len(ordinary),
        statistics.median(timings),
        timings[int(len(timings) * 0.99) - 1],
        len(long_text),
    )


def main() -> None:
    run = measure()
    for what in run.total:
        print(f"{what:16} {run.caught[what]}/{run.total[what]}")
    print(
        f"false alarms {len(run.false_alarms)}/{run.ordinary}; "
        f"p50 {run.p50_ms:.2f} ms p99 {run.p99_ms:.2f} ms for {run.chars} chars"
    )
    for case in run.missed:
        print("MISSED", case["class"], case["variant"], repr(case["text"]))
    for text, found in run.false_alarms:
        print("FALSE ALARM", found, repr(text))


if __name__ == "__main__":
    main()
