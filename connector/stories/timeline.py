"""A story is a list of events in time order, whatever table each came from: a webhook, a feed, Amazon's answer, a
log entry. Each event says what happened in a sentence and links to the pages with the details."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import url_for
from flask_babel import gettext as _

from ..i18n.labels import translated
from ..synclog.links import link
from ..synclog.models import LogEntry
from ..synclog.runs import KIND_LABELS

STORY_LIMIT = 200  # events of each source, newest first; older ones are on the log page


@dataclass
class Event:
    at: datetime
    source: str  # webhook, submission, answer, order, shipment, log, mapping
    title: str
    detail: str = ""
    level: str = "info"
    links: list[tuple[str, str]] = field(default_factory=list)
    references: list[tuple[str, str]] = field(default_factory=list)  # (label, value) shown as codes
    account_id: int | None = None
    order: int = 0  # breaks ties between events of the same moment: cause before effect


def kind_label(kind: str) -> str:
    return translated(KIND_LABELS.get(kind)) or kind.replace("_", " ").capitalize()


def in_order(events: list[Event]) -> list[Event]:
    return sorted(events, key=lambda event: (event.at, event.order))


def run_link(run_id: int | None) -> list[tuple[str, str]]:
    return [(_("Run #%(id)s", id=run_id), url_for("synclog.run", run_id=run_id))] if run_id else []


def delivery_link(delivery_id: int | None) -> list[tuple[str, str]]:
    return [(_("Webhook #%(id)s", id=delivery_id), url_for("webhook_admin.delivery", delivery_id=delivery_id))] \
        if delivery_id else []


def log_event(entry: LogEntry, own: str, order: int = 50) -> Event:
    """A log entry as it reads in the log, with the links the log gives its references, except the story's own
    (own: "sku" or "amazon_order_id"): a SKU's story links the orders that mention it, and the other way round."""
    links = []
    for reference, label in (("run_id", _("Run #%(id)s", id=entry.run_id)),
                             ("feed_id", _("Feed %(id)s", id=entry.feed_id)),
                             ("webhook_delivery_id", _("Webhook #%(id)s", id=entry.webhook_delivery_id)),
                             ("amazon_order_id", _("Order %(id)s", id=entry.amazon_order_id)),
                             ("sku", _("SKU %(sku)s", sku=entry.sku))):
        target = link(entry, reference) if reference != own else None
        if target:
            links.append((label, target))
    references = [(label, str(value)) for label, value in (
        (_("Request ID"), entry.amazon_request_id), (_("Code"), entry.error_code), (_("HTTP"), entry.http_status))
        if value is not None]
    return Event(at=entry.created_at, source="log", title=kind_label(entry.kind),
                 detail=entry.message, level=entry.level, links=links, references=references,
                 account_id=entry.account_id, order=order)
