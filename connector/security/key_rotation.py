"""Re-encrypt every stored secret under the first configured key."""
from __future__ import annotations

from collections.abc import Callable, Iterator

from sqlalchemy import Column, Table, Text, func, literal, literal_column, select, update

from ..extensions import db
from .crypto import EncryptedText, fernet

BATCH_SIZE = 500


def encrypted_columns() -> Iterator[tuple[Table, Column]]:
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, EncryptedText):
                yield table, column


def _raw(table: Table, column: Column):
    return literal_column(f"{table.name}.{column.name}", type_=Text)


def secrets_per_column() -> dict[str, int]:
    """How many secrets each encrypted column holds ("table.column": count): what a rotation works through."""
    return {f"{table.name}.{column.name}": db.session.scalar(
                select(func.count()).select_from(table).where(_raw(table, column).is_not(None)))
            for table, column in encrypted_columns()}


def rotate_all(keys: list[str], progress: Callable[[str, int, int], None] | None = None) -> int:
    """Re-encrypt every secret with keys[0]; returns how many values were rewritten. After each batch,
    progress("table.column", done in that column, done in all) is told how far it got.

    Works on the raw ciphertext (a plain Text view of the column), so no secret is decrypted into a Python
    object beyond the one value being rotated. Safe to interrupt and run again.
    """
    rotator = fernet(keys)
    rewritten = 0
    for table, column in encrypted_columns():
        primary_key = next(iter(table.primary_key.columns))
        raw = _raw(table, column)
        last_id, column_done = None, 0
        while True:
            query = select(primary_key, raw).select_from(table).where(raw.is_not(None))
            if last_id is not None:
                query = query.where(primary_key > last_id)
            rows = db.session.execute(query.order_by(primary_key).limit(BATCH_SIZE)).all()
            if not rows:
                break
            for row_id, ciphertext in rows:
                done_now = _rotate_value(table, column, primary_key, raw, row_id, ciphertext, rotator)
                rewritten += done_now
                column_done += done_now
                last_id = row_id
            db.session.commit()
            if progress:
                progress(f"{table.name}.{column.name}", column_done, rewritten)
    return rewritten


def _rotate_value(table: Table, column: Column, primary_key: Column, raw, row_id, ciphertext: str | None,
                  rotator) -> int:
    """Rewrite one value only if it is still the one read: a token refreshed or a secret replaced meanwhile must not
    be overwritten with the older value. A changed value is read again and rotated in turn."""
    while ciphertext is not None:
        rotated = rotator.rotate(ciphertext.encode()).decode()
        changed = db.session.execute(
            update(table).where(primary_key == row_id, raw == literal(ciphertext, Text))
            .values({column.name: literal(rotated, Text)})
        ).rowcount
        if changed:
            return 1
        ciphertext = db.session.execute(select(raw).select_from(table).where(primary_key == row_id)).scalar()
    return 0
