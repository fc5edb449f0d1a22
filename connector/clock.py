"""One source of the current time, so tests can move it (tokens expire after a year)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

_offset = timedelta(0)


def utcnow() -> datetime:
    """Timezone-aware UTC now, shifted by the test offset."""
    return datetime.now(timezone.utc) + _offset


def advance(delta: timedelta) -> None:
    global _offset
    _offset += delta


def reset() -> None:
    global _offset
    _offset = timedelta(0)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=timezone.utc)
