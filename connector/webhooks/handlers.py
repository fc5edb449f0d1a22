"""Which code handles which host topic. Feature areas register their handlers when the app starts:

    @handles("woocommerce", "product.created", "product.updated")
    def product_changed(event: WebhookEvent) -> None: ...

A handler runs inside the inbox drain's transaction (in a savepoint of its own). It must not call other services:
what needs the cart's or Amazon's API is recorded as pending work for a job of its own, so a slow API never holds
the database while deliveries keep arriving. Raise DeliveryInvalid when retrying cannot help.

A handler registered with batch=True takes a list of events instead (consecutive deliveries of its topics), so
it can record them with a few bulk statements. A batch that raises is processed again one delivery at a time
(each a list of one), so one bad delivery fails alone and the others go through.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..shops.models import Shop
from ..synclog.runs import RunRecorder
from .models import WebhookDelivery


class DeliveryInvalid(Exception):
    """The delivery can never be processed as it is; a person has to look (and replay or discard it)."""


@dataclass
class WebhookEvent:
    shop: Shop
    delivery: WebhookDelivery
    payload: Any
    run: RunRecorder

    @property
    def topic(self) -> str:
        return self.delivery.topic or ""

    @property
    def sent_at(self) -> datetime:
        """When the host sent or triggered it, else when we received it."""
        return self.delivery.sent_at or self.delivery.received_at

    def log(self, level: str, message: str, **references: Any) -> None:
        self.run.log(level, message, commit=False, webhook_delivery_id=self.delivery.id, **references)


Handler = Callable[[WebhookEvent], None]
BatchHandler = Callable[[list[WebhookEvent]], None]
_HANDLERS: dict[tuple[str, str], Handler | BatchHandler] = {}
_BATCH_HANDLERS: set[BatchHandler] = set()


def handles(host_kind: str, *topics: str, batch: bool = False) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for topic in topics:
            if (host_kind, topic) in _HANDLERS:
                raise ValueError(f"{host_kind} {topic} already has a handler")
            _HANDLERS[(host_kind, topic)] = handler
        if batch:
            _BATCH_HANDLERS.add(handler)
        return handler

    return register


def handler_for(host_kind: str, topic: str | None) -> Handler | BatchHandler | None:
    return _HANDLERS.get((host_kind, topic or ""))


def takes_batches(handler: Handler | BatchHandler | None) -> bool:
    return handler in _BATCH_HANDLERS
