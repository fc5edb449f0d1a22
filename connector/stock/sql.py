"""Portable bulk statements: INSERT … ON CONFLICT on PostgreSQL and SQLite. Bulk upserts are built once per
dialect and executed with a list of parameter sets, which SQLAlchemy sends as multi-row statements ("insertmany
values") without compiling a new statement per chunk."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db

T = TypeVar("T")
ROWS_PER_STATEMENT = 500


def insert(model):
    return (postgresql if db.engine.dialect.name == "postgresql" else sqlite).insert(model)


def dialect() -> str:
    return db.engine.dialect.name


def insert_for(dialect_name: str, table):
    return (postgresql if dialect_name == "postgresql" else sqlite).insert(table)


def chunks(items: Iterable[T], size: int = ROWS_PER_STATEMENT) -> Iterator[Sequence[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
