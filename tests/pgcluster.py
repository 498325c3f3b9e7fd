"""A throwaway PostgreSQL cluster of a test's own, on a free port, that the test may stop, start, freeze
and thaw: the machine's shared server (5432) is never touched. Made with the server's own initdb and
pg_ctl; as root they run as the `postgres` user, since PostgreSQL refuses to run as root."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

from tests.botproc import free_port


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb")) or [shutil.which("initdb") or ""]
    return Path(found[-1]).parent if found[-1] else None


BIN = _bin_dir()


def _owner() -> str | None:
    """Who runs the cluster: this user, or `postgres` when this is root."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return ""
    return "postgres"


OWNER = _owner()
MISSING = (
    "initdb not found (install PostgreSQL's server binaries)"
    if BIN is None
    else "running as root without a postgres user to run a cluster as"
    if OWNER == ""
    else None
)
# The tests that stop a real PostgreSQL mid-work: skipped, with the reason, where no cluster can be made.
needs_throwaway_postgres = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")


class Cluster:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        assert BIN is not None
        command = [str(BIN / args[0]), *args[1:]]
        if OWNER:
            command = ["runuser", "-u", OWNER, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"{' '.join(args[:2])} failed: {done.stdout}{done.stderr}"

    def create(self) -> None:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"), "-w", "start"
        )

    def stop(self) -> None:
        """Stopped the way a crash or a pulled cable would: at once, connections dropped."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def _pids(self) -> list[int]:
        """The postmaster, then every process it started."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == postmaster:
                children.append(int(stat.parent.name))
        return [postmaster, *children]

    def freeze(self, *, postmaster_only: bool = False) -> None:
        """Stop the server's processes where they are (a hung disk, a paused VM): connections stay open and
        nothing answers."""
        pids = self._pids()
        for pid in pids[:1] if postmaster_only else pids:
            os.kill(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        for pid in self._pids():
            os.kill(pid, signal.SIGCONT)


@contextmanager
def throwaway_postgres() -> Iterator[Cluster]:
    """A fresh cluster, running; stopped and removed afterwards, whatever state the test left it in."""
    folder = Path(tempfile.mkdtemp(prefix="liaison-pg-"))  # not under pytest's root-only tmp: OWNER reads it
    if OWNER:
        shutil.chown(folder, OWNER)
    cluster = Cluster(folder)
    try:
        cluster.create()
        cluster.start()
        yield cluster
    finally:
        if (cluster.data / "postmaster.pid").exists():
            with suppress(OSError, ValueError):
                cluster.thaw()
            with suppress(AssertionError):
                cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)
