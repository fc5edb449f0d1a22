"""Shopify products/update (variants with sku, price, inventory_item_id) and inventory_levels/update (one
location's available quantity of one inventory item, nothing else)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from ...webhooks.handlers import DeliveryInvalid
from .facts import Facts, LevelUpdate, PriceFact, QuantityFact, SkuUpdate, Unmatchable, identifier, parse_count, \
    parse_money, parse_time


def parse_product(payload: Any, received_at: datetime) -> Facts:
    if not isinstance(payload, dict) or not isinstance(payload.get("variants"), list):
        raise DeliveryInvalid("The Shopify payload is not a product (it has no variants list).")
    product_at = parse_time(payload.get("updated_at"))
    facts = Facts()
    for variant in payload["variants"]:
        if not isinstance(variant, dict):
            raise DeliveryInvalid("A variant of the Shopify product is not an object.")
        variant_id = identifier(variant.get("id")) or "?"
        sku = str(variant.get("sku") or "").strip()
        if not sku:
            what = f"Shopify variant {variant_id} of {payload.get('title') or 'a product'}"
            facts.unmatchable.append(Unmatchable(what, variant_id))
            continue
        at = parse_time(variant.get("updated_at")) or product_at or received_at
        facts.updates.append(SkuUpdate(
            sku=sku, quantity=_quantity(variant, at, sku), price=_price(variant, at, sku), product_id=variant_id,
            inventory_item_id=identifier(variant.get("inventory_item_id")), exists_at=at,
        ))
    return facts


def parse_level(payload: Any, received_at: datetime) -> Facts:
    if not isinstance(payload, dict) or identifier(payload.get("inventory_item_id")) is None \
            or identifier(payload.get("location_id")) is None:
        raise DeliveryInvalid("The Shopify inventory level has no inventory_item_id or location_id.")
    available = payload.get("available")
    return Facts(levels=[LevelUpdate(
        inventory_item_id=identifier(payload["inventory_item_id"]), location_id=identifier(payload["location_id"]),
        available=0 if available is None else parse_count(available, "available"),
        at=parse_time(payload.get("updated_at")) or received_at,
    )])


def _quantity(variant: dict, at: datetime, sku: str) -> QuantityFact:
    if variant.get("inventory_management") is None:
        return QuantityFact(None, True, at)  # Shopify does not track this variant's stock
    quantity = parse_count(variant.get("inventory_quantity") or 0, f"inventory_quantity of {sku}")
    return QuantityFact(quantity, quantity > 0 or variant.get("inventory_policy") == "continue", at, fallback=True)


def _price(variant: dict, at: datetime, sku: str) -> PriceFact | None:
    price = parse_money(variant.get("price"), f"price of {sku}")
    if price is None:
        return None
    return PriceFact(regular=price, at=at, currency=_currency(variant, price))


def _currency(variant: dict, price) -> str | None:
    """The shop's currency: the presentment price equal to the variant's price."""
    for entry in variant.get("presentment_prices") or []:
        amount = ((entry or {}).get("price") or {})
        try:
            if parse_money(amount.get("amount"), "presentment price") == price:
                return amount.get("currency_code")
        except DeliveryInvalid:
            continue
    return None
