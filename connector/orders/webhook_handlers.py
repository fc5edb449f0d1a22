"""Shipments the cart reports through its webhooks: WooCommerce order.updated (status completed), Shopify
orders/fulfilled and fulfillments/create, generic order.shipped. Each records the shipment of an imported order and
queues its confirmation once the inbox drain commits; orders the connector did not import are none of its business.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ..webhooks.handlers import DeliveryInvalid, WebhookEvent, handles
from .cart.woocommerce import ORDER_ID_META, meta_value
from .queueing import enqueue_after_commit
from .shipments import ShipmentNotice, ShippedLine, imported_order, record_shipment

WOOCOMMERCE_TRACKING_META = "_wc_shipment_tracking_items"  # the WooCommerce Shipment Tracking extension
OWN_CARRIER_META = "amazon_carrier"
OWN_TRACKING_META = "amazon_tracking_number"


def _record(event: WebhookEvent, order, notice: ShipmentNotice) -> None:
    if record_shipment(order, notice, event.log, event.delivery.id) is not None:
        enqueue_after_commit("orders.confirm_shipments", order.account_id)


def _time(value: Any) -> datetime | None:
    """ISO 8601 (assumed UTC without an offset) or a Unix timestamp, as carts write them."""
    if value in (None, ""):
        return None
    try:
        if isinstance(value, (int, float)) or str(value).isdigit():
            return datetime.fromtimestamp(int(value), timezone.utc)
        moment = datetime.fromisoformat(str(value))
    except (ValueError, OverflowError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@handles("woocommerce", "order.updated")
def woocommerce_order_updated(event: WebhookEvent) -> None:
    payload = event.payload if isinstance(event.payload, dict) else {}
    if payload.get("status") != "completed":
        return
    order = imported_order(event.shop, amazon_order_id=meta_value(payload, ORDER_ID_META),
                           cart_order_id=payload.get("id"))
    if order is None:
        return
    carrier, tracking, shipped_at = _woocommerce_tracking(payload)
    _record(event, order, ShipmentNotice(
        cart_key=f"woocommerce-order:{payload.get('id')}", carrier=carrier, tracking_number=tracking,
        shipped_at=shipped_at or _time(payload.get("date_completed_gmt"))))


def _woocommerce_tracking(payload: dict) -> tuple[str, str, datetime | None]:
    """Our own order fields win; else the newest entry of the Shipment Tracking extension."""
    own_tracking = meta_value(payload, OWN_TRACKING_META)
    if own_tracking:
        return str(meta_value(payload, OWN_CARRIER_META) or ""), str(own_tracking), None
    entries = meta_value(payload, WOOCOMMERCE_TRACKING_META) or []
    entries = [entry for entry in entries if isinstance(entry, dict) and entry.get("tracking_number")]
    if not entries:
        return "", "", None
    newest = entries[-1]
    carrier = newest.get("custom_tracking_provider") or newest.get("tracking_provider") or ""
    return str(carrier), str(newest["tracking_number"]), _time(newest.get("date_shipped"))


def _shopify_fulfillment(event: WebhookEvent, order, fulfillment: dict) -> None:
    if fulfillment.get("status") != "success":
        return  # pending, open, cancelled, error, failure: nothing left the warehouse
    numbers = fulfillment.get("tracking_numbers") or []
    lines = [ShippedLine(quantity=int(line.get("quantity") or 0), cart_line_id=str(line.get("id")),
                         sku=line.get("sku")) for line in fulfillment.get("line_items") or []]
    _record(event, order, ShipmentNotice(
        cart_key=f"shopify-fulfillment:{fulfillment.get('id')}", carrier=fulfillment.get("tracking_company") or "",
        tracking_number=fulfillment.get("tracking_number") or (numbers[0] if numbers else ""),
        shipped_at=_time(fulfillment.get("created_at")), lines=lines, shipping_method=fulfillment.get("service")))


@handles("shopify", "fulfillments/create")
def shopify_fulfillment_created(event: WebhookEvent) -> None:
    payload = event.payload if isinstance(event.payload, dict) else {}
    order = imported_order(event.shop, cart_order_id=payload.get("order_id"))
    if order is not None:
        _shopify_fulfillment(event, order, payload)


@handles("shopify", "orders/fulfilled")
def shopify_order_fulfilled(event: WebhookEvent) -> None:
    payload = event.payload if isinstance(event.payload, dict) else {}
    order = imported_order(event.shop, amazon_order_id=payload.get("source_identifier"),
                           cart_order_id=payload.get("id"))
    if order is None:
        return
    for fulfillment in payload.get("fulfillments") or []:
        _shopify_fulfillment(event, order, fulfillment)


@handles("generic", "order.shipped")
def generic_order_shipped(event: WebhookEvent) -> None:
    data = (event.payload or {}).get("data") if isinstance(event.payload, dict) else None
    if not isinstance(data, dict):
        raise DeliveryInvalid("order.shipped needs a \"data\" object (see docs/webhooks.md).")
    missing = [name for name in ("amazon_order_id", "shipment_id", "tracking_number") if not data.get(name)]
    if missing:
        raise DeliveryInvalid(f"order.shipped lacks {', '.join(missing)} (see docs/webhooks.md).")
    order = imported_order(event.shop, amazon_order_id=data["amazon_order_id"])
    if order is None:
        raise DeliveryInvalid(f"Amazon order {data['amazon_order_id']} was not imported by this connector.")
    items = data.get("items")
    if items is not None and not isinstance(items, list):
        raise DeliveryInvalid("order.shipped \"items\" must be a list of {order_item_id or sku, quantity}.")
    lines = None if items is None else [
        ShippedLine(quantity=int(item.get("quantity") or 0), order_item_id=item.get("order_item_id"),
                    sku=item.get("sku")) for item in items if isinstance(item, dict)]
    _record(event, order, ShipmentNotice(
        cart_key=f"generic-shipment:{data['shipment_id']}", carrier=str(data.get("carrier") or ""),
        tracking_number=str(data["tracking_number"]), shipped_at=_time(data.get("ship_date")), lines=lines,
        shipping_method=data.get("shipping_method")))
