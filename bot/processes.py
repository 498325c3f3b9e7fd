"""Worker processes: on PostgreSQL `liaison run` starts LIAISON_WORKERS processes of `liaison work`, each
with WORKER_THREADS workers (bot/worker.py), so that the work after an ack never holds the front's
interpreter lock. A child dies with its parent (the kernel sends it SIGTERM when the parent goes, however
it goes), and one that dies while the parent runs is started again.
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
# Workers yield the CPU to the front when both want it: an ack has Slack's 3 seconds, the work after it
# has no such limit, and on a busy machine the front's acks would otherwise wait behind the workers.
WORKER_NICENESS = 5


# Looked up now, in the parent: between fork and exec a child of a threaded process must not load
# libraries or take locks another thread may have held at the fork.
_prctl = ctypes.CDLL(None, use_errno=True).prctl


def _dying_with(parent: int) -> Callable[[], None]:
    """Run in the child before it execs: it runs at WORKER_NICENESS, and the kernel sends it SIGTERM when
    its parent exits; a parent that exited already (before the call) is noticed at once."""

    def die_with_parent() -> None:
        with contextlib.suppress(OSError):  # a system that refuses: the worker runs at the front's priority
            os.nice(WORKER_NICENESS)
        _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:
            os._exit(0)

    return die_with_parent


class WorkerProcesses:
    def __init__(self, count: int) -> None:
        self.count = count
        self._children: list[subprocess.Popen[bytes]] = []
        self._stopping = threading.Event()
        self._watch = threading.Thread(target=self._keep_running, name="worker-processes", daemon=True)

    def start(self) -> None:
        self._children = [self._spawn() for _ in range(self.count)]
        self._watch.start()
        log.info("started %d worker processes of %d workers each", self.count, WORKER_THREADS)

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

    def _spawn(self) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "bot.cli", "work", "--threads", str(WORKER_THREADS)]
        return subprocess.Popen(command, preexec_fn=_dying_with(os.getpid()))

    def _keep_running(self) -> None:
        while not self._stopping.wait(RESTART_SECONDS):
            for n, child in enumerate(self._children):
                if child.poll() is not None and not self._stopping.is_set():
                    log.error(
                        "worker process %d stopped (status %s); starting another", child.pid, child.returncode
                    )
                    self._children[n] = self._spawn()
