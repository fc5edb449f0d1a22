"""Generic carts: Standard Webhooks events {"type", "timestamp", "data"} whose data is one item or a list of items
{sku, quantity, in_stock, price, currency, updated_at} (docs/webhooks.md, "Stock and price events")."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from ...webhooks.handlers import DeliveryInvalid
from .facts import Deletion, Facts, PriceFact, QuantityFact, SkuUpdate, parse_count, parse_money, parse_time

TOPICS = ("stock.updated", "price.updated", "product.updated", "product.deleted")
CURRENCY = re.compile(r"^[A-Z]{3}$")


def parse_event(topic: str, payload: Any, sent_at: datetime) -> Facts:
    if not isinstance(payload, dict) or "data" not in payload:
        raise DeliveryInvalid('The event has no "data".')
    event_at = parse_time(payload.get("timestamp")) or sent_at
    items = payload["data"] if isinstance(payload["data"], list) else [payload["data"]]
    facts = Facts()
    for number, item in enumerate(items, start=1):
        where = f"item {number} of the {topic} event" if len(items) > 1 else f"the {topic} event"
        facts.extend(_parse_item(topic, item, event_at, where))
    return facts


def _parse_item(topic: str, item: Any, event_at: datetime, where: str) -> Facts:
    if not isinstance(item, dict):
        raise DeliveryInvalid(f"The data of {where} is not an object.")
    sku = item.get("sku")
    if not isinstance(sku, str) or not sku.strip():
        raise DeliveryInvalid(f"The data of {where} has no sku.")
    sku = sku.strip()
    at = event_at
    if item.get("updated_at") is not None:
        at = parse_time(item["updated_at"])
        if at is None:
            raise DeliveryInvalid(f"updated_at of {sku} in {where} is not an ISO 8601 date-time.")
    if topic == "product.deleted":
        return Facts(deletions=[Deletion(at=at, sku=sku)])
    quantity = _quantity(item, at, sku) if topic in ("stock.updated", "product.updated") else None
    price = _price(item, at, sku) if topic in ("price.updated", "product.updated") else None
    if topic == "stock.updated" and quantity is None:
        raise DeliveryInvalid(f"The data of {where} has no quantity.")
    if topic == "price.updated" and price is None:
        raise DeliveryInvalid(f"The data of {where} has no price.")
    if quantity is None and price is None:
        raise DeliveryInvalid(f"The data of {where} has neither quantity nor price.")
    return Facts(updates=[SkuUpdate(sku=sku, quantity=quantity, price=price, exists_at=at)])


def _quantity(item: dict, at: datetime, sku: str) -> QuantityFact | None:
    if "quantity" not in item:
        return None
    in_stock = item.get("in_stock")
    if in_stock is not None and not isinstance(in_stock, bool):
        raise DeliveryInvalid(f"in_stock of {sku} must be true or false.")
    if item["quantity"] is None:  # the cart does not count this product's stock
        return QuantityFact(None, True if in_stock is None else in_stock, at)
    quantity = parse_count(item["quantity"], f"quantity of {sku}")
    return QuantityFact(quantity, quantity > 0 if in_stock is None else in_stock, at)


def _price(item: dict, at: datetime, sku: str) -> PriceFact | None:
    price = parse_money(item.get("price"), f"price of {sku}")
    if price is None:
        return None
    currency = item.get("currency")
    if currency is not None and (not isinstance(currency, str) or not CURRENCY.match(currency)):
        raise DeliveryInvalid(f"currency of {sku} must be a three-letter ISO 4217 code such as EUR.")
    return PriceFact(regular=price, at=at, currency=currency)
