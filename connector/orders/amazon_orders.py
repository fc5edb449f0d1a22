"""Reading an order of Orders API v2026-01-01 (`Order` of orders_2026-01-01.json) into what the connector uses."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

PENDING, UNSHIPPED, PARTIALLY_SHIPPED, SHIPPED, CANCELLED = (
    "PENDING", "UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED", "CANCELLED")
OPEN_STATUSES = (UNSHIPPED, PARTIALLY_SHIPPED)
IMPORTABLE_STATUSES = (UNSHIPPED, PARTIALLY_SHIPPED)
MERCHANT = "MERCHANT"
# Everything the connector shows or passes on; FULFILLMENT carries the status itself.
INCLUDED_DATA = ("BUYER", "RECIPIENT", "PROCEEDS", "FULFILLMENT", "CANCELLATION", "PACKAGES")


class OrderUnreadable(ValueError):
    """Amazon sent an order without a field the connector cannot do without."""


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def amazon_time(moment: datetime) -> str:
    """ISO 8601 in UTC, whole seconds, as Amazon writes it."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _money(value: Any) -> tuple[Decimal | None, str | None]:
    if not isinstance(value, dict):
        return None, None
    try:
        return Decimal(str(value.get("amount"))), value.get("currencyCode")
    except InvalidOperation:
        return None, value.get("currencyCode")


@dataclass(frozen=True)
class AmazonItem:
    order_item_id: str
    sku: str | None
    asin: str | None
    title: str
    quantity: int
    unfulfilled: int  # units still to ship (all of them when Amazon did not say)
    unit_price: Decimal | None
    currency: str | None


@dataclass(frozen=True)
class AmazonOrder:
    order_id: str
    marketplace_id: str
    status: str
    fulfilled_by: str | None
    created: datetime
    last_updated: datetime
    ship_by: datetime | None
    items: tuple[AmazonItem, ...]
    raw: dict

    @classmethod
    def from_json(cls, body: dict) -> AmazonOrder:
        try:
            fulfillment = body.get("fulfillment") or {}
            return cls(
                order_id=body["orderId"],
                marketplace_id=body["salesChannel"]["marketplaceId"],
                status=fulfillment.get("fulfillmentStatus") or "",
                fulfilled_by=fulfillment.get("fulfilledBy"),
                created=parse_time(body["createdTime"]),
                last_updated=parse_time(body["lastUpdatedTime"]),
                ship_by=parse_time((fulfillment.get("shipByWindow") or {}).get("latestDateTime")),
                items=tuple(_item(item) for item in body["orderItems"]),
                raw=body,
            )
        except (KeyError, TypeError, ValueError) as error:
            raise OrderUnreadable(f"order {body.get('orderId', '?')} lacks {error}") from None

    @property
    def buyer_name(self) -> str:
        return self.address.get("name") or (self.raw.get("buyer") or {}).get("buyerName") or "Amazon customer"

    @property
    def buyer_email(self) -> str | None:
        return (self.raw.get("buyer") or {}).get("buyerEmail")

    @property
    def address(self) -> dict:
        return (self.raw.get("recipient") or {}).get("deliveryAddress") or {}

    @property
    def currency(self) -> str | None:
        return next((item.currency for item in self.items if item.currency), None)

    @property
    def shipping_price(self) -> Decimal:
        breakdowns = (self.raw.get("proceeds") or {}).get("breakdowns") or []
        amounts = [_money(entry.get("subtotal"))[0] for entry in breakdowns if entry.get("type") == "SHIPPING"]
        return sum((amount for amount in amounts if amount is not None), Decimal(0))

    @property
    def cancel_reason(self) -> str | None:
        for item in self.raw.get("orderItems") or []:
            request = (item.get("cancellation") or {}).get("cancellationRequest") or {}
            if request.get("cancelReason"):
                return request["cancelReason"]
        return None

    def package_references(self) -> set[str]:
        return {str(package.get("packageReferenceId")) for package in self.raw.get("packages") or []}

    def item(self, order_item_id: str) -> AmazonItem | None:
        return next((item for item in self.items if item.order_item_id == order_item_id), None)


def _item(body: dict) -> AmazonItem:
    product = body.get("product") or {}
    price, currency = _money((product.get("price") or {}).get("unitPrice"))
    quantity = int(body["quantityOrdered"])
    unfulfilled = (body.get("fulfillment") or {}).get("quantityUnfulfilled")
    return AmazonItem(order_item_id=str(body["orderItemId"]), sku=product.get("sellerSku"), asin=product.get("asin"),
                      title=product.get("title") or product.get("sellerSku") or "Amazon item", quantity=quantity,
                      unfulfilled=quantity if unfulfilled is None else int(unfulfilled), unit_price=price,
                      currency=currency)
