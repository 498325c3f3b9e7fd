"""Hours between two timestamp columns, computed by the database: a report over a year reads one number per
referral instead of five timestamps (SQLite keeps UTC text that `julianday` reads; PostgreSQL subtracts
its timestamptz values)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class hours_between(FunctionElement[float]):  # lower case, as SQL functions are named
    """`hours_between(later, earlier)`: NULL when either is."""

    type = Float()
    inherit_cache = True
    name = "hours_between"


def _sides(element: hours_between, compiler: SQLCompiler, **kw: Any) -> tuple[str, str]:
    later, earlier = list(element.clauses)
    return compiler.process(later, **kw), compiler.process(earlier, **kw)


@compiles(hours_between, "sqlite")
def _sqlite(element: hours_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = _sides(element, compiler, **kw)
    return f"((julianday({later}) - julianday({earlier})) * 24.0)"


@compiles(hours_between, "postgresql")
def _postgresql(element: hours_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = _sides(element, compiler, **kw)
    # EXTRACT gives numeric (a Decimal for each row, slow to read): float8 is what the caller wants.
    return f"(CAST(EXTRACT(EPOCH FROM ({later} - {earlier})) AS DOUBLE PRECISION) / 3600.0)"
