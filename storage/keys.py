"""`liaison keys rotate`: every encrypted column re-encrypted with the first key of LIAISON_DATA_KEY, and
text stored before encryption was turned on encrypted, so older keys can then be retired."""

from __future__ import annotations

from sqlalchemy import String, select, type_coerce, update
from sqlmodel import SQLModel

from storage.db import Database
from storage.types import EncryptedText


def rotate(db: Database) -> int:
    """How many values were rewritten; each table in its own transaction."""
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
                    conn.execute(update(table).where(key == row[key.name]).values(**values))
                    changed += len(values)
    return changed
