"""Worker processes: `liaison run` starts LIAISON_WORKERS processes of `liaison work` (bot/worker.py),
each with WORKER_THREADS workers, so that the work after an ack never holds the front's interpreter lock.
On PostgreSQL NOTIFY wakes them; on SQLite, which has none, the front writes to their standard input.

A child dies with its parent, however the parent goes: the kernel sends it a signal. On PostgreSQL that is
SIGTERM: it finishes the commands in hand, which its leases keep from any other worker meanwhile. On
SQLite it is SIGKILL, as for a thread of the parent: the next start takes its commands back at once
(storage/work.py release_all), and must not find it still at them. One that dies while the parent runs
is started again (its commands are taken again when their leases run out).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable

log = logging.getLogger("liaison")

WORKER_THREADS = 4  # each process's workers: a command mostly waits on Slack and the database
PR_SET_PDEATHSIG = 1  # linux/prctl.h
RESTART_SECONDS = 2.0
WAKE = b"w"  # one a worker, written to a piped child
WAKES_ON_STDIN = "--wakes-on-stdin"  # `liaison work`'s flag for a piped child (not in its help)
# Workers yield the CPU to the front when both want it: an ack has Slack's 3 seconds, the work after it
# has no such limit, and on a busy machine the front's acks would otherwise wait behind the workers.
WORKER_NICENESS = 5


# Looked up now, in the parent: between fork and exec a child of a threaded process must not load
# libraries or take locks another thread may have held at the fork.
_prctl = ctypes.CDLL(None, use_errno=True).prctl


def _dying_with(parent: int, death: int) -> Callable[[], None]:
    """Run in the child before it execs: it runs at WORKER_NICENESS, and the kernel sends it `death` when
    its parent exits; a parent that exited already (before the call) is noticed at once."""

    def die_with_parent() -> None:
        with contextlib.suppress(OSError):  # a system that refuses: the worker runs at the front's priority
            os.nice(WORKER_NICENESS)
        _prctl(PR_SET_PDEATHSIG, death)
        if os.getppid() != parent:
            os._exit(0)

    return die_with_parent


class WorkerProcesses:
    def __init__(self, count: int, threads: int, *, piped: bool) -> None:
        """`piped`: each child is woken through its standard input (SQLite), not by the database."""
        self.count, self.threads, self.piped = count, threads, piped
        self._next = 0  # the child the next wake-up goes to
        self._children: list[subprocess.Popen[bytes]] = []
        self._stopping = threading.Event()
        self._watch = threading.Thread(target=self._keep_running, name="worker-processes", daemon=True)

    def start(self) -> None:
        self._children = [self._spawn() for _ in range(self.count)]
        self._watch.start()
        log.info("started %d worker processes of %d workers each", self.count, self.threads)

    @property
    def pids(self) -> list[int]:
        return [child.pid for child in self._children]

    def stop(self, timeout: float = 25.0) -> None:
        """SIGTERM to each: it finishes the commands in hand and exits; what is still kept waits."""
        self._stopping.set()
        for child in self._children:
            if child.poll() is None:
                child.terminate()
        for child in self._children:
            try:
                child.wait(timeout)
            except subprocess.TimeoutExpired:
                child.kill()

    def wake(self, n: int) -> None:
        """Wake a worker for each of `n` commands kept, the children in turn (piped ones; NOTIFY wakes the
        others). Never blocks: a pipe still full of wake-ups is one whose workers are awake."""
        if not self.piped or not self._children:
            return
        for _ in range(min(n, self.count * self.threads)):
            child = self._children[self._next % len(self._children)]
            self._next += 1
            if child.stdin is not None:
                with contextlib.suppress(OSError):  # full (EAGAIN), or the child just died (EPIPE)
                    os.write(child.stdin.fileno(), WAKE)

    def _spawn(self) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "bot.cli", "work", "--threads", str(self.threads)]
        if self.piped:
            command.append(WAKES_ON_STDIN)
        death = signal.SIGKILL if self.piped else signal.SIGTERM
        child = subprocess.Popen(
            command,
            stdin=subprocess.PIPE if self.piped else None,
            preexec_fn=_dying_with(os.getpid(), death),
        )
        if child.stdin is not None:
            os.set_blocking(child.stdin.fileno(), False)
        return child

    def _keep_running(self) -> None:
        while not self._stopping.wait(RESTART_SECONDS):
            for n, child in enumerate(self._children):
                if child.poll() is not None and not self._stopping.is_set():
                    log.error(
                        "worker process %d stopped (status %s); starting another", child.pid, child.returncode
                    )
                    self._children[n] = self._spawn()
