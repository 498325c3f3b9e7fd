"""`liaison keys rotate`: every encrypted column re-encrypted with the first key of LIAISON_DATA_KEY, and
text stored before encryption was turned on encrypted, so older keys can then be retired."""

from __future__ import annotations

from sqlalchemy import String, select, type_coerce, update
from sqlmodel import SQLModel

from storage.db import Database
from storage.types import EncryptedText


def rotate(db: Database) -> int:
    """How many values were rewritten; each table in its own transaction. Run it after the bot restarted
    with the new key first, so nothing is still being written with the old one."""
    keyring = db.keyring
    if keyring is None:
        raise ValueError("rotating needs LIAISON_DATA_KEY")
    changed = 0
    for table in SQLModel.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, EncryptedText)]
        if not columns:
            continue
        key = next(iter(table.primary_key.columns))
        raw = [type_coerce(c, String).label(c.name) for c in columns]  # as stored, not decrypted
        with db.engine.begin() as conn:
            for row in conn.execute(select(key, *raw)).mappings().all():
                values = {
                    c.name: type_coerce(keyring.rotate(row[c.name]), String)
                    for c in columns
                    if row[c.name] is not None
                }
                if values:
                    # Only if the row is still as read: a purge or an edit made meanwhile is never undone
                    # (that row keeps its older key, and the next rotation takes it).
                    unchanged = [
                        type_coerce(c, String) == row[c.name] for c in columns if row[c.name] is not None
                    ]
                    done = conn.execute(
                        update(table).where(key == row[key.name], *unchanged).values(**values)
                    )
                    changed += len(values) if done.rowcount == 1 else 0
    return changed


def check(db: Database) -> None:
    """Read one stored value of each encrypted column: UnreadableText, at start, when the keys can't."""
    for table in SQLModel.metadata.sorted_tables:
        for column in (c for c in table.columns if isinstance(c.type, EncryptedText)):
            with db.engine.connect() as conn:
                conn.execute(select(column).where(column.is_not(None)).limit(1)).all()
