"""Remembering which delivery said what about which SKU, inside the drain's savepoint: the rows commit with the
delivery's "processed" status or roll back with it, so a delivery is never recorded twice."""
from __future__ import annotations

import functools
from collections.abc import Iterable

from ..stock.hosts.facts import Facts
from ..stock.sql import bulk_execute, bulk_insert, dialect
from .models import SkuTouch, TouchKind

COLUMNS = ("shop_id", "webhook_delivery_id", "kind", "sku", "product_id", "inventory_item_id", "location_id",
           "quantity", "in_stock", "price", "sale_price", "currency", "at")


def record_touches(shop_id: int, parsed: Iterable[tuple[int, Facts]]) -> None:
    """One row per fact of each delivery: (delivery ID, the facts parsed from it)."""
    rows = [{**row, "shop_id": shop_id, "webhook_delivery_id": delivery_id}
            for delivery_id, facts in parsed for row in _rows(facts)]
    bulk_execute(_insert(dialect()), COLUMNS, rows)


@functools.cache
def _insert(dialect_name: str):
    return bulk_insert(dialect_name, SkuTouch.__table__, COLUMNS)


def _rows(facts: Facts) -> Iterable[dict]:
    empty = {"sku": None, "product_id": None, "inventory_item_id": None, "location_id": None, "quantity": None,
             "in_stock": None, "price": None, "sale_price": None, "currency": None}
    for update in facts.updates:
        quantity, price = update.quantity, update.price
        at = max(fact.at for fact in (quantity, price) if fact is not None) if (quantity or price) else None
        yield {**empty, "kind": TouchKind.UPDATE, "sku": update.sku[:200], "product_id": update.product_id,
               "inventory_item_id": update.inventory_item_id, "at": at or update.exists_at,
               "quantity": quantity.quantity if quantity else None,
               "in_stock": quantity.in_stock if quantity else None,
               "price": price.regular if price else None, "sale_price": price.sale if price else None,
               "currency": price.currency if price else None}
    for deletion in facts.deletions:
        yield {**empty, "kind": TouchKind.DELETION, "sku": deletion.sku and deletion.sku[:200],
               "product_id": deletion.product_id, "at": deletion.at}
    for parent in facts.parents:
        yield {**empty, "kind": TouchKind.PARENT_STOCK, "product_id": parent.parent_id, "at": parent.quantity.at,
               "quantity": parent.quantity.quantity, "in_stock": parent.quantity.in_stock}
    for level in facts.levels:
        yield {**empty, "kind": TouchKind.LEVEL, "inventory_item_id": level.inventory_item_id,
               "location_id": level.location_id, "quantity": level.available, "at": level.at}
