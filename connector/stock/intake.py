"""Recording what the cart told us, in bulk: one statement per chunk of SKUs, each field refused when the cart's
own time for it is older than what we hold. Returns the host SKUs whose desired Amazon state must be derived."""
from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select, update

from ..clock import utcnow
from ..extensions import db
from .hosts.facts import Facts, LevelUpdate, PriceFact, QuantityFact, SkuUpdate
from .kicks import enqueue_after_commit
from .models import HostItem, InventoryLevel, ItemLookup
from .notices import Notice, note
from .prices import next_price_change
from .sql import among, bulk_execute, bulk_insert, chunks, dialect, insert


def record_facts(shop_id: int, facts: Facts, now: datetime | None = None) -> set[str]:
    now = now or utcnow()
    updates = _coalesce(facts.updates)
    _drop_superseded_fallbacks(shop_id, updates, facts.levels)
    changed = _upsert_items(shop_id, updates, now)
    for parent in facts.parents:
        changed |= _share_parent_stock(shop_id, parent.parent_id, parent.quantity)
    for deletion in facts.deletions:
        changed |= _delete(shop_id, deletion.at, deletion.product_id, deletion.sku)
    touched_items = _upsert_levels(shop_id, facts.levels)
    touched_items |= {u.inventory_item_id for u in updates.values() if u.inventory_item_id}
    changed |= apply_levels(shop_id, touched_items)
    note(shop_id, [Notice("no_sku", item.key, f"{item.description} has no SKU, so it cannot be matched to an Amazon "
                                             "listing. Give it a SKU in the cart.") for item in facts.unmatchable])
    return changed


def _coalesce(updates: list[SkuUpdate]) -> dict[str, SkuUpdate]:
    """One update per SKU: the newest quantity and the newest price (the later delivery wins a tie)."""
    merged: dict[str, SkuUpdate] = {}
    for update_ in updates:
        held = merged.get(update_.sku)
        if held is None:
            merged[update_.sku] = SkuUpdate(**vars(update_))
            continue
        if update_.quantity and (held.quantity is None or update_.quantity.at >= held.quantity.at):
            held.quantity = update_.quantity
        if update_.price and (held.price is None or update_.price.at >= held.price.at):
            held.price = update_.price
        held.product_id = update_.product_id or held.product_id
        held.parent_id = update_.parent_id or held.parent_id
        held.inventory_item_id = update_.inventory_item_id or held.inventory_item_id
        held.exists_at = max(filter(None, (held.exists_at, update_.exists_at)), default=None)
    return merged


def _drop_superseded_fallbacks(shop_id: int, updates: dict[str, SkuUpdate], levels: list[LevelUpdate]) -> None:
    """Shopify's product total counts only while we know no location's level of the item."""
    candidates = {u.inventory_item_id for u in updates.values()
                  if u.quantity and u.quantity.fallback and u.inventory_item_id}
    if not candidates:
        return
    known = {level.inventory_item_id for level in levels}
    for batch in chunks(candidates - known):
        known |= set(db.session.scalars(select(InventoryLevel.inventory_item_id).distinct().where(
            InventoryLevel.shop_id == shop_id, among(InventoryLevel.inventory_item_id, batch))))
    for update_ in updates.values():
        if update_.quantity and update_.quantity.fallback and update_.inventory_item_id in known:
            update_.quantity = None


def _row(shop_id: int, update_: SkuUpdate, now: datetime) -> dict:
    quantity = update_.quantity or QuantityFact(None, True, None)
    price = update_.price or PriceFact(None, None)
    return {
        "shop_id": shop_id, "sku": update_.sku[:200], "product_id": update_.product_id,
        "parent_id": update_.parent_id, "inventory_item_id": update_.inventory_item_id,
        "quantity": quantity.quantity, "in_stock": quantity.in_stock,
        "inherits_parent_stock": quantity.inherits_parent_stock, "quantity_at": quantity.at,
        "regular_price": price.regular, "sale_price": price.sale, "sale_from": price.sale_from,
        "sale_to": price.sale_to, "currency": price.currency, "price_at": price.at,
        "price_changes_at": next_price_change(price, now) if update_.price else None,
        "seen_at": update_.exists_at, "deleted": False, "updated_at": now,
    }


ITEM_COLUMNS = ("shop_id", "sku", "product_id", "parent_id", "inventory_item_id", "quantity", "in_stock",
                "inherits_parent_stock", "quantity_at", "regular_price", "sale_price", "sale_from", "sale_to",
                "currency", "price_at", "price_changes_at", "seen_at", "deleted", "updated_at")
QUANTITY_COLUMNS = ("quantity", "in_stock", "inherits_parent_stock", "quantity_at")
PRICE_COLUMNS = ("regular_price", "sale_price", "sale_from", "sale_to", "currency", "price_at", "price_changes_at")


def _upsert_items(shop_id: int, updates: dict[str, SkuUpdate], now: datetime) -> set[str]:
    if not updates:
        return set()
    rows = [_row(shop_id, u, now) for u in updates.values()]
    return {sku for sku, in bulk_execute(_item_upsert(dialect()), ITEM_COLUMNS, rows)}


