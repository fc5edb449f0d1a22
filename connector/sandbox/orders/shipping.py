"""confirmShipment (POST /orders/v0/orders/{orderId}/shipmentConfirmation): the body is checked against the v0
model (ConfirmShipmentRequest, PackageDetail) and against the order, then the order ships. Every attempt, accepted
or refused, is recorded so tests can see what reached Amazon."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from ..settings import SellerSpec
from .model import (AMAZON, CANCELLED, ORDER_ID, PENDING, SHIPPED, ConfirmationAttempt, InvalidInput, Package,
                    SimOrder, stamp)
from .search import parse_time
from .world import OrderWorld

# Amazon's carrier codes are matched exactly ("PUROLATOR" is not "Purolator"); a small table of common ones.
CARRIER_CODES = frozenset({
    "USPS", "UPS", "UPS Mail Innovations", "FedEx", "FedEx SmartPost", "OnTrac", "DHL", "DHL Express",
    "DHL eCommerce", "Amazon Shipping", "Canada Post", "Purolator", "Estafeta", "Royal Mail", "Parcelforce", "Yodel",
    "Evri", "Deutsche Post", "Hermes", "DPD", "GLS", "UPS Germany", "La Poste", "Colissimo", "Chronopost",
    "Poste Italiane", "BRT", "Correos", "SEUR", "Japan Post", "Yamato Transport", "Sagawa Express",
    "Australia Post", "Other",
})
_POSITIVE_NUMBER = re.compile(r"^[1-9][0-9]*$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@dataclass(frozen=True)
class ShipmentRequest:
    marketplace_id: str
    reference_id: str
    carrier: str
    shipping_method: str | None
    tracking_number: str
    ship_date: datetime
    items: list[tuple[str, int]]


def _text(data: dict, name: str, problems: list[str], where: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}{name} is required (a non-empty string).")
        return ""
    return value


def _carrier(package: dict, problems: list[str]) -> str:
    code = _text(package, "carrierCode", problems, "packageDetail.")
    if code == "Other":
        name = package.get("carrierName")
        if not isinstance(name, str) or not name.strip():
            problems.append("packageDetail.carrierName is required when carrierCode is \"Other\".")
            return ""
        return name
    if code and code not in CARRIER_CODES:
        spelled = next((known for known in CARRIER_CODES if known.lower() == code.lower()), None)
        hint = f" Did you mean {spelled!r}? Codes are case-sensitive." if spelled else \
            " Use one of Amazon's carrier codes, or \"Other\" with carrierName."
        problems.append(f"packageDetail.carrierCode {code!r} is not a carrier code Amazon knows.{hint}")
    return code


def _items(package: dict, problems: list[str]) -> list[tuple[str, int]]:
    raw = package.get("orderItems")
    if not isinstance(raw, list) or not raw:
        problems.append("packageDetail.orderItems is required: a non-empty list of {orderItemId, quantity}.")
        return []
    items: list[tuple[str, int]] = []
    for index, entry in enumerate(raw):
        where = f"packageDetail.orderItems[{index}]."
        if not isinstance(entry, dict):
            problems.append(f"{where[:-1]} must be an object with orderItemId and quantity.")
            continue
        item_id = _text(entry, "orderItemId", problems, where)
        quantity = entry.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            problems.append(f"{where}quantity is required (a whole number of at least 1).")
        elif item_id and any(known == item_id for known, _ in items):
            problems.append(f"{where}orderItemId {item_id} appears twice; list each item once.")
        elif item_id:
            items.append((item_id, quantity))
    return items


def parse_request(body: object) -> ShipmentRequest:
    """The request as the v0 model defines it; InvalidInput listing everything wrong."""
    if not isinstance(body, dict):
        raise InvalidInput("The request body must be a JSON object (ConfirmShipmentRequest).")
    problems: list[str] = []
    marketplace_id = _text(body, "marketplaceId", problems, "")
    if body.get("codCollectionMethod") not in (None, "DirectPayment"):
        problems.append("codCollectionMethod can only be \"DirectPayment\".")
    package = body.get("packageDetail")
    if not isinstance(package, dict):
        raise InvalidInput(" ".join(problems + ["packageDetail is required (an object)."]))
    reference_id = _text(package, "packageReferenceId", problems, "packageDetail.")
    if reference_id and not _POSITIVE_NUMBER.match(reference_id):
        problems.append("packageDetail.packageReferenceId must be a positive number, such as \"1\".")
    carrier = _carrier(package, problems)
    tracking_number = _text(package, "trackingNumber", problems, "packageDetail.")
    raw_date = _text(package, "shipDate", problems, "packageDetail.")
    ship_date = None
    if raw_date and not _DATE_TIME.match(raw_date):
        problems.append(f"packageDetail.shipDate must be an ISO 8601 date-time, not {raw_date!r}.")
    elif raw_date:
        try:
            ship_date = parse_time("packageDetail.shipDate", raw_date)
        except InvalidInput as bad:
            problems.append(str(bad))
    method = package.get("shippingMethod")
    if method is not None and not isinstance(method, str):
        problems.append("packageDetail.shippingMethod must be a string.")
    items = _items(package, problems)
    if problems:
        raise InvalidInput(" ".join(problems))
    return ShipmentRequest(marketplace_id, reference_id, carrier, method, tracking_number, ship_date, items)


def _refusal(order: SimOrder, shipment: ShipmentRequest) -> str | None:
    """Why this order cannot take this shipment, if it cannot."""
    if shipment.marketplace_id != order.marketplace_id:
        return f"marketplaceId {shipment.marketplace_id} is not the marketplace of order {order.order_id} " \
               f"({order.marketplace_id})."
    if order.fulfilled_by == AMAZON:
        return f"Order {order.order_id} is fulfilled by Amazon; only merchant-fulfilled orders are confirmed."
    if order.status == CANCELLED:
        return f"Order {order.order_id} was cancelled; it cannot be shipped."
    if order.status == PENDING:
        return f"Order {order.order_id} is PENDING; it can be shipped once Amazon releases it (UNSHIPPED)."
    if order.status == SHIPPED:
        return f"Order {order.order_id} is already fully shipped."
    if any(package.reference_id == shipment.reference_id for package in order.packages):
        return f"packageReferenceId {shipment.reference_id} was already confirmed for order {order.order_id}; " \
               "each package needs its own."
    for item_id, quantity in shipment.items:
        item = order.item(item_id)
        if item is None:
            return f"orderItemId {item_id} is not an item of order {order.order_id}."
        if quantity > item.unshipped:
            return f"quantity {quantity} for orderItemId {item_id} exceeds the {item.unshipped} unit(s) left to ship."
    return None


def _ship(order: SimOrder | None, order_id: str, body: object, now: datetime) -> tuple[int, str]:
    """Ship the order as the body says: (204, "") or why not, as (400 or 404, message)."""
    if not ORDER_ID.match(order_id):
        return 400, f"orderId {order_id!r} is not an Amazon order id (3-7-7 digits)."
    if order is None:
        return 404, f"Order {order_id} was not found for this seller."
    try:
        shipment = parse_request(body)
    except InvalidInput as bad:
        return 400, str(bad)
    refusal = _refusal(order, shipment)
    if refusal:
        return 400, refusal
    order.ship(now, Package(shipment.reference_id, shipment.carrier, shipment.tracking_number,
                            stamp(shipment.ship_date), stamp(now), shipment.items, shipment.shipping_method))
    return 204, ""


def confirm_shipment(world: OrderWorld, seller: SellerSpec, order_id: str, body: object) -> ConfirmationAttempt:
    """One confirmShipment call, recorded whatever its outcome."""
    with world.lock:
        now = world.catch_up()
        status, message = _ship(world.visible_order(seller.selling_partner_id, order_id, now), order_id, body, now)
        code = {400: "InvalidInput", 404: "NotFound"}.get(status)
        errors = [{"code": code, "message": message, "details": ""}] if code else []
        attempt = ConfirmationAttempt(now, seller.selling_partner_id, order_id, body, status, errors)
        world.attempts.append(attempt)
        return attempt
