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
import time
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
    def __init__(self, count: int, threads: int, *, piped: bool, holding: tuple[int, ...] = ()) -> None:
        """`piped`: each child is woken through its standard input (SQLite), not by the database.
        `holding`: file descriptors (locks) each child holds open too, until it ends."""
        self.count, self.threads, self.piped, self._holding = count, threads, piped, holding
        self._children: list[subprocess.Popen[bytes]] = []
        self._lock = threading.Lock()  # no child is started once stop() has begun
        self._stopping = threading.Event()
        # A child dies with the thread that started it, not with the process (PR_SET_PDEATHSIG): the
        # watcher, which starts the replacements, lives until stop() has seen every child exit.
        self._stopped = threading.Event()
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
        with self._lock:
            self._stopping.set()
            children = list(self._children)
        for child in children:
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + timeout
        for child in children:
            try:
                child.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        self._stopped.set()

    def wake(self, n: int) -> None:
        """Wake a worker for each of `n` commands kept, in every live child (piped ones; NOTIFY wakes the
        others): one whose workers are all busy must not keep a command from another's idle ones. Never
        blocks: a pipe still full of wake-ups is one whose workers are awake."""
        if not self.piped:
            return
        for child in list(self._children):
            if child.stdin is not None and child.poll() is None:
                with contextlib.suppress(OSError):  # full (EAGAIN), or the child just died (EPIPE)
                    os.write(child.stdin.fileno(), WAKE * min(n, self.threads))

    def _spawn(self) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "bot.cli", "work", "--threads", str(self.threads)]
        if self.piped:
            command.append(WAKES_ON_STDIN)
        death = signal.SIGKILL if self.piped else signal.SIGTERM
        child = subprocess.Popen(
            command,
            stdin=subprocess.PIPE if self.piped else None,
            preexec_fn=_dying_with(os.getpid(), death),
            pass_fds=self._holding,
        )
        if child.stdin is not None:
            os.set_blocking(child.stdin.fileno(), False)
        return child

    def _keep_running(self) -> None:
        while not self._stopped.wait(RESTART_SECONDS):
            for n, child in enumerate(list(self._children)):
                if child.poll() is None:
                    continue
                with self._lock:
                    if self._stopping.is_set():
                        break
                    try:
                        self._children[n] = self._spawn()
                    except OSError as exc:  # out of processes or memory: try again at the next round
                        log.error("worker process %d stopped; could not start another: %s", child.pid, exc)
                        continue
                log.error(
                    "worker process %d stopped (status %s); started another", child.pid, child.returncode
                )
