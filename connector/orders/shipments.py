"""Recording what the cart shipped: one Shipment per cart shipment of an imported order, with the Amazon items and
quantities it covers, to be confirmed to Amazon by its own job. Called from webhook handlers, inside the inbox
drain's transaction: nothing here calls the cart or Amazon, and nothing commits."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..clock import utcnow
from ..extensions import db
from ..shops.models import Shop
from .amazon_orders import AmazonItem, AmazonOrder
from .models import ImportedOrder, Shipment, ShipmentState
from .storing import Log


@dataclass(frozen=True)
class ShippedLine:
    quantity: int
    order_item_id: str | None = None  # Amazon's, when the cart knows it
    cart_line_id: str | None = None
    sku: str | None = None


@dataclass(frozen=True)
class ShipmentNotice:
    """What the cart says it shipped; `lines` None means everything not shipped yet."""

    cart_key: str
    carrier: str
    tracking_number: str
    shipped_at: datetime | None
    lines: list[ShippedLine] | None = None
    shipping_method: str | None = None


def imported_order(shop: Shop, *, amazon_order_id: str | None = None,
                   cart_order_id: str | None = None) -> ImportedOrder | None:
    """The imported order a cart order stands for; None for the shop's other orders."""
    if amazon_order_id:
        found = db.session.scalars(select(ImportedOrder).where(
            ImportedOrder.shop_id == shop.id, ImportedOrder.amazon_order_id == str(amazon_order_id))).first()
        if found is not None:
            return found
    if cart_order_id:
        return db.session.scalars(select(ImportedOrder).where(
            ImportedOrder.shop_id == shop.id, ImportedOrder.cart_order_id == str(cart_order_id))).first()
    return None


def record_shipment(order: ImportedOrder, notice: ShipmentNotice, log: Log,
                    webhook_delivery_id: int | None = None) -> Shipment | None:
    """The new Shipment, or None when there is nothing to confirm (already recorded, switched off, nothing left)."""
    account, where = order.account, f"Amazon order {order.amazon_order_id}"
    refs = {"amazon_order_id": order.amazon_order_id, "cart_order_id": order.cart_order_id}
    if not account.confirm_shipments:
        log("info", f"{where} was shipped in the cart; not confirmed to Amazon because \"Mark orders as shipped on "
            f"Amazon\" is off for {account.alias}.", **refs)
        return None
    if db.session.scalar(select(Shipment.id).where(Shipment.order_id == order.id,
                                                   Shipment.cart_key == notice.cart_key)) is not None:
        return None
    items = _items(order, notice)
    if not items:
        log("info", f"{where}: the cart reported a shipment, but nothing of the order is left to confirm.",
            **refs)
        return None
    if not notice.tracking_number.strip():
        log("warning", f"{where} was shipped in the cart without a tracking number, which Amazon requires. Add the "
            "tracking number to the cart order; the connector confirms the shipment when the cart reports it.",
            **refs)
        return None
    count = db.session.scalar(select(func.count()).select_from(Shipment).where(Shipment.order_id == order.id))
    shipment = Shipment(
        shop_id=order.shop_id, account_id=order.account_id, order_id=order.id, cart_key=notice.cart_key[:160],
        package_reference=str(count + 1), items=items, carrier=(notice.carrier.strip() or "Unknown carrier")[:120],
        tracking_number=notice.tracking_number.strip()[:120], shipping_method=notice.shipping_method,
        shipped_at=min(notice.shipped_at or utcnow(), utcnow()), state=ShipmentState.PENDING, attempts=0,
        webhook_delivery_id=webhook_delivery_id,
    )
    db.session.add(shipment)
    db.session.flush()
    units = sum(item["quantity"] for item in items)
    log("info", f"{where} shipped in the cart: {units} unit(s), {shipment.carrier} {shipment.tracking_number}; "
        "confirming it to Amazon.", **refs)
    return shipment


def remaining_units(order: ImportedOrder) -> Counter:
    """Units per Amazon orderItemId still to confirm: what Amazon last said is unshipped, and never more than the
    order less the shipments already recorded (Amazon may not have seen those yet)."""
    recorded: Counter = Counter()
    for items in db.session.scalars(select(Shipment.items).where(
            Shipment.order_id == order.id, Shipment.state != ShipmentState.REFUSED)):
        for item in items:
            recorded[item["order_item_id"]] += int(item["quantity"])
    amazon = AmazonOrder.from_json(order.snapshot)
    return Counter({item.order_item_id: left for item in amazon.items
                    if (left := min(item.unfulfilled, item.quantity - recorded[item.order_item_id])) > 0})


def _items(order: ImportedOrder, notice: ShipmentNotice) -> list[dict]:
    left = remaining_units(order)
    amazon = AmazonOrder.from_json(order.snapshot)
    if notice.lines is None:
        return [_entry(amazon.item(item_id), quantity) for item_id, quantity in left.items()]
    shipped: Counter = Counter()
    for line in notice.lines:
        item = _match(amazon, order, line, left - shipped)
        if item is not None:
            shipped[item.order_item_id] += min(line.quantity, left[item.order_item_id] - shipped[item.order_item_id])
    return [_entry(amazon.item(item_id), quantity) for item_id, quantity in shipped.items() if quantity > 0]


def _match(amazon: AmazonOrder, order: ImportedOrder, line: ShippedLine, left: Counter) -> AmazonItem | None:
    item_id = line.order_item_id or order.cart_lines.get(str(line.cart_line_id or ""))
    if item_id:
        return amazon.item(str(item_id))
    return next((item for item in amazon.items if line.sku and item.sku == line.sku and left[item.order_item_id] > 0),
                None)


def _entry(item: AmazonItem, quantity: int) -> dict:
    return {"order_item_id": item.order_item_id, "sku": item.sku, "quantity": int(quantity)}
