"""WooCommerce product.created/updated/restored/deleted: the payload is the REST product resource (a variation
arrives as a product of type "variation" with its own SKU and parent_id); money amounts are strings."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from ...webhooks.handlers import DeliveryInvalid
from .facts import (
    Deletion,
    Facts,
    ParentStock,
    PriceFact,
    QuantityFact,
    SkuUpdate,
    Unmatchable,
    identifier,
    parse_count,
    parse_money,
    parse_time,
)

SELLS_FROM_STOCK_STATUS = ("instock", "onbackorder")
NOT_LISTABLE_TYPES = ("grouped", "external")  # no stock of their own: nothing to send to Amazon


def parse_product(payload: Any, received_at: datetime) -> Facts:
    product_id = _product_id(payload)
    facts = Facts()
    product_type = payload.get("type") or "simple"
    if product_type in NOT_LISTABLE_TYPES:
        return facts
    at = parse_time(payload.get("date_modified_gmt")) or received_at
    quantity = _quantity(payload, at)
    if product_type == "variable":
        # The parent is not a listing on Amazon; its variations are, and those managed "by the parent" share this
        # stock. WooCommerce sends no webhook for them when the parent's stock changes.
        if quantity.quantity is not None:
            facts.parents.append(ParentStock(product_id, quantity))
        return facts
    sku = str(payload.get("sku") or "").strip()
    if not sku:
        facts.unmatchable.append(Unmatchable(f"WooCommerce product {product_id} ({payload.get('name') or 'no name'})",
                                             product_id))
        return facts
    facts.updates.append(SkuUpdate(
        sku=sku, quantity=quantity, price=_price(payload, at, sku), product_id=product_id,
        parent_id=identifier(payload.get("parent_id") or None), exists_at=at,
    ))
    return facts


def parse_deletion(payload: Any, received_at: datetime) -> Facts:
    """WooCommerce sends only {"id": …} for a deleted (trashed) product."""
    return Facts(deletions=[Deletion(at=received_at, product_id=_product_id(payload))])


def _product_id(payload: Any) -> str:
    if not isinstance(payload, dict) or identifier(payload.get("id")) is None:
        raise DeliveryInvalid("The WooCommerce payload is not a product (it has no id).")
    return identifier(payload["id"])


def _quantity(payload: dict, at: datetime) -> QuantityFact:
    in_stock = payload.get("stock_status", "instock") in SELLS_FROM_STOCK_STATUS
    manage = payload.get("manage_stock")
    if manage == "parent":
        return QuantityFact(_stock(payload), in_stock, at, inherits_parent_stock=True)
    if manage is True:
        return QuantityFact(_stock(payload), in_stock, at)
    return QuantityFact(None, in_stock, at)


def _stock(payload: dict) -> int:
    value = payload.get("stock_quantity")
    return 0 if value is None else parse_count(value, "stock_quantity")


def _price(payload: dict, at: datetime, sku: str) -> PriceFact | None:
    regular = parse_money(payload.get("regular_price"), f"regular_price of {sku}")
    sale = parse_money(payload.get("sale_price"), f"sale_price of {sku}")
    if regular is None and sale is None:
        return None
    return PriceFact(regular=regular, at=at, sale=sale, sale_from=parse_time(payload.get("date_on_sale_from_gmt")),
                     sale_to=parse_time(payload.get("date_on_sale_to_gmt")))
