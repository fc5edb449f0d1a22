"""Every seller's orders, kept on the simulator's clock.

Nothing runs in the background: whenever the orders are looked at, the world first catches up with the clock,
placing the orders live generators would have placed meanwhile and applying the changes that fell due (Amazon
releasing PENDING orders, cancellations), each dated when it happened. So orders follow the clock exactly, whether
it runs at real time, at 1000x, or is moved forward a week at once.
"""
from __future__ import annotations

import heapq
import itertools
import random
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..clock import SimulatorClock
from ..settings import SandboxSettings
from .catalog import DEMO_SKUS
from .factory import ItemSpec, OrderMix, build_order, random_order
from .model import (AMAZON, CANCELLED, MERCHANT, ORDER_ID, PENDING, SHIPPED, UNSHIPPED, ConfirmationAttempt,
                    OrderStateError, ScheduledChange, SimOrder, UnknownOrder, stamp)
from .pages import PageStore

DEMO_SELLER = "A1DEMOSELLERNA"
DEMO_ORDERS_PER_HOUR = 4.0
# A generator left running while the clock jumps a year must not stall the simulator on one request.
MAX_ORDERS_PER_CATCH_UP = 50_000


@dataclass
class LiveGenerator:
    seller_id: str
    orders_per_hour: float
    marketplace_ids: tuple[str, ...]
    skus: tuple[str, ...]
    mix: OrderMix
    rng: random.Random
    next_at: datetime

    def schedule_next(self) -> None:
        self.next_at += timedelta(hours=self.rng.expovariate(self.orders_per_hour))


