"""Portable bulk statements: INSERT … ON CONFLICT on PostgreSQL and SQLite, in chunks that stay under both
databases' limits on bound parameters."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db

T = TypeVar("T")
ROWS_PER_STATEMENT = 500


def insert(model):
    return (postgresql if db.engine.dialect.name == "postgresql" else sqlite).insert(model)


def chunks(items: Iterable[T], size: int = ROWS_PER_STATEMENT) -> Iterator[Sequence[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
