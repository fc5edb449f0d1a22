"""The host topics stock and price sync listens to. Each handler takes a batch of deliveries: it reads them into
facts, records them in bulk and derives the desired Amazon state, all inside the inbox drain's transaction;
pushing to Amazon happens in the push job it queues (after the commit)."""
from __future__ import annotations

from collections.abc import Callable

from ..stories.touches import record_touches
from ..webhooks.handlers import DeliveryInvalid, WebhookEvent, handles
from .derive import derive, lock_derivation
from .hosts import generic, shopify, woocommerce
from .hosts.facts import Facts
from .intake import record_facts

WOOCOMMERCE_PARSERS: dict[str, Callable] = {
    "product.created": woocommerce.parse_product,
    "product.updated": woocommerce.parse_product,
    "product.restored": woocommerce.parse_product,
    "product.deleted": woocommerce.parse_deletion,
}
SHOPIFY_PARSERS: dict[str, Callable] = {
    "products/update": shopify.parse_product,
    "inventory_levels/update": shopify.parse_level,
}


@handles("woocommerce", *WOOCOMMERCE_PARSERS, batch=True)
def woocommerce_products(events: list[WebhookEvent]) -> None:
    _record(events, lambda event: WOOCOMMERCE_PARSERS[event.topic](event.payload, event.sent_at))


@handles("shopify", *SHOPIFY_PARSERS, batch=True)
def shopify_products(events: list[WebhookEvent]) -> None:
    _record(events, lambda event: SHOPIFY_PARSERS[event.topic](event.payload, event.sent_at))


@handles("generic", *generic.TOPICS, batch=True)
def generic_stock_and_prices(events: list[WebhookEvent]) -> None:
    _record(events, lambda event: generic.parse_event(event.topic, event.payload, event.sent_at))


def _record(events: list[WebhookEvent], parse: Callable[[WebhookEvent], Facts]) -> None:
    facts = Facts()
    parsed: list[tuple[int, Facts]] = []
    for event in events:
        try:
            parsed.append((event.delivery.id, parse(event)))
        except DeliveryInvalid as invalid:
            raise DeliveryInvalid(f"{invalid} Nothing of this delivery was applied.") from None
        facts.extend(parsed[-1][1])
    shop_id = events[0].shop.id
    lock_derivation(shop_id)
    derive(shop_id, record_facts(shop_id, facts))
    record_touches(shop_id, parsed)  # which delivery said what about which SKU, for its story
