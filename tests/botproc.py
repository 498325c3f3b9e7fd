"""The real bot as a separate process: `liaison run`, exactly as an office starts it."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

# The tests' own HTTP requests, one client for all: httpx.get() makes a client, with an SSL context, per call
# (tens of milliseconds each). No connection is kept between requests, as with a client per request.
HTTP = httpx.Client(limits=httpx.Limits(max_keepalive_connections=0))

# Settings a developer's shell might carry that must not leak into a test's bot.
OUR_VARIABLES = ("SLACK_", "DATABASE_URL", "LIAISON_", "PORT")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_environment(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(OUR_VARIABLES)}
    env.update(settings)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run_cli(
    args: list[str], cwd: Path, timeout: float = 60, **settings: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        env=clean_environment(**settings),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


class BotProcess:
    """`liaison run` in a working directory of its own (so no developer's .env is read)."""

    def __init__(self, cwd: Path, args: list[str], **settings: str) -> None:
        self.cwd, self.settings = (
            cwd,
            settings,
        )  # where and with what it runs, for a one-off command beside it
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._lines: list[str] = []
        self._process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", "--host", "127.0.0.1", "--port", str(self.port), *args],
            cwd=cwd,
            env=clean_environment(**settings),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read_output, daemon=True).start()

    def _read_output(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self._lines.append(line)

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def output(self) -> str:
        return "".join(self._lines)

    def wait_until_serving(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise AssertionError(f"liaison run exited with {self._process.returncode}:\n{self.output}")
            try:
                HTTP.get(f"{self.url}/healthz", timeout=1)
            except httpx.TransportError:
                time.sleep(0.1)
                continue
            self._wait_for_workers(deadline)
            return
        raise AssertionError(f"liaison run did not start serving within {timeout}s:\n{self.output}")

    def _wait_for_workers(self, deadline: float) -> None:
        """Until each worker process is ready for kept commands: on PostgreSQL its connection, named after
        its process in pg_stat_activity, has run LISTEN; on SQLite the one process said it is taking them.
        A command typed before then is kept and done later, and a test's wait for its answer
        would count a loaded machine's process start-up. Gives up quietly at the deadline (a test of
        workers that never come checks that itself), and when the database does not answer."""
        url = self.settings.get("DATABASE_URL", "")
        if url.startswith("sqlite"):
            while time.monotonic() < deadline and self._process.poll() is None:
                workers = self.children()
                if workers and all(f"worker process {pid} is taking" in self.output for pid in workers):
                    return
                time.sleep(0.05)
            return
        if not url.startswith("postgresql"):
            return
        engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 2})
        try:
            while time.monotonic() < deadline and self._process.poll() is None:
                workers = self.children()
                names = [f"liaison-{pid}" for pid in workers]
                with engine.connect() as conn:
                    listening = conn.execute(
                        text(
                            "SELECT count(DISTINCT application_name) FROM pg_stat_activity "
                            "WHERE application_name = ANY(:names) AND query LIKE 'LISTEN %'"
                        ),
                        {"names": names},
                    ).scalar_one()
                if workers and listening == len(workers):
                    return
                time.sleep(0.1)
        except OperationalError:
            return
        finally:
            engine.dispose()

    def children(self) -> list[int]:
        """Its live child processes (the worker processes), each thread's."""
        try:
            tasks = list(Path(f"/proc/{self.pid}/task").iterdir())
            return sorted(int(c) for task in tasks for c in (task / "children").read_text().split())
        except FileNotFoundError:  # it has exited
            return []

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        """Send `sig` and wait for the bot to exit. SIGKILL kills it whole, as a crash of its machine
        would: its worker processes first, which on PostgreSQL would otherwise finish their commands."""
        if sig == signal.SIGKILL:
            for child in self.children():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(child, signal.SIGKILL)
        if self._process.poll() is None:
            self._process.send_signal(sig)
        try:
            return self._process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            raise AssertionError(f"liaison run did not stop within {timeout}s:\n{self.output}") from None
