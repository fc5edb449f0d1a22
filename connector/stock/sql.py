"""Portable bulk statements: INSERT … ON CONFLICT on PostgreSQL and SQLite, built once per dialect.

Many rows go to PostgreSQL as one JSON document that the server turns into rows (json_to_recordset): the statement
stays short, so psycopg converts it once and caches it, and the rows are encoded by the json module in C. A
multi-row VALUES of thousands of placeholders is parsed again by psycopg for every chunk (profiled: 40 % of the
drain's time), and one array per column is encoded element by element in Python. SQLite gets the rows as multi-row
VALUES ("insertmanyvalues").
"""
from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Row, Text, any_, bindparam, cast, column, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY

from ..extensions import db

T = TypeVar("T")
ROWS_PER_STATEMENT = 500
ROWS_PER_BULK_STATEMENT = 5000


def insert(model):
    return (postgresql if db.engine.dialect.name == "postgresql" else sqlite).insert(model)


def dialect() -> str:
    return db.engine.dialect.name


def bulk_insert(dialect_name: str, table, columns: Sequence[str]):
    """An INSERT of many rows of these columns, to be run with bulk_execute(); add ON CONFLICT and RETURNING as to
    any insert of the dialect."""
    if dialect_name != "postgresql":
        return sqlite.insert(table)
    rows = func.json_to_recordset(cast(bindparam("rows", type_=Text), postgresql.JSON)).table_valued(
        *(column(name, table.c[name].type) for name in columns)).render_derived(with_types=True)
    return postgresql.insert(table).from_select(list(columns), select(rows))


def bulk_execute(statement, columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> list[Row]:
    """Run a bulk_insert() statement for these rows (dicts with exactly its columns); the rows it returned."""
    returned: list[Row] = []
    for batch in chunks(rows, ROWS_PER_BULK_STATEMENT):
        if dialect() == "postgresql":
            result = db.session.execute(statement, {"rows": json.dumps(batch, default=_json_value)})
        else:
            result = db.session.execute(statement, list(batch))
        if result.returns_rows:
            returned.extend(result.all())
    return returned


def _json_value(value: Any) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} cannot be sent in a bulk statement")


def among(column, values: Collection) -> ColumnElement[bool]:
    """`column IN values`. PostgreSQL gets one array parameter (`= ANY`), which the server hashes like a constant;
    a list of bound parameters is compared one by one against every row the plan filters (185 ms instead of 2 ms
    for 500 SKUs among 20,000 rows whose statistics lagged behind a bulk load)."""
    if dialect() == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)


def chunks(items: Iterable[T], size: int = ROWS_PER_STATEMENT) -> Iterator[Sequence[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
