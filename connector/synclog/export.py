"""The filtered log as CSV or JSON, streamed in keyset batches so any size exports without loading it whole."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from .models import LogEntry

COLUMNS = ("time_utc", "level", "kind", "account", "run_id", "message", "sku", "amazon_order_id", "cart_order_id",
           "feed_id", "webhook_delivery_id", "amazon_request_id", "http_status", "error_code")


def as_row(entry: LogEntry, aliases: dict[int, str]) -> dict:
    return {
        "time_utc": entry.created_at.isoformat(), "level": entry.level, "kind": entry.kind,
        "account": aliases.get(entry.account_id, entry.account_id) if entry.account_id else None,
        "run_id": entry.run_id, "message": entry.message, "sku": entry.sku, "amazon_order_id": entry.amazon_order_id,
        "cart_order_id": entry.cart_order_id, "feed_id": entry.feed_id, "webhook_delivery_id": entry.webhook_delivery_id,
        "amazon_request_id": entry.amazon_request_id, "http_status": entry.http_status, "error_code": entry.error_code,
    }


def csv_lines(entries: Iterable[LogEntry], aliases: dict[int, str]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for entry in entries:
        writer.writerow(as_row(entry, aliases))
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def json_chunks(entries: Iterable[LogEntry], aliases: dict[int, str]) -> Iterator[str]:
    yield "["
    for number, entry in enumerate(entries):
        yield ("," if number else "") + "\n" + json.dumps(as_row(entry, aliases), ensure_ascii=False)
    yield "\n]\n"
