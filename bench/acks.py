"""Ack latency and throughput: signed /referral commands over HTTP, as Slack sends them (a new connection
each), `concurrency` at a time, against Liaison and against the bare Bolt app on the same server stack."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench import loadgen
from bot.sandbox import Delivery, Sandbox, visible_text
from tests.botproc import clean_environment, free_port
from tests.office import DEFENDER

TEXT = "need:housing Client received an eviction notice and needs counsel before the hearing."
CARD = " · Referral to"


@dataclass(frozen=True)
class AckRun:
    app: str
    concurrency: int
    sent: int
    failed: int  # not acknowledged with a 200 within Slack's 3 seconds
    p50_ms: float
    p99_ms: float
    acks_per_second: float
    done_per_second: float | None  # referrals whose card is posted, per second (Liaison only)


def fire(
    slack: Sandbox, channels: Sequence[str], sent: int, concurrency: int
) -> tuple[list[Delivery], float]:
    """`sent` commands round-robin over `channels`, from the load generator's process (bench/loadgen.py);
    the deliveries and the seconds until the last ack."""
    signed = [
        slack.signed_slash_command(DEFENDER, channels[n % len(channels)], "/referral", TEXT)
        for n in range(sent)
    ]
    started = time.monotonic()
    deliveries = loadgen.send_all(slack, signed, concurrency)
    return deliveries, time.monotonic() - started


def cards(slack: Sandbox, channels: Sequence[str]) -> int:
    return sum(1 for c in channels for m in slack.messages(c) if CARD in m.text)


def answered(slack: Sandbox, channels: Sequence[str]) -> int:
    """How many commands were told "Sent" (Liaison and the minimal script both say it, once a card is up)."""
    return sum(
        1 for c in channels for e in slack.ephemerals(DEFENDER, c) if visible_text(e).startswith("Sent *R-")
    )


def all_answered(slack: Sandbox, channels: Sequence[str], timeout: float = 60) -> None:
    """Wait until every card in the channels has had its "Sent" answer: an answer follows its card, so a
    count taken when the cards are up can miss the last answers (or find them in the next count)."""
    deadline = time.monotonic() + timeout
    while answered(slack, channels) < cards(slack, channels) and time.monotonic() < deadline:
        time.sleep(0.05)


def measure(
    slack: Sandbox, app: str, channels: Sequence[str], sent: int, concurrency: int, *, wait_for_cards: bool
) -> AckRun:
    before = cards(slack, channels) if wait_for_cards else 0
    started = time.monotonic()
    deliveries, acked_in = fire(slack, channels, sent, concurrency)
    done_per_second = None
    if wait_for_cards:
        target = before + sum(d.acked for d in deliveries)
        deadline = time.monotonic() + 300
        while cards(slack, channels) < target and time.monotonic() < deadline:
            time.sleep(0.05)
        done_per_second = (cards(slack, channels) - before) / (time.monotonic() - started)
    latencies = sorted(d.elapsed_seconds * 1000 for d in deliveries)
    return AckRun(
        app=app,
        concurrency=concurrency,
        sent=sent,
        failed=sum(not d.acked for d in deliveries),
        p50_ms=statistics.median(latencies),
        p99_ms=latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        acks_per_second=sent / acked_in,
        done_per_second=done_per_second,
    )


@contextmanager
def bare_bolt(slack: Sandbox, folder: Path) -> Iterator[subprocess.Popen[str]]:
    """The bare app (bench/bare.py) serving, with the stand-in delivering to it."""
    port = free_port()
    settings = {
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": slack.signing_secret,
        "SLACK_API_URL": slack.api_url,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.bare", "--port", str(port)],
        cwd=Path(__file__).resolve().parent.parent,
        env=clean_environment(**settings),
        stdout=subprocess.DEVNULL,
        stderr=(folder / "bare.log").open("w"),  # read back if it does not start
        text=True,
    )
    try:
        _wait_serving(f"http://127.0.0.1:{port}/healthz", process, folder / "bare.log")
        slack.bot_url = f"http://127.0.0.1:{port}/slack/events"
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_serving(url: str, process: subprocess.Popen[str], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"the bare Bolt app did not start serving at {url}:\n{log.read_text()[-2000:]}")


def resident_mib(pid: int) -> float:
    """The resident set size (VmRSS) of the process and its live children (a bot's worker processes), in
    MiB; pages they share are counted in each."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            tasks = Path(f"/proc/{pid}/task").iterdir()
            children = [int(c) for task in tasks for c in (task / "children").read_text().split()]
            return int(line.split()[1]) / 1024 + sum(resident_mib(child) for child in children)
    raise RuntimeError(f"no VmRSS for process {pid}")
