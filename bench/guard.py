"""`python -m bench guard`: the identifier guard measured on the labelled corpus (bench/corpus/): recall per
class, false alarms on ordinary text, and what the guard adds to each message: the detector alone on a
3,000-character text, and a whole chat.postMessage to the Slack stand-in through the guarded client beside
the same post through a plain client, interleaved in one run."""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from slack_sdk import WebClient

from bench.corpus.build import CASE_NUMBER, DO_NOT_POST, OFFICE_PATTERN
from bench.results_file import machine_lines, write_part
from bot.door import Door, permitting
from bot.sandbox import Sandbox
from bot.slack_client import web_client
from bot.workspace import SlackWorkspace
from storage.disclosure import Permit
from storage.identifiers import Detector, Identifier

CORPUS = Path(__file__).parent / "corpus"
TARGET_RECALL, TARGET_FALSE_ALARMS, TARGET_P99_MS = 0.99, 0.01, 2.0
ROUNDS = 400


def corpus(name: str) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = json.loads((CORPUS / f"{name}.json").read_text(encoding="utf-8"))
    return rows


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
    detector_ms: list[float]  # CPU time of one detector pass over the long text, sorted
    card_ms: list[float]  # the same over a card's worth of text (its first 500 characters), sorted
    chars: int
    guarded_post_ms: list[float]  # wall time of one chat.postMessage through the guarded client, sorted
    plain_post_ms: list[float]  # the same post through a plain WebClient, sorted
    probes: tuple[int, int, int, int]  # the testers' ordinary texts refused, of all; disguises missed, of all


def long_text() -> str:
    """A long message as people write them: ordinary sentences of the corpus, up to 3,000 characters."""
    text = ""
    for case in corpus("ordinary"):
        if len(text) + len(case["text"]) + 1 > 3000:
            break
        text += case["text"] + "\n"
    return text


def measure(rounds: int = ROUNDS) -> GuardRun:
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
    alarms = []
    for case in corpus("ordinary"):
        found = detector.findings(case["text"], CASE_NUMBER)
        if found:
            alarms.append((case["text"], [f"{f.what.name}: {case['text'][f.start : f.end]}" for f in found]))
    text = long_text()
    cpu = _sorted_times(lambda: detector.findings(text, CASE_NUMBER), rounds, time.process_time)
    card = _sorted_times(lambda: detector.findings(text[:500], CASE_NUMBER), rounds, time.process_time)
    guarded, plain = _posts(detector, text, rounds // 2)
    return GuardRun(
        caught,
        total,
        missed,
        alarms,
        len(corpus("ordinary")),
        cpu,
        card,
        len(text),
        guarded,
        plain,
        probes(detector),
    )


def probes(detector: Detector) -> tuple[int, int, int, int]:
    """The adversarial testers' own texts (bench/corpus/probes_*.json): ordinary ones refused, of all;
    disguised identifiers missed, of all."""
    ordinary, disguised = corpus("probes_ordinary"), corpus("probes_identifiers")
    refused = sum(1 for case in ordinary if detector.findings(case["text"]))
    missed = sum(1 for case in disguised if not detector.findings(case["text"]))
    return refused, len(ordinary), missed, len(disguised)


def _sorted_times(work: Callable[[], object], rounds: int, clock: Callable[[], float]) -> list[float]:
    times = []
    for _ in range(rounds):
        started = clock()
        work()
        times.append((clock() - started) * 1000)
    return sorted(times)


def _posts(detector: Detector, text: str, rounds: int) -> tuple[list[float], list[float]]:
    """The same long post to a partner's channel, through the guarded client and a plain one by turns."""
    from tests.office import PARTNER_TEAM, SHARED_CHANNEL, populate

    with Sandbox() as slack:
        populate(slack)
        guarded = web_client(slack.bot_token, slack.api_url)
        guarded.door = Door(detector, slack.home_team_id, SlackWorkspace(guarded, slack.home_team_id))
        plain = WebClient(token=slack.bot_token, base_url=slack.api_url)
        permit = Permit("R-1", frozenset({PARTNER_TEAM}), CASE_NUMBER)
        with_guard, without = [], []
        for _ in range(rounds):
            with permitting(permit):
                with_guard += _sorted_times(
                    lambda: guarded.chat_postMessage(channel=SHARED_CHANNEL, text=text), 1, time.perf_counter
                )
            without += _sorted_times(
                lambda: plain.chat_postMessage(channel=SHARED_CHANNEL, text=text), 1, time.perf_counter
            )
    return sorted(with_guard), sorted(without)


def _p(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, int(len(values) * share))]


