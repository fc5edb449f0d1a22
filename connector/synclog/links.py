"""Where a log entry's references lead. Areas register a page for the references they own (a feed, an order, a SKU's
story), so the log links to them without knowing those areas."""
from __future__ import annotations

from collections.abc import Callable

from flask import url_for

from .models import LogEntry

LinkBuilder = Callable[[LogEntry], str | None]
_BUILDERS: dict[str, LinkBuilder] = {
    "run_id": lambda entry: url_for("synclog.run", run_id=entry.run_id),
    "webhook_delivery_id": lambda entry: url_for("webhook_admin.delivery", delivery_id=entry.webhook_delivery_id),
}


def register_link(reference: str, builder: LinkBuilder) -> None:
    _BUILDERS[reference] = builder


def link(entry: LogEntry, reference: str) -> str | None:
    """The page for this reference of the entry, or None when it has no value or no page."""
    builder = _BUILDERS.get(reference)
    return builder(entry) if builder and getattr(entry, reference) is not None else None
