"""Finding log entries: filters, search by any reference, and keyset pagination that stays fast with millions of rows.

Pages are ordered newest first by (created_at, id) and addressed by a cursor, never by an offset: the database walks
the (shop_id, created_at, id) index from the cursor and stops after one page, whether that page is the first or the
last of a million rows.
"""
from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select, tuple_, union_all

from ..extensions import db
from .models import LogEntry

PAGE_SIZE = 50
LEVELS = ("error", "warning", "info", "debug")
PROBLEMS = "problems"  # the level filter "warnings and errors"
AMAZON_ORDER_ID = re.compile(r"^\d{3}-\d{7}-\d{7}$")


@dataclass(frozen=True)
class LogFilter:
    account_id: int | None = None
    kind: str | None = None
    level: str | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    search: str | None = None
    run_id: int | None = None

    def as_args(self, zone: ZoneInfo) -> dict[str, str]:
        """Query-string arguments that reproduce this filter (dates in the shop's time zone)."""
        args = {"account": self.account_id, "kind": self.kind, "level": self.level, "q": self.search,
                "run": self.run_id,
                "since": self.since.astimezone(zone).date().isoformat() if self.since else None,
                "until": (self.until.astimezone(zone) - timedelta(days=1)).date().isoformat() if self.until else None}
        return {key: str(value) for key, value in args.items() if value not in (None, "")}


def parse_filter(args, zone: ZoneInfo) -> LogFilter:
    """From query-string arguments; dates are whole days in the shop's time zone. Garbage is ignored, not an error."""
    return LogFilter(
        account_id=optional_int(args.get("account")),
        kind=(args.get("kind") or None),
        level=args.get("level") if args.get("level") in (*LEVELS, PROBLEMS) else None,
        since=_day_start(args.get("since"), zone),
        until=_day_start(args.get("until"), zone, next_day=True),
        search=(args.get("q") or "").strip()[:200] or None,
        run_id=optional_int(args.get("run")),
    )


def optional_int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _day_start(value: str | None, zone: ZoneInfo, next_day: bool = False) -> datetime | None:
    try:
        day = datetime.fromisoformat(value).date() if value else None
    except ValueError:
        return None
    if day is None:
        return None
    start = datetime.combine(day + timedelta(days=1 if next_day else 0), time(0), tzinfo=zone)
    return start.astimezone(timezone.utc)


def reference_condition(term: str):
    """Entries whose references equal the term: SKU, Amazon order ID, cart order ID, feed ID, Amazon request ID,
    error code, and for numbers also HTTP status, webhook delivery and run.

    A union of one index lookup per reference: an OR over the columns would make the database walk the time index
    and test every row instead."""
    if AMAZON_ORDER_ID.match(term):
        columns = [(LogEntry.amazon_order_id, term)]
    else:
        columns = [(column, term) for column in (LogEntry.sku, LogEntry.cart_order_id, LogEntry.feed_id,
                                                 LogEntry.amazon_request_id, LogEntry.error_code,
                                                 LogEntry.amazon_order_id)]
        if term.isdigit() and len(term) < 18:
            number = int(term)
            columns += [(LogEntry.webhook_delivery_id, number), (LogEntry.run_id, number)]
            if 100 <= number <= 599:
                columns.append((LogEntry.http_status, number))
    return LogEntry.id.in_(union_all(*(select(LogEntry.id).where(column == value) for column, value in columns)))


def filtered(shop_id: int, log_filter: LogFilter) -> Select:
    query = select(LogEntry).where(LogEntry.shop_id == shop_id)
    if log_filter.account_id is not None:
        query = query.where(LogEntry.account_id == log_filter.account_id)
    if log_filter.kind:
        query = query.where(LogEntry.kind == log_filter.kind)
    if log_filter.level == PROBLEMS:
        query = query.where(LogEntry.level.in_(("error", "warning")))
    elif log_filter.level:
        query = query.where(LogEntry.level == log_filter.level)
    if log_filter.since:
        query = query.where(LogEntry.created_at >= log_filter.since)
    if log_filter.until:
        query = query.where(LogEntry.created_at < log_filter.until)
    if log_filter.run_id is not None:
        query = query.where(LogEntry.run_id == log_filter.run_id)
    if log_filter.search:
        query = query.where(reference_condition(log_filter.search))
    return query


def encode_cursor(entry: LogEntry) -> str:
    return base64.urlsafe_b64encode(f"{entry.created_at.isoformat()}|{entry.id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    try:
        stamp, _, entry_id = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().partition("|")
        return datetime.fromisoformat(stamp), int(entry_id)
    except (ValueError, UnicodeDecodeError):
        return None


@dataclass(frozen=True)
class Page:
    entries: list[LogEntry]
    newer: str | None  # cursor of the page before (newer entries); None on the first page
    older: str | None  # cursor of the page after (older entries); None on the last page


def page(shop_id: int, log_filter: LogFilter, *, after: str | None = None, before: str | None = None,
         last: bool = False, size: int = PAGE_SIZE) -> Page:
    """One page, newest first. `after`: the page older than that cursor; `before`: the page newer than it;
    `last`: the oldest page. Without any: the newest page."""
    key = tuple_(LogEntry.created_at, LogEntry.id)
    query = filtered(shop_id, log_filter)
    newest_first = (LogEntry.created_at.desc(), LogEntry.id.desc())
    oldest_first = (LogEntry.created_at.asc(), LogEntry.id.asc())
    if (position := decode_cursor(before)) is not None:
        rows = list(db.session.scalars(query.where(key > position).order_by(*oldest_first).limit(size + 1)))
        has_newer, rows = len(rows) > size, list(reversed(rows[:size]))
        return Page(rows, encode_cursor(rows[0]) if has_newer and rows else None,
                    encode_cursor(rows[-1]) if rows else None)
    if last:
        rows = list(db.session.scalars(query.order_by(*oldest_first).limit(size + 1)))
        has_newer, rows = len(rows) > size, list(reversed(rows[:size]))
        return Page(rows, encode_cursor(rows[0]) if has_newer and rows else None, None)
    if (position := decode_cursor(after)) is not None:
        query = query.where(key < position)
    rows = list(db.session.scalars(query.order_by(*newest_first).limit(size + 1)))
    has_older, rows = len(rows) > size, rows[:size]
    newer = encode_cursor(rows[0]) if rows and after else None
    return Page(rows, newer, encode_cursor(rows[-1]) if has_older else None)


def iterate(shop_id: int, log_filter: LogFilter, batch: int = 1000) -> Iterator[LogEntry]:
    """Every matching entry, newest first, fetched in keyset batches (for exports of any size)."""
    cursor = None
    while True:
        current = page(shop_id, log_filter, after=cursor, size=batch)
        yield from current.entries
        if current.older is None:
            return
        cursor = current.older
        db.session.expunge_all()
