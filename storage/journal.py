"""The journal: a file next to the bot where events that change the database are written, and fsynced,
before Slack is told they arrived. Slack redelivers an event only for about six minutes, and only when it
got no 200; an event acknowledged while the database is down or saturated would be lost. Written here
first, it is applied when the database answers again, in the order it arrived, and once: each entry's ID
is noted in the database in the same transaction as its work (storage/deliveries.py), so an entry applied
just before a crash is not applied again when the journal is replayed.

One line per entry (its ID and the event, encrypted like stored text, since a thread reply is client
text) and one per entry done. The file is emptied whenever nothing in it waits. A process holds it locked
for as long as it runs: two instances must not share one journal."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
import uuid
from pathlib import Path
from typing import IO, Any

from storage.crypto import Keyring, reveal

log = logging.getLogger("liaison")
DEFAULT_PATH = Path("liaison-journal.jsonl")


class JournalInUse(Exception):
    """Another process holds the journal: each instance needs its own (LIAISON_JOURNAL)."""


class Journal:
    def __init__(self, path: Path, keyring: Keyring | None) -> None:
        self.path = path
        self._keyring = keyring
        self._lock = threading.Lock()
        self._file: IO[str] = _open_locked(path)
        # Entries not yet done, in the order they arrived; `_kept` are those waiting for a replay (the
        # database was not there for them, or they came while earlier ones waited).
        self._entries: dict[str, dict[str, Any]] = {}
        self._kept: set[str] = set()
        for line_number, line in enumerate(self._file.read().splitlines(), 1):
            self._load(line, line_number)
        self._kept = set(self._entries)  # whatever a previous run left undone is replayed
        if self._entries:
            log.warning("journal: %d events left from the last run are replayed", len(self._entries))

    def _load(self, line: str, line_number: int) -> None:
        try:
            row = json.loads(line)
            if "done" in row:
                self._entries.pop(row["done"], None)
            else:
                self._entries[row["id"]] = json.loads(reveal(row["entry"], self._keyring))
        except (ValueError, KeyError, TypeError):  # a line cut short by a crash mid-write: never acked
            log.warning("journal: line %d of %s is unreadable and was skipped", line_number, self.path)

    def append(self, record: dict[str, Any]) -> str:
        """Write `record` durably (on disk when this returns); its entry ID."""
        entry = uuid.uuid4().hex
        text = json.dumps(record, ensure_ascii=True)
        sealed = self._keyring.encrypt(text) if self._keyring else text
        with self._lock:
            self._write({"id": entry, "entry": sealed}, sync=True)
            self._entries[entry] = record
        return entry

    def keep(self, entry: str) -> None:
        """Leave the entry for the replay (the database is not there for it now)."""
        with self._lock:
            if entry in self._entries:
                self._kept.add(entry)

    def waiting_before(self, entry: str) -> bool:
        """Whether earlier entries wait for a replay: then this one waits too, so events keep their order."""
        with self._lock:
            return bool(self._kept - {entry})

    def kept(self) -> list[tuple[str, dict[str, Any]]]:
        """The entries waiting for a replay, oldest first."""
        with self._lock:
            return [(entry, record) for entry, record in self._entries.items() if entry in self._kept]

    def done(self, entry: str) -> None:
        """The entry's work is in the database. Not synced: an entry done but not marked so is replayed,
        and its ID in the database makes that do nothing."""
        with self._lock:
            if self._entries.pop(entry, None) is None:
                return
            self._kept.discard(entry)
            if self._entries:
                self._write({"done": entry}, sync=False)
            else:  # nothing waits: start the file afresh
                self._file.seek(0)
                self._file.truncate()
                self._file.flush()
                os.fsync(self._file.fileno())

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def close(self) -> None:
        with self._lock:
            self._file.close()  # closing releases the lock

    def _write(self, row: dict[str, str], *, sync: bool) -> None:
        self._file.seek(0, os.SEEK_END)
        self._file.write(json.dumps(row) + "\n")
        self._file.flush()
        if sync:
            os.fsync(self._file.fileno())


def _open_locked(path: Path) -> IO[str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists()
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115  (held open, and locked, while running)
    if new:  # the file's name must survive a power cut too, not only what is written in it
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise JournalInUse(
            f"another Liaison process is using the journal {path}: give each instance its own LIAISON_JOURNAL"
        ) from None
    handle.seek(0)
    return handle
