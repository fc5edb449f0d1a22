"""Amazon orders for generic carts: Standard Webhooks-signed events to the shop's notification URL. Every event
keeps one webhook-id however often it is retried, so the cart drops repeats; there is nothing to look up."""
from __future__ import annotations

from ...carts.generic import GenericCartClient
from ..amazon_orders import AmazonOrder, amazon_time
from ..models import ImportedOrder
from . import CartOrder
from .payload import amount, line_total

ORDER_CREATED = "amazon.order.created"
ORDER_CANCELLED = "amazon.order.cancelled"
ORDER_SHIPPED = "amazon.order.shipped"


def order_event(amazon: AmazonOrder) -> dict:
    items = [{"order_item_id": item.order_item_id, "sku": item.sku, "asin": item.asin, "title": item.title,
              "quantity": item.quantity, "unit_price": amount(item.unit_price or 0),
              "total": amount(line_total(item))} for item in amazon.items]
    return {
        "amazon_order_id": amazon.order_id, "marketplace_id": amazon.marketplace_id, "status": amazon.status,
        "purchase_date": amazon_time(amazon.created),
        "ship_by": amazon_time(amazon.ship_by) if amazon.ship_by else None, "currency": amazon.currency,
        "buyer": {"name": amazon.buyer_name, "email": amazon.buyer_email}, "shipping_address": amazon.address,
        "items": items, "shipping_price": amount(amazon.shipping_price),
        "order_total": amount(sum((line_total(item) for item in amazon.items), amazon.shipping_price)),
    }


class GenericOrders:
    name = "your cart"
    can_look_up = False

    def __init__(self, client: GenericCartClient) -> None:
        self.client = client

    def find(self, order: ImportedOrder) -> CartOrder | None:
        return None

    def create(self, order: ImportedOrder, custom_lines: bool) -> CartOrder:
        amazon = AmazonOrder.from_json(order.snapshot)
        self.client.send_event(ORDER_CREATED, order_event(amazon), f"amazon-order-{order.amazon_order_id}-created")
        return CartOrder(None)

    def cancel(self, order: ImportedOrder) -> None:
        amazon = AmazonOrder.from_json(order.snapshot)
        self.client.send_event(ORDER_CANCELLED, {"amazon_order_id": order.amazon_order_id,
                                                 "marketplace_id": order.marketplace_id,
                                                 "reason": amazon.cancel_reason},
                               f"amazon-order-{order.amazon_order_id}-cancelled")

    def mark_shipped(self, order: ImportedOrder) -> None:
        packages = [{"carrier": package.get("carrier"), "tracking_number": package.get("trackingNumber"),
                     "ship_date": package.get("shipTime")} for package in order.snapshot.get("packages") or []]
        self.client.send_event(ORDER_SHIPPED, {"amazon_order_id": order.amazon_order_id,
                                               "marketplace_id": order.marketplace_id, "packages": packages},
                               f"amazon-order-{order.amazon_order_id}-shipped")
