"""Storing what Amazon says about orders: a new importable order becomes a row (exactly once, by the unique key),
a known one takes Amazon's newer state, and a status change becomes work for the cart (cancel, mark shipped).

Nothing here commits: the caller commits the orders together with its progress."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from ..accounts.models import AmazonAccount
from ..clock import utcnow
from ..extensions import db
from .amazon_orders import (CANCELLED, MERCHANT, PARTIALLY_SHIPPED, PENDING, SHIPPED, UNSHIPPED, AmazonOrder,
                            OrderUnreadable)
from .models import CartState, ImportedOrder, Shipment, ShipmentState

Log = Callable[..., Any]  # log(level, message, **references), adding the entry to the caller's transaction


@dataclass
class StoreResult:
    new: list[str] = field(default_factory=list)
    updated: int = 0
    ignored: int = 0
    cart_work: bool = False  # something for the cart job to do

    def add(self, other: StoreResult) -> None:
        self.new += other.new
        self.updated += other.updated
        self.ignored += other.ignored
        self.cart_work = self.cart_work or other.cart_work


def importable(order: AmazonOrder, statuses: list[str]) -> bool:
    return order.fulfilled_by == MERCHANT and order.status in statuses


def store_orders(account: AmazonAccount, bodies: list[dict], statuses: list[str], log: Log) -> StoreResult:
    """Insert or update the orders of one page of Amazon's answer (uncommitted)."""
    result = StoreResult()
    orders = []
    for body in bodies:
        try:
            orders.append(AmazonOrder.from_json(body))
        except OrderUnreadable as unreadable:
            log("warning", f"Skipped an order Amazon sent incomplete ({unreadable}); the next import looks again.",
                amazon_order_id=body.get("orderId"))
            result.ignored += 1
    known = {row.amazon_order_id: row for row in db.session.scalars(select(ImportedOrder).where(
        ImportedOrder.account_id == account.id,
        ImportedOrder.amazon_order_id.in_([order.order_id for order in orders])))}
    fresh = [order for order in orders if order.order_id not in known and importable(order, statuses)]
    created = _insert(account, fresh)
    result.new = [order.order_id for order in fresh if order.order_id in created]
    result.cart_work = bool(result.new)
    for order in orders:
        if order.order_id in created:
            continue
        row = known.get(order.order_id)
        if row is None and not importable(order, statuses):
            result.ignored += 1
            continue
        row = row or _find(account.id, order.order_id)  # another importer inserted it a moment ago
        if apply_amazon_state(row, order, log):
            result.updated += 1
            result.cart_work = result.cart_work or row.cart_state in CartState.WORK
    return result


def _insert(account: AmazonAccount, orders: list[AmazonOrder]) -> set[str]:
    """Insert the orders in one statement; the IDs this call created (the unique key skips the others)."""
    if not orders:
        return set()
    table = ImportedOrder.__table__
    insert = (postgresql if db.engine.dialect.name == "postgresql" else sqlite).insert
    statement = insert(table).on_conflict_do_nothing(index_elements=["account_id", "amazon_order_id"]) \
        .returning(table.c.amazon_order_id)
    now = utcnow()
    rows = [{"shop_id": account.shop_id, "account_id": account.id, "amazon_order_id": order.order_id,
             "marketplace_id": order.marketplace_id, "amazon_status": order.status, "purchased_at": order.created,
             "amazon_updated_at": order.last_updated, "ship_by": order.ship_by, "snapshot": order.raw,
             "cart_lines": {}, "cart_state": CartState.PENDING, "attempts": 0, "imported_at": now}
            for order in orders]
    return set(db.session.execute(statement, rows).scalars())


def _find(account_id: int, amazon_order_id: str) -> ImportedOrder:
    return db.session.scalars(select(ImportedOrder).where(
        ImportedOrder.account_id == account_id, ImportedOrder.amazon_order_id == amazon_order_id)).one()


# How far an order got; Amazon's times are whole seconds, so two states of one second are told apart by this.
_PROGRESS = {PENDING: 0, UNSHIPPED: 1, PARTIALLY_SHIPPED: 2, SHIPPED: 3, CANCELLED: 3}


def apply_amazon_state(row: ImportedOrder, order: AmazonOrder, log: Log) -> bool:
    """Take Amazon's state if it is newer than ours; True when something changed. Within the same second only a
    step forward counts: a page read before our own confirmation must not undo what Amazon accepted since."""
    if order.last_updated < row.amazon_updated_at:
        return False
    if order.last_updated == row.amazon_updated_at and (
            _PROGRESS.get(order.status, 0) <= _PROGRESS.get(row.amazon_status, 0)):
        return False
    previous = row.amazon_status
    row.snapshot = order.raw
    row.amazon_status = order.status
    row.amazon_updated_at = order.last_updated
    row.ship_by = order.ship_by
    if order.status == CANCELLED and previous != CANCELLED:
        _cancelled(row, order, log)
    elif order.status == SHIPPED and previous != SHIPPED and not confirmed_everything(row):
        _shipped_elsewhere(row, log)
    return True


def _cancelled(row: ImportedOrder, order: AmazonOrder, log: Log) -> None:
    reason = f" ({order.cancel_reason})" if order.cancel_reason else ""
    never_sent = row.cart_state in CartState.ATTENTION or (row.cart_state == CartState.PENDING and not row.attempts)
    if never_sent:
        row.cart_state = CartState.NOT_CREATED
        row.next_attempt_at = None
        log("warning", f"Amazon cancelled order {row.amazon_order_id}{reason} before it reached the cart; it will "
            "not be created there.", amazon_order_id=row.amazon_order_id)
    elif row.cart_state in (CartState.CREATED, CartState.CREATING, CartState.PENDING, CartState.COMPLETING):
        row.cart_state = CartState.CANCELLING
        row.next_attempt_at = None
        log("warning", f"Amazon cancelled order {row.amazon_order_id}{reason}; the cart order "
            f"{row.cart_order_number or row.cart_order_id or '(being checked)'} is cancelled next. Do not ship it.",
            amazon_order_id=row.amazon_order_id, cart_order_id=row.cart_order_id)


def _shipped_elsewhere(row: ImportedOrder, log: Log) -> None:
    if row.cart_state == CartState.CREATED:
        row.cart_state = CartState.COMPLETING
        row.next_attempt_at = None
    log("info", f"Amazon order {row.amazon_order_id} was shipped outside the connector (for example in Seller "
        "Central); the cart order is marked as shipped.", amazon_order_id=row.amazon_order_id,
        cart_order_id=row.cart_order_id)


def confirmed_everything(row: ImportedOrder) -> bool:
    """Did the shipments we confirmed cover every unit of the order?"""
    ordered = sum(int(item.get("quantityOrdered") or 0) for item in row.snapshot.get("orderItems") or [])
    confirmed = 0
    for items in db.session.scalars(select(Shipment.items).where(
            Shipment.order_id == row.id, Shipment.state == ShipmentState.CONFIRMED)):
        confirmed += sum(int(item["quantity"]) for item in items)
    return ordered > 0 and confirmed >= ordered
