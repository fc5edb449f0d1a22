"""What a webhook tells us, independent of the cart it came from. Every fact carries the host's own time, so the
intake can refuse anything older than what it already holds."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

from ...webhooks.handlers import DeliveryInvalid


@dataclass(frozen=True)
class QuantityFact:
    quantity: int | None  # None: the cart does not count this product's stock
    in_stock: bool
    at: datetime
    inherits_parent_stock: bool = False  # WooCommerce variation whose stock is the parent's
    fallback: bool = False  # Shopify's product total: used only while no inventory levels are known


@dataclass(frozen=True)
class PriceFact:
    regular: Decimal | None
    at: datetime
    sale: Decimal | None = None
    sale_from: datetime | None = None
    sale_to: datetime | None = None
    currency: str | None = None


@dataclass
class SkuUpdate:
    sku: str
    quantity: QuantityFact | None = None
    price: PriceFact | None = None
    product_id: str | None = None
    parent_id: str | None = None
    inventory_item_id: str | None = None
    exists_at: datetime | None = None  # the cart says the product exists: undoes an older deletion


@dataclass(frozen=True)
class ParentStock:
    """A WooCommerce variable product's own stock, which variations managed "by the parent" share."""

    parent_id: str
    quantity: QuantityFact


@dataclass(frozen=True)
class Deletion:
    at: datetime
    product_id: str | None = None  # WooCommerce sends only the ID; its variations go with it
    sku: str | None = None


@dataclass(frozen=True)
class LevelUpdate:
    inventory_item_id: str
    location_id: str
    available: int
    at: datetime


@dataclass(frozen=True)
class Unmatchable:
    """A product without a SKU: it cannot be matched to an Amazon listing."""

    description: str
    key: str


@dataclass
class Facts:
    updates: list[SkuUpdate] = field(default_factory=list)
    parents: list[ParentStock] = field(default_factory=list)
    deletions: list[Deletion] = field(default_factory=list)
    levels: list[LevelUpdate] = field(default_factory=list)
    unmatchable: list[Unmatchable] = field(default_factory=list)

    def extend(self, other: Facts) -> None:
        self.updates += other.updates
        self.parents += other.parents
        self.deletions += other.deletions
        self.levels += other.levels
        self.unmatchable += other.unmatchable


def parse_time(value: object, *, naive_is_utc: bool = True) -> datetime | None:
    """ISO 8601 from a payload; None when absent or unreadable (the caller falls back to the delivery's time)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=timezone.utc) if naive_is_utc else None
    return parsed.astimezone(timezone.utc)


def parse_money(value: object, what: str) -> Decimal | None:
    """A price as the carts send it (WooCommerce and Shopify: strings, "" for none; generic: numbers too)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise DeliveryInvalid(f"{what} must be a number, not {value!r}.")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise DeliveryInvalid(f"{what} must be a number, not {value!r}.") from None
    if not amount.is_finite() or amount < 0:
        raise DeliveryInvalid(f"{what} must be a positive number, not {value!r}.")
    return amount


def parse_count(value: object, what: str) -> int:
    """A stock quantity: a whole number (negative with backorders), as a number or a numeric string."""
    if isinstance(value, bool):
        raise DeliveryInvalid(f"{what} must be a whole number, not {value!r}.")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise DeliveryInvalid(f"{what} must be a whole number, not {value!r}.")


def identifier(value: object) -> str | None:
    """A cart ID as text (Shopify IDs exceed 2^53 and stay exact as Python ints)."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    return str(value)
