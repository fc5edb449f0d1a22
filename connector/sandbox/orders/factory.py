"""Making orders: exactly as a test describes them, or at random with the mix of a real seller's day
(multi-item orders, Amazon-fulfilled ones, PENDING orders Amazon releases later, cancellations, late arrivals)."""
from __future__ import annotations

import random
from collections.abc import Container, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from .catalog import buyer_and_address, currency_of, order_id, order_item_id, price_in, product, quantize
from .model import AMAZON, MERCHANT, PENDING, UNSHIPPED, ScheduledChange, SimItem, SimOrder, stamp

_SHIPPING_USD = {"STANDARD": Decimal("4.99"), "EXPEDITED": Decimal("9.99")}


@dataclass(frozen=True)
class ItemSpec:
    sku: str
    quantity: int = 1
    unit_price: Decimal | str | None = None  # in the marketplace's currency; default: the catalog price
    title: str | None = None
    asin: str | None = None


@dataclass(frozen=True)
class OrderMix:
    """Shares of randomly made orders, each drawn on its own; ranges are (low, high)."""
    multi_item: float = 0.25
    amazon_fulfilled: float = 0.10
    pending: float = 0.30
    cancel_pending: float = 0.15  # share of PENDING orders the buyer cancels before Amazon releases them
    cancel_unshipped: float = 0.03  # share of merchant orders cancelled hours after release, unless shipped first
    late: float = 0.05  # share of orders that searchOrders shows only minutes after their lastUpdatedTime
    pending_minutes: tuple[float, float] = (5, 60)
    late_minutes: tuple[float, float] = (3, 20)
    cancel_hours: tuple[float, float] = (1, 12)
    amazon_ship_hours: tuple[float, float] = (2, 24)

    @classmethod
    def from_json(cls, data: dict | None) -> OrderMix:
        """Override the defaults with a JSON object of the same field names."""
        known = {f.name for f in fields(cls)}
        unknown = set(data or {}) - known
        if unknown:
            raise ValueError(f"unknown mix fields: {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}")
        values = {}
        for name, value in (data or {}).items():
            if isinstance(getattr(cls, name), tuple):
                low, high = (float(v) for v in value)
                if not 0 <= low <= high:
                    raise ValueError(f"mix {name} must be [low, high] with 0 <= low <= high")
                values[name] = (low, high)
            else:
                share = float(value)
                if not 0 <= share <= 1:
                    raise ValueError(f"mix {name} must be between 0 and 1")
                values[name] = share
        return cls(**values)


def _unit_price(spec: ItemSpec, currency: str, catalog_usd: Decimal) -> Decimal:
    if spec.unit_price is None:
        return price_in(catalog_usd, currency)
    try:
        price = Decimal(str(spec.unit_price))
    except InvalidOperation:
        raise ValueError(f"unit_price {spec.unit_price!r} of {spec.sku} is not a number") from None
    if not price.is_finite() or price < 0:
        raise ValueError(f"unit_price of {spec.sku} must be a number >= 0")
    return quantize(price, currency)


def build_order(rng: random.Random, taken: Container[str], seller_id: str, marketplace_id: str, created: datetime,
                items: Sequence[ItemSpec], *, fulfilled_by: str = MERCHANT, status: str = UNSHIPPED,
                service_level: str = "STANDARD", wanted_id: str | None = None) -> SimOrder:
    if not items:
        raise ValueError("an order needs at least one item")
    currency = currency_of(marketplace_id)
    sim_items: list[SimItem] = []
    for spec in items:
        if not spec.sku or int(spec.quantity) < 1:
            raise ValueError("every item needs a sku and a quantity of at least 1")
        listed = product(spec.sku)
        item_id = order_item_id(rng)
        while any(item.order_item_id == item_id for item in sim_items):
            item_id = order_item_id(rng)
        sim_items.append(SimItem(item_id, spec.sku, spec.asin or listed.asin, spec.title or listed.title,
                                 int(spec.quantity), _unit_price(spec, currency, listed.usd_price)))
    new_id = wanted_id or order_id(rng, marketplace_id)
    while wanted_id is None and new_id in taken:
        new_id = order_id(rng, marketplace_id)
    buyer, address = buyer_and_address(rng, marketplace_id)
    shipping = price_in(_SHIPPING_USD.get(service_level, Decimal("9.99")), currency)
    return SimOrder(new_id, seller_id, marketplace_id, stamp(created), fulfilled_by, service_level, sim_items, buyer,
                    address, shipping, status=status)


def _later(rng: random.Random, start: datetime, span: tuple[float, float], unit: timedelta) -> datetime:
    return stamp(start + unit * rng.uniform(*span))


def random_order(rng: random.Random, taken: Container[str], seller_id: str, marketplace_ids: Sequence[str],
                 skus: Sequence[str], created: datetime, mix: OrderMix) -> SimOrder:
    """An order placed at `created`, with the changes its future holds already scheduled."""
    count = rng.randint(2, 4) if rng.random() < mix.multi_item else 1
    items = [ItemSpec(sku, rng.choice((1, 1, 1, 2, 3))) for sku in rng.sample(list(skus), min(count, len(skus)))]
    fulfilled_by = AMAZON if rng.random() < mix.amazon_fulfilled else MERCHANT
    pending = rng.random() < mix.pending
    order = build_order(rng, taken, seller_id, rng.choice(list(marketplace_ids)), created, items,
                        fulfilled_by=fulfilled_by, status=PENDING if pending else UNSHIPPED,
                        service_level=rng.choice(("STANDARD", "STANDARD", "STANDARD", "EXPEDITED")))
    released_at = order.created
    if pending:
        released_at = _later(rng, order.created, mix.pending_minutes, timedelta(minutes=1))
        if rng.random() < mix.cancel_pending:
            order.scheduled.append(ScheduledChange(_later(rng, order.created, (0, 1), released_at - order.created),
                                                   "cancel"))
            released_at = None
        else:
            order.scheduled.append(ScheduledChange(released_at, "release"))
    if released_at is not None and fulfilled_by == AMAZON:
        order.scheduled.append(ScheduledChange(_later(rng, released_at, mix.amazon_ship_hours, timedelta(hours=1)),
                                               "amazon_ship"))
    elif released_at is not None and rng.random() < mix.cancel_unshipped:
        order.scheduled.append(ScheduledChange(_later(rng, released_at, mix.cancel_hours, timedelta(hours=1)),
                                               "cancel"))
    if rng.random() < mix.late:
        order.visible_at = _later(rng, order.created, mix.late_minutes, timedelta(minutes=1))
    return order