@functools.cache
def _item_upsert(dialect_name: str):
    """Each field group is replaced only by a fact at least as new as the one held."""
    table = HostItem.__table__
    statement = bulk_insert(dialect_name, table, ITEM_COLUMNS)
    new = statement.excluded
    fresh_quantity = and_(new.quantity_at.is_not(None),
                          or_(table.c.quantity_at.is_(None), new.quantity_at >= table.c.quantity_at))
    fresh_price = and_(new.price_at.is_not(None), or_(table.c.price_at.is_(None), new.price_at >= table.c.price_at))
    newer_sighting = and_(new.seen_at.is_not(None), or_(table.c.seen_at.is_(None), new.seen_at > table.c.seen_at))
    values = {name: case((fresh_quantity, new[name]), else_=table.c[name]) for name in QUANTITY_COLUMNS}
    values |= {name: case((fresh_price, new[name]), else_=table.c[name]) for name in PRICE_COLUMNS}
    values |= {name: func.coalesce(new[name], table.c[name])
               for name in ("product_id", "parent_id", "inventory_item_id")}
    values |= {
        "seen_at": case((newer_sighting, new.seen_at), else_=table.c.seen_at),
        # A product seen after its deletion was restored.
        "deleted": case((and_(table.c.deleted, new.seen_at > table.c.deleted_at), False), else_=table.c.deleted),
        "updated_at": new.updated_at,
    }
    return statement.on_conflict_do_update(index_elements=["shop_id", "sku"], set_=values).returning(table.c.sku)


def _share_parent_stock(shop_id: int, parent_id: str, quantity: QuantityFact) -> set[str]:
    table = HostItem.__table__
    return set(db.session.scalars(
        update(table).where(table.c.shop_id == shop_id, table.c.parent_id == parent_id,
                            table.c.inherits_parent_stock.is_(True),
                            or_(table.c.quantity_at.is_(None), table.c.quantity_at <= quantity.at))
        .values(quantity=quantity.quantity, in_stock=quantity.in_stock, quantity_at=quantity.at)
        .returning(table.c.sku)
    ))


def _delete(shop_id: int, at: datetime, product_id: str | None, sku: str | None) -> set[str]:
    """Deleted in the cart: Amazon gets quantity 0. Ignored when the cart showed the product after that time."""
    table = HostItem.__table__
    which = table.c.sku == sku if sku else or_(table.c.product_id == product_id, table.c.parent_id == product_id)
    return set(db.session.scalars(
        update(table).where(table.c.shop_id == shop_id, which,
                            or_(table.c.seen_at.is_(None), table.c.seen_at <= at))
        .values(deleted=True, deleted_at=at)
        .returning(table.c.sku)
    ))


def _upsert_levels(shop_id: int, levels: list[LevelUpdate]) -> set[str]:
    latest: dict[tuple[str, str], LevelUpdate] = {}
    for level in levels:
        key = (level.inventory_item_id, level.location_id)
        if key not in latest or level.at >= latest[key].at:
            latest[key] = level
    table = InventoryLevel.__table__
    touched: set[str] = set()
    for batch in chunks(latest.values()):
        statement = insert(InventoryLevel).values([
            {"shop_id": shop_id, "inventory_item_id": level.inventory_item_id, "location_id": level.location_id,
             "available": level.available, "updated_at": level.at} for level in batch
        ])
        statement = statement.on_conflict_do_update(
            index_elements=["shop_id", "inventory_item_id", "location_id"],
            set_={"available": statement.excluded.available, "updated_at": statement.excluded.updated_at},
            where=statement.excluded.updated_at >= table.c.updated_at,
        )
        touched.update(db.session.scalars(statement.returning(InventoryLevel.inventory_item_id)))
    return touched


def apply_levels(shop_id: int, inventory_item_ids: set[str]) -> set[str]:
    """The quantity of each SKU whose inventory item has levels becomes their sum; items nobody knows yet are
    looked up in the cart."""
    if not inventory_item_ids:
        return set()
    levels, items = InventoryLevel.__table__, HostItem.__table__
    changed: set[str] = set()
    for batch in chunks(inventory_item_ids):
        totals = (select(levels.c.inventory_item_id, func.sum(levels.c.available).label("total"),
                         func.max(levels.c.updated_at).label("at"))
                  .where(levels.c.shop_id == shop_id, among(levels.c.inventory_item_id, batch))
                  .group_by(levels.c.inventory_item_id).subquery())
        rows = db.session.execute(
            update(items).where(items.c.shop_id == shop_id, items.c.inventory_item_id == totals.c.inventory_item_id)
            .values(quantity=totals.c.total, quantity_at=totals.c.at)
            .returning(items.c.sku, items.c.inventory_item_id)
        ).all()
        changed.update(sku for sku, _ in rows)
        with_levels = set(db.session.scalars(select(levels.c.inventory_item_id).distinct().where(
            levels.c.shop_id == shop_id, among(levels.c.inventory_item_id, batch))))
        request_lookups(shop_id, with_levels - {item for _, item in rows})
    return changed


def request_lookups(shop_id: int, inventory_item_ids: Iterable[str]) -> None:
    rows = [{"shop_id": shop_id, "inventory_item_id": item, "status": "pending", "attempts": 0,
             "next_attempt_at": utcnow()} for item in sorted(set(inventory_item_ids))]
    for batch in chunks(rows):
        statement = insert(ItemLookup).values(list(batch)).on_conflict_do_nothing().returning(ItemLookup.shop_id)
        if db.session.execute(statement).first() is not None:
            enqueue_after_commit("stock.look_up_items", shop_id)
