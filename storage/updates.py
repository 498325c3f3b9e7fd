"""One write against a race: a row is changed only while it still holds what was read, so that of two
processes (two clicks, two instances, a send and a retry) changing it at once, exactly one wins."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import ColumnElement, Table, update
from sqlalchemy.engine import CursorResult
from sqlmodel import Session, SQLModel, col


def update_if(
    session: Session, model: type[SQLModel], row_id: int | None, *still: ColumnElement[bool], **values: Any
) -> bool:
    """Write `values` to the row `row_id` of `model` if every condition in `still` holds; False, with
    nothing written, if another writer changed it meanwhile (the caller decides what that means)."""
    # ORM-enabled: the session's copy of the row, if it holds one, is kept in step with what was written.
    key = col(getattr(model, "id"))  # noqa: B009 (the model is a variable)
    result = session.execute(update(model).where(key == row_id, *still).values(**values))
    return cast(CursorResult[Any], result).rowcount == 1


def table_of(model: type[SQLModel]) -> Table:
    """The model's table, for statements on rows no session holds (the work queue's): an ORM-enabled
    UPDATE or DELETE looks for the session's copies of the rows to keep them in step, which costs more
    than the statement on a command's hot path."""
    return cast(Table, getattr(model, "__table__"))  # noqa: B009 (SQLModel sets it on table models)
