"""Column types shared by the tables."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from storage import crypto


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every database.

    PostgreSQL keeps the zone (timestamptz) but SQLite stores text and hands back naive values, so values
    are normalised to UTC on the way in and marked UTC on the way out. Naive values are refused: a naive
    datetime in this code base is a bug that would silently shift a deadline by the server's offset.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given to a UTC column; attach a time zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = value  # what the driver read from a UTC column
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


KEYRING = "liaison_keyring"  # the attribute of an engine's dialect holding its Keyring (None: plain text)


class EncryptedText(TypeDecorator[str]):
    """Free text about a client's matter, encrypted with the database's keyring (storage/crypto.py). The
    keyring rides on the engine's dialect, so each Database has its own and nothing is global."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        keyring = getattr(dialect, KEYRING, None)
        return value if value is None or keyring is None else keyring.encrypt(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else crypto.reveal(value, getattr(dialect, KEYRING, None))


def utc_column(*, nullable: bool, index: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable, index=index)


def list_column() -> Column[list[str]]:
    # Lists are replaced whole, never mutated in place, so plain JSON (no mutation tracking) is enough.
    return Column(JSON, nullable=False, default=list)