class OrderWorld:
    def __init__(self, clock: SimulatorClock, settings: SandboxSettings) -> None:
        self.clock = clock
        self.settings = settings
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        """Forget every order; start the demo generator again when the settings ask for it."""
        with self.lock:
            self._orders: dict[str, SimOrder] = {}
            self._by_seller: dict[str, list[SimOrder]] = {}
            self._due: list[tuple[datetime, int, str, str]] = []
            self._sequence = itertools.count()
            self._live: dict[str, LiveGenerator] = {}
            self._rng = random.Random()
            self.attempts: list[ConfirmationAttempt] = []
            self.pages = PageStore()
            if self.settings.demo_orders and self.settings.seller(DEMO_SELLER):
                self.start_live(DEMO_SELLER, DEMO_ORDERS_PER_HOUR, skus=DEMO_SKUS)

    def catch_up(self) -> datetime:
        """Bring the orders up to the simulator's clock; returns the clock's time."""
        with self.lock:
            now = self.clock.now()
            for generator in self._live.values():
                self._run(generator, now)
            while self._due and self._due[0][0] <= now:
                at, _, order_id, kind = heapq.heappop(self._due)
                self._apply(self._orders[order_id], ScheduledChange(at, kind))
            return now

    def _run(self, generator: LiveGenerator, now: datetime) -> None:
        for _ in range(MAX_ORDERS_PER_CATCH_UP):
            if generator.next_at > now:
                return
            self._add(random_order(generator.rng, self._orders, generator.seller_id, generator.marketplace_ids,
                                   generator.skus, generator.next_at, generator.mix))
            generator.schedule_next()
        generator.next_at = now

    def _apply(self, order: SimOrder, change: ScheduledChange) -> None:
        order.scheduled.remove(change)
        try:
            if change.kind == "release":
                order.release(change.at)
            elif change.kind == "cancel":
                order.cancel(change.at)
            else:
                order.ship_remaining(change.at, "Amazon Logistics", f"TBA{self._rng.randrange(10**12):012d}")
        except OrderStateError:
            pass  # overtaken by what happened first, e.g. the seller shipped before the buyer cancelled

    def _add(self, order: SimOrder) -> SimOrder:
        self._orders[order.order_id] = order
        self._by_seller.setdefault(order.seller_id, []).append(order)
        for change in order.scheduled:
            heapq.heappush(self._due, (change.at, next(self._sequence), order.order_id, change.kind))
        return order

    def _seller_marketplaces(self, seller_id: str, wanted: Sequence[str] | None) -> tuple[str, ...]:
        seller = self.settings.seller(seller_id)
        if seller is None:
            raise ValueError(f"unknown seller {seller_id}")
        for marketplace_id in wanted or ():
            if marketplace_id not in seller.marketplace_ids:
                raise ValueError(f"{seller_id} does not sell in marketplace {marketplace_id}; its marketplaces: "
                                 f"{', '.join(seller.marketplace_ids)}")
        return tuple(wanted or seller.marketplace_ids)

    # Python-level controls for tests and benchmarks (also over HTTP under /_sim/orders).
    def create(self, seller_id: str, items: Sequence[ItemSpec | str], *, marketplace_id: str | None = None,
               status: str = UNSHIPPED, fulfilled_by: str = MERCHANT, service_level: str = "STANDARD",
               created: datetime | None = None, last_updated: datetime | None = None,
               visible_at: datetime | None = None, release_at: datetime | None = None,
               order_id: str | None = None) -> SimOrder:
        """One order exactly as described. PENDING orders stay PENDING until `release_at` or `release()`."""
        with self.lock:
            now = self.catch_up()
            marketplace = self._seller_marketplaces(seller_id, [marketplace_id] if marketplace_id else None)[0]
            if status not in (PENDING, UNSHIPPED, SHIPPED, CANCELLED):
                raise ValueError("status must be PENDING, UNSHIPPED, SHIPPED or CANCELLED")
            if fulfilled_by not in (MERCHANT, AMAZON):
                raise ValueError("fulfilled_by must be MERCHANT or AMAZON")
            if order_id is not None and (not ORDER_ID.match(order_id) or order_id in self._orders):
                raise ValueError(f"order_id {order_id} must be new and in Amazon's 3-7-7 digit format")
            created = stamp(created or now)
            last_updated = stamp(last_updated or created)
            if not created <= last_updated <= now:
                raise ValueError("times must satisfy created <= last updated <= now (the simulator's clock)")
            if release_at is not None and (status != PENDING or stamp(release_at) < created):
                raise ValueError("release_at is for PENDING orders and cannot be before the order was created")
            specs = [ItemSpec(item) if isinstance(item, str) else item for item in items]
            order = build_order(self._rng, self._orders, seller_id, marketplace, created, specs,
                                fulfilled_by=fulfilled_by, status=PENDING if status == PENDING else UNSHIPPED,
                                service_level=service_level, wanted_id=order_id)
            if status == SHIPPED:
                order.ship_remaining(last_updated, "UPS", f"1Z{self._rng.randrange(10**16):016d}")
            elif status == CANCELLED:
                order.cancel(last_updated)
            order.last_updated = last_updated
            order.visible_at = stamp(visible_at) if visible_at else last_updated
            if release_at is not None:
                order.scheduled.append(ScheduledChange(stamp(release_at), "release"))
            self._add(order)
            self.catch_up()  # a release_at already past happens at once
            return order

    def generate(self, seller_id: str, count: int, days: float, *, marketplace_ids: Sequence[str] | None = None,
                 skus: Sequence[str] = DEMO_SKUS, mix: OrderMix | None = None, seed: int | None = None
                 ) -> list[SimOrder]:
        """`count` random orders placed over the last `days`, their changes up to now already applied."""
        if count < 0 or days <= 0 or not skus:
            raise ValueError("count must be >= 0, days > 0, and there must be SKUs to order")
        rng = random.Random(seed)
        with self.lock:
            now = self.catch_up()
            marketplaces = self._seller_marketplaces(seller_id, marketplace_ids)
            start = now - timedelta(days=days)
            moments = sorted(start + (now - start) * rng.random() for _ in range(count))
            mix = mix or OrderMix()
            made = [self._add(random_order(rng, self._orders, seller_id, marketplaces, tuple(skus), moment, mix))
                    for moment in moments]
            self.catch_up()
            return made

    def start_live(self, seller_id: str, orders_per_hour: float, *, marketplace_ids: Sequence[str] | None = None,
                   skus: Sequence[str] = DEMO_SKUS, mix: OrderMix | None = None, seed: int | None = None
                   ) -> LiveGenerator:
        """Place orders for the seller at random moments, `orders_per_hour` per simulated hour on average."""
        if orders_per_hour <= 0 or not skus:
            raise ValueError("orders_per_hour must be > 0 and there must be SKUs to order")
        with self.lock:
            now = self.catch_up()
            generator = LiveGenerator(seller_id, float(orders_per_hour),
                                      self._seller_marketplaces(seller_id, marketplace_ids), tuple(skus),
                                      mix or OrderMix(), random.Random(seed), now)
            generator.schedule_next()
            self._live[seller_id] = generator
            return generator

    def stop_live(self, seller_id: str) -> bool:
        with self.lock:
            self.catch_up()
            return self._live.pop(seller_id, None) is not None

    def live_generators(self) -> list[LiveGenerator]:
        with self.lock:
            self.catch_up()
            return list(self._live.values())

    def order(self, order_id: str) -> SimOrder:
        """Any order, visible to searchOrders yet or not."""
        return self._current(order_id)[0]

    def _current(self, order_id: str) -> tuple[SimOrder, datetime]:
        with self.lock:
            now = self.catch_up()
            if order_id not in self._orders:
                raise UnknownOrder(f"no order {order_id}")
            return self._orders[order_id], now

    def seller_orders(self, seller_id: str) -> list[SimOrder]:
        with self.lock:
            self.catch_up()
            return list(self._by_seller.get(seller_id, ()))

    def release(self, order_id: str) -> SimOrder:
        """Amazon releases a PENDING order: it becomes UNSHIPPED."""
        with self.lock:
            order, now = self._current(order_id)
            order.release(now)
            return order

    def cancel(self, order_id: str, requester: str = "BUYER", reason: str = "Buyer cancelled the order") -> SimOrder:
        with self.lock:
            order, now = self._current(order_id)
            order.cancel(now, requester, reason)
            return order

    def ship_elsewhere(self, order_id: str, carrier: str = "UPS", tracking_number: str | None = None) -> SimOrder:
        """The seller ships everything left from Seller Central, not through the connector."""
        with self.lock:
            order, now = self._current(order_id)
            order.ship_remaining(now, carrier, tracking_number or f"1Z{self._rng.randrange(10**16):016d}")
            return order

    def confirmations(self, order_id: str | None = None, accepted: bool | None = None) -> list[ConfirmationAttempt]:
        with self.lock:
            return [attempt for attempt in self.attempts
                    if (order_id is None or attempt.order_id == order_id)
                    and (accepted is None or attempt.accepted == accepted)]

    # What the Amazon endpoints use, holding `lock` after catch_up().
    def visible_order(self, seller_id: str, order_id: str, now: datetime) -> SimOrder | None:
        order = self._orders.get(order_id)
        if order is None or order.seller_id != seller_id or not order.visible(now):
            return None
        return order

    def visible_orders(self, seller_id: str, now: datetime) -> list[SimOrder]:
        return [order for order in self._by_seller.get(seller_id, ()) if order.visible(now)]