def report(run: GuardRun) -> list[str]:
    lines = ["## The identifier guard", "", "Machine:", "", *machine_lines(), ""]
    lines += [
        f"Measured on the labelled corpus in bench/corpus/ ({sum(run.total.values())} identifiers in "
        f"{len(run.total)} classes, {run.ordinary} ordinary texts), with the corpus office's case-number "
        "pattern and do-not-post names (bench/corpus/build.py).",
        "",
        "| Class | Cases | Caught | Recall | Target | Met |",
        "|---|---|---|---|---|---|",
    ]
    for what, count in run.total.items():
        recall = run.caught[what] / count
        label = Identifier[what].value if what in Identifier.__members__ else "the item's own case number"
        met = _met(recall >= TARGET_RECALL)
        lines.append(f"| {label} | {count} | {run.caught[what]} | {recall:.1%} | ≥ 99% | {met} |")
    caught, total = sum(run.caught.values()), sum(run.total.values())
    rate = len(run.false_alarms) / run.ordinary
    detector_p99 = _p(run.detector_ms, 0.99)
    guarded, plain = statistics.median(run.guarded_post_ms), statistics.median(run.plain_post_ms)
    lines += [
        f"| all classes | {total} | {caught} | {caught / total:.1%} | ≥ 99% | "
        f"{_met(caught / total >= TARGET_RECALL)} |",
        "",
        f"False alarms on ordinary text: {len(run.false_alarms)} of {run.ordinary} ({rate:.1%}; "
        f"target at most 1%: {_met(rate <= TARGET_FALSE_ALARMS)}).",
        "",
        f"Time the detector takes on a {run.chars:,}-character message (CPU time of this process, {ROUNDS} "
        f"passes): p50 {statistics.median(run.detector_ms):.2f} ms, p99 {detector_p99:.2f} ms "
        f"(target under {TARGET_P99_MS:.0f} ms at p99: {_met(detector_p99 < TARGET_P99_MS)}). "
        f"On a card's worth of it (500 characters): p50 {statistics.median(run.card_ms):.2f} ms, "
        f"p99 {_p(run.card_ms, 0.99):.2f} ms.",
        "",
        f"The same message posted to a partner's channel of the Slack stand-in, {len(run.plain_post_ms)} "
        "times each, by turns: through the guarded client (the door reads who reads the channel, cached, "
        "and screens every piece of text) and through a plain WebClient. "
        f"Guarded p50 {guarded:.1f} ms, p99 {_p(run.guarded_post_ms, 0.99):.1f} ms; "
        f"plain p50 {plain:.1f} ms, p99 {_p(run.plain_post_ms, 0.99):.1f} ms: "
        f"the guard adds {guarded - plain:.1f} ms at the median "
        f"({guarded / plain:.2f}× a plain post).",
    ]
    refused, ordinary, missed, disguised = run.probes
    lines += [
        "",
        "The adversarial testers' own texts, kept apart from the corpus (bench/corpus/probes_*.json: "
        "their labels are theirs, and many of their disguises are known misses): "
        f"{refused} of {ordinary:,} ordinary texts refused, {missed} of {disguised} disguised identifiers "
        "missed. No target: a change that moves either is worth a look at which.",
    ]
    if run.missed:
        lines += ["", "Missed:", ""] + [f"- {c['class']}, {c['variant']}: `{c['text']}`" for c in run.missed]
    if run.false_alarms:
        lines += ["", "False alarms:", ""] + [f"- {found}: `{text}`" for text, found in run.false_alarms]
    return lines


def _met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def main() -> None:
    lines = report(measure())
    print("\n".join(lines))
    write_part("guard", lines)


if __name__ == "__main__":
    main()
