"""Shopify inventory levels name only an inventory item: when no products/update told us its SKU yet, a job asks
the Admin API (GraphQL `nodes`) and the level is applied once the SKU is known."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from ..carts.connection import cart_client
from ..carts.errors import CartError
from ..clock import utcnow
from ..extensions import db
from ..jobs.leases import held
from ..shops.models import Shop
from ..synclog.runs import sync_run
from .derive import derive, lock_derivation
from .hosts.facts import Facts, PriceFact, SkuUpdate, identifier, parse_money, parse_time
from .intake import record_facts
from .models import HostItem, ItemLookup
from .notices import Notice, note
from .sql import chunks

ITEMS_PER_QUERY = 100
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
QUERY = """query InventoryItemSkus($ids: [ID!]!) {
  nodes(ids: $ids) { ... on InventoryItem { id sku variant { id price updatedAt } } }
}"""


def gid(inventory_item_id: str) -> str:
    return f"gid://shopify/InventoryItem/{inventory_item_id}"


def look_up_items(shop_id: int, triggered_by: str = "webhook") -> int:
    """Ask the cart for the SKUs of due inventory items; returns how many were found."""
    with held(f"stock-lookup:{shop_id}") as lease:
        if lease is None:
            return 0
        shop = db.session.get(Shop, shop_id)
        due = _due(shop_id)
        if shop is None or not due:
            return 0
        found = 0
        with sync_run("item_lookup", shop_id=shop_id, task="stock.look_up_items", task_args=[shop_id],
                      triggered_by=triggered_by, lease=lease) as run:
            run.progress(0, len(due))
            for done, batch in enumerate(chunks(due, ITEMS_PER_QUERY), start=1):
                try:
                    nodes = cart_client(shop).graphql(QUERY, {"ids": [gid(item.inventory_item_id) for item in batch]})
                except CartError as error:
                    _retry_later(batch, str(error))
                    run.count(failed=len(batch))
                    run.log("warning", f"Could not ask Shopify for the SKUs of {len(batch)} inventory items: {error} "
                                       "Their stock levels are kept and applied once the SKUs are known; the "
                                       "connector asks again later.")
                    db.session.commit()
                    break
                updates = _updates(shop_id, batch, nodes.get("nodes") or [])
                found += len(updates)
                lock_derivation(shop_id)
                derive(shop_id, record_facts(shop_id, Facts(updates=updates)))
                run.count(seen=len(batch), changed=len(updates))
                run.progress(min(done * ITEMS_PER_QUERY, len(due)))
            run.run.summary = f"Found the SKUs of {found} of {len(due)} Shopify inventory items."
        return found


def _due(shop_id: int) -> list[ItemLookup]:
    known = select(HostItem.inventory_item_id).where(HostItem.shop_id == shop_id,
                                                      HostItem.inventory_item_id.is_not(None))
    db.session.execute(delete(ItemLookup).where(ItemLookup.shop_id == shop_id,
                                                ItemLookup.inventory_item_id.in_(known)))
    db.session.commit()
    return list(db.session.scalars(select(ItemLookup).where(
        ItemLookup.shop_id == shop_id, ItemLookup.status == "pending", ItemLookup.next_attempt_at <= utcnow(),
    ).order_by(ItemLookup.next_attempt_at).limit(1000)))


def _updates(shop_id: int, batch: list[ItemLookup], nodes: list) -> list[SkuUpdate]:
    by_id = {str(node.get("id", "")).rsplit("/", 1)[-1]: node for node in nodes if isinstance(node, dict)}
    updates, notices = [], []
    for lookup in batch:
        node = by_id.get(lookup.inventory_item_id)
        sku = str((node or {}).get("sku") or "").strip()
        if not sku:
            lookup.status = "not_found"
            lookup.problem = "Shopify knows no SKU for it" if node else "Shopify does not know this inventory item"
            notices.append(Notice("unknown_inventory_item", lookup.inventory_item_id,
                                  f"Shopify inventory item {lookup.inventory_item_id}: {lookup.problem}, so its stock "
                                  "level cannot be sent to Amazon. Give the variant a SKU in Shopify."))
            continue
        variant = node.get("variant") or {}
        at = parse_time(variant.get("updatedAt"))
        price = parse_money(variant.get("price"), f"price of {sku}") if at else None
        updates.append(SkuUpdate(sku=sku, inventory_item_id=lookup.inventory_item_id,
                                 product_id=identifier(str(variant.get("id") or "").rsplit("/", 1)[-1]),
                                 price=PriceFact(regular=price, at=at) if price is not None else None))
        db.session.delete(lookup)
    note(shop_id, notices)
    return updates


def _retry_later(batch: list[ItemLookup], problem: str) -> None:
    for lookup in batch:
        lookup.attempts += 1
        lookup.problem = problem
        lookup.next_attempt_at = utcnow() + RETRY_DELAYS[min(lookup.attempts, len(RETRY_DELAYS)) - 1]
