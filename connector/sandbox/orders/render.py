"""A simulated order as Orders API v2026-01-01 shows it (`Order` of orders_2026-01-01.json).

Always present: orderId, createdTime, lastUpdatedTime, salesChannel and orderItems (with product and price).
The rest only when `includedData` asks for it: BUYER -> buyer, RECIPIENT -> recipient (not while PENDING),
PROCEEDS -> proceeds of order and items (not while PENDING or once CANCELLED), FULFILLMENT -> fulfillment of order
and items, CANCELLATION -> the items' cancellation, PACKAGES -> packages (merchant-fulfilled orders only).
EXPENSE, PROMOTION, TAX, PAYMENT and FULFILLMENT_ORDERS are accepted and have nothing to show here.
"""
from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from decimal import Decimal

from .catalog import currency_of, marketplace_name, money
from .model import AMAZON, CANCELLED, MERCHANT, PENDING, SimItem, SimOrder

INCLUDED_DATA = ("BUYER", "RECIPIENT", "PROCEEDS", "EXPENSE", "PROMOTION", "CANCELLATION", "FULFILLMENT",
                 "PACKAGES", "TAX", "PAYMENT", "FULFILLMENT_ORDERS")
# Days after the order: (ship by from, ship by until, deliver by from, deliver by until).
_WINDOWS = {"EXPEDITED": (0, 1, 2, 3), "NEXT_DAY": (0, 0, 1, 1), "SAME_DAY": (0, 0, 0, 0)}
_STANDARD_WINDOWS = (0, 2, 3, 7)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _window(start: datetime, first_day: int, last_day: int) -> dict:
    end_of_first_day = start.replace(hour=23, minute=59, second=59)
    return {"earliestDateTime": iso(start + timedelta(days=first_day)),
            "latestDateTime": iso(end_of_first_day + timedelta(days=last_day))}


def _shows_proceeds(order: SimOrder) -> bool:
    return order.status not in (PENDING, CANCELLED)


def _item(order: SimOrder, item: SimItem, first: bool, included: Collection[str]) -> dict:
    currency = currency_of(order.marketplace_id)
    body: dict = {
        "orderItemId": item.order_item_id,
        "quantityOrdered": item.quantity,
        "product": {"asin": item.asin, "title": item.title, "sellerSku": item.sku,
                    "condition": {"conditionType": "NEW", "conditionSubtype": "NEW"},
                    "price": {"unitPrice": money(item.unit_price, currency)}},
    }
    if "PROCEEDS" in included and _shows_proceeds(order):
        # Shipping is charged once; it rides on the first item so the items add up to the order.
        shipping = order.shipping_price if first else Decimal(0)
        breakdowns = [{"type": "ITEM", "subtotal": money(item.unit_price * item.quantity, currency)}]
        if shipping:
            breakdowns.append({"type": "SHIPPING", "subtotal": money(shipping, currency)})
        body["proceeds"] = {"proceedsTotal": money(item.unit_price * item.quantity + shipping, currency),
                            "breakdowns": breakdowns}
    if "CANCELLATION" in included and order.cancellation is not None:
        body["cancellation"] = {
            "cancellationRequest": {"requester": order.cancellation.requester,
                                    "cancelReason": order.cancellation.reason},
            "cancellationExecution": {"cancelledBy": order.cancellation.cancelled_by,
                                      "cancelReason": order.cancellation.reason},
        }
    if "FULFILLMENT" in included:
        body["fulfillment"] = {"quantityFulfilled": item.shipped,
                               "quantityUnfulfilled": 0 if order.status == CANCELLED else item.unshipped}
    return body


def _proceeds(order: SimOrder) -> dict:
    currency = currency_of(order.marketplace_id)
    items_total = sum((item.unit_price * item.quantity for item in order.items), Decimal(0))
    breakdowns = [{"type": "ITEM", "subtotal": money(items_total, currency)}]
    if order.shipping_price:
        breakdowns.append({"type": "SHIPPING", "subtotal": money(order.shipping_price, currency)})
    return {"grandTotal": money(items_total + order.shipping_price, currency), "breakdowns": breakdowns}


def _fulfillment(order: SimOrder) -> dict:
    ship_from, ship_until, deliver_from, deliver_until = _WINDOWS.get(order.service_level, _STANDARD_WINDOWS)
    return {"fulfillmentStatus": order.status, "fulfilledBy": order.fulfilled_by,
            "fulfillmentServiceLevel": order.service_level,
            "shipByWindow": _window(order.created, ship_from, ship_until),
            "deliverByWindow": _window(order.created, deliver_from, deliver_until)}


def _packages(order: SimOrder) -> list[dict]:
    return [{"packageReferenceId": package.reference_id, "createdTime": iso(package.created),
             "packageStatus": {"status": "SHIPPED"}, "carrier": package.carrier, "shipTime": iso(package.ship_time),
             **({"shippingService": package.shipping_method} if package.shipping_method else {}),
             "trackingNumber": package.tracking_number,
             "packageItems": [{"orderItemId": item_id, "quantity": quantity} for item_id, quantity in package.items]}
            for package in order.packages]


def amazon_order(order: SimOrder, included: Collection[str]) -> dict:
    body: dict = {
        "orderId": order.order_id,
        "createdTime": iso(order.created),
        "lastUpdatedTime": iso(order.last_updated),
        "salesChannel": {"channelName": "AMAZON", "marketplaceId": order.marketplace_id,
                         "marketplaceName": marketplace_name(order.marketplace_id)},
    }
    if "BUYER" in included:
        # Amazon gives the anonymized e-mail for merchant-fulfilled orders only.
        body["buyer"] = {key: value for key, value in order.buyer.items()
                         if key != "buyerEmail" or order.fulfilled_by == MERCHANT}
    if "RECIPIENT" in included and order.address_released:
        # ... and suppresses the phone number of Amazon-fulfilled orders.
        body["recipient"] = {"deliveryAddress": {key: value for key, value in order.address.items()
                                                 if key != "phone" or order.fulfilled_by != AMAZON}}
    if "PROCEEDS" in included and _shows_proceeds(order):
        body["proceeds"] = _proceeds(order)
    if "FULFILLMENT" in included:
        body["fulfillment"] = _fulfillment(order)
    body["orderItems"] = [_item(order, item, index == 0, included) for index, item in enumerate(order.items)]
    if "PACKAGES" in included and order.fulfilled_by == MERCHANT and order.packages:
        body["packages"] = _packages(order)
    return body
