"""A simulated Amazon order and the changes its life allows; every change moves lastUpdatedTime."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

ORDER_ID = re.compile(r"^\d{3}-\d{7}-\d{7}$")  # Amazon's 3-7-7 digits

PENDING, UNSHIPPED, PARTIALLY_SHIPPED, SHIPPED, CANCELLED = (
    "PENDING", "UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED", "CANCELLED")
FULFILLMENT_STATUSES = ("PENDING_AVAILABILITY", PENDING, UNSHIPPED, PARTIALLY_SHIPPED, SHIPPED, CANCELLED,
                        "UNFULFILLABLE")
MERCHANT, AMAZON = "MERCHANT", "AMAZON"
SERVICE_LEVELS = ("STANDARD", "EXPEDITED", "SECOND_DAY", "NEXT_DAY", "FREE_ECONOMY", "PRIORITY", "SAME_DAY",
                  "SCHEDULED")


class OrderStateError(ValueError):
    """A change that the order's current state does not allow (cancel a shipped order, release twice...)."""


class UnknownOrder(LookupError):
    """No order has this id."""


class InvalidInput(ValueError):
    """A request Amazon refuses with 400 and code InvalidInput; the text says what to fix."""


def stamp(moment: datetime) -> datetime:
    """Order times are whole seconds, so what Amazon shows is exactly what it filters on."""
    return moment.replace(microsecond=0)


@dataclass
class SimItem:
    order_item_id: str
    sku: str
    asin: str
    title: str
    quantity: int
    unit_price: Decimal
    shipped: int = 0

    @property
    def unshipped(self) -> int:
        return self.quantity - self.shipped


@dataclass
class Package:
    reference_id: str
    carrier: str
    tracking_number: str
    ship_time: datetime
    created: datetime
    items: list[tuple[str, int]]
    shipping_method: str | None = None


@dataclass
class Cancellation:
    requester: str
    reason: str
    cancelled_by: str


@dataclass
class ScheduledChange:
    at: datetime
    kind: str  # "release" (PENDING -> UNSHIPPED), "cancel", "amazon_ship"


@dataclass
class SimOrder:
    order_id: str
    seller_id: str
    marketplace_id: str
    created: datetime
    fulfilled_by: str
    service_level: str
    items: list[SimItem]
    buyer: dict
    address: dict
    shipping_price: Decimal
    status: str = UNSHIPPED
    last_updated: datetime | None = None
    visible_at: datetime | None = None
    address_released: bool = field(init=False)  # Amazon shows no address while an order is PENDING
    packages: list[Package] = field(default_factory=list)
    cancellation: Cancellation | None = None
    scheduled: list[ScheduledChange] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.last_updated = self.last_updated or self.created
        self.visible_at = self.visible_at or self.last_updated
        self.address_released = self.status != PENDING

    def visible(self, now: datetime) -> bool:
        return self.visible_at <= now

    def _touch(self, at: datetime) -> None:
        self.last_updated = max(self.last_updated, stamp(at))

    def release(self, at: datetime) -> None:
        if self.status != PENDING:
            raise OrderStateError(f"Order {self.order_id} is {self.status}; only a PENDING order becomes UNSHIPPED.")
        self.status = UNSHIPPED
        self.address_released = True
        self._touch(at)

    def cancel(self, at: datetime, requester: str = "BUYER", reason: str = "Buyer cancelled the order") -> None:
        if self.status not in (PENDING, UNSHIPPED):
            raise OrderStateError(f"Order {self.order_id} is {self.status}; only PENDING or UNSHIPPED orders can be "
                                  "cancelled.")
        self.status = CANCELLED
        self.cancellation = Cancellation(requester, reason, "AMAZON" if requester == "BUYER" else requester)
        self._touch(at)

    def ship(self, at: datetime, package: Package) -> None:
        """Ship the package's quantities; callers have checked them against what is left to ship."""
        if self.status not in (UNSHIPPED, PARTIALLY_SHIPPED):
            raise OrderStateError(f"Order {self.order_id} is {self.status}; it cannot be shipped.")
        by_id = {item.order_item_id: item for item in self.items}
        for order_item_id, quantity in package.items:
            by_id[order_item_id].shipped += quantity
        self.packages.append(package)
        self.status = SHIPPED if all(item.unshipped == 0 for item in self.items) else PARTIALLY_SHIPPED
        self._touch(at)

    def ship_remaining(self, at: datetime, carrier: str, tracking_number: str) -> None:
        """Everything left leaves in one package: shipped from Seller Central, or by Amazon for AFN orders."""
        remaining = [(item.order_item_id, item.unshipped) for item in self.items if item.unshipped]
        reference = 1 + max((int(p.reference_id) for p in self.packages if p.reference_id.isdigit()), default=0)
        self.ship(at, Package(str(reference), carrier, tracking_number, stamp(at), stamp(at), remaining))

    def item(self, order_item_id: str) -> SimItem | None:
        return next((item for item in self.items if item.order_item_id == order_item_id), None)


@dataclass
class ConfirmationAttempt:
    """One confirmShipment call as Amazon received it, accepted (204) or refused, kept for tests to inspect."""
    at: datetime
    seller_id: str
    order_id: str
    body: object
    status: int
    errors: list[dict]

    @property
    def accepted(self) -> bool:
        return self.status == 204
