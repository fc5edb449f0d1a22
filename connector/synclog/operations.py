"""Writing log entries: plain-language messages with the references support searches by."""
from __future__ import annotations

import logging

from ..extensions import db
from .models import LogEntry

logger = logging.getLogger("connector.synclog")

LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}
REFERENCES = ("amazon_request_id", "http_status", "error_code", "sku", "amazon_order_id", "cart_order_id", "feed_id",
              "webhook_delivery_id", "details", "run_id")


def record(
    level: str,
    kind: str,
    message: str,
    *,
    shop_id: int | None = None,
    account_id: int | None = None,
    commit: bool = True,
    **references,
) -> LogEntry:
    """Add a log entry (references: see REFERENCES).

    Callers pass messages that never contain secrets; the Amazon client only ever hands over request IDs and
    Amazon's error text, never tokens.
    """
    unknown = set(references) - set(REFERENCES)
    if unknown:
        raise TypeError(f"unknown log references: {', '.join(sorted(unknown))}")
    entry = LogEntry(level=level, kind=kind, message=message, shop_id=shop_id, account_id=account_id, **references)
    db.session.add(entry)
    if commit:
        db.session.commit()
    logger.log(LEVELS[level], "[%s] shop=%s account=%s %s", kind, shop_id, account_id, message)
    return entry
