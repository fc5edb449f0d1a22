"""searchOrders (GET /orders/2026-01-01/orders): Amazon's parameter rules, real filtering, a stable order
(time, then orderId) and pagination over a frozen result set.

Without createdBefore / lastUpdatedBefore the search ends two minutes before now, and the response says where it
ended (`createdBefore` / `lastUpdatedBefore`), so a caller can continue from there next time.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from werkzeug.datastructures import MultiDict

from ..settings import SellerSpec
from .model import AMAZON, FULFILLMENT_STATUSES, MERCHANT, InvalidInput, SimOrder, stamp
from .pages import Snapshot
from .render import INCLUDED_DATA, amazon_order, iso
from .world import OrderWorld

SETTLE_TIME = timedelta(minutes=2)
MAX_MARKETPLACES = 50
MAX_PAGE_SIZE = 100


def _values(args: MultiDict, name: str) -> list[str]:
    """Array parameters arrive comma-separated (Amazon's style) or repeated; both are accepted."""
    return [value.strip() for raw in args.getlist(name) for value in raw.split(",") if value.strip()]


def _enum_values(args: MultiDict, name: str, allowed: Sequence[str]) -> tuple[str, ...]:
    values = _values(args, name)
    wrong = [value for value in values if value not in allowed]
    if wrong:
        raise InvalidInput(f"{name} has invalid values {', '.join(wrong)}; allowed: {', '.join(allowed)}.")
    return tuple(sorted(set(values)))


def parse_time(name: str, raw: str) -> datetime:
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"{name} must be an ISO 8601 date-time such as 2025-01-01T00:00:00Z, not {raw!r}.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def parse_included_data(args: MultiDict) -> tuple[str, ...]:
    return _enum_values(args, "includedData", INCLUDED_DATA)


@dataclass(frozen=True)
class OrderFilter:
    by: str  # "created" or "lastUpdated"
    after: datetime
    before: datetime | None
    statuses: tuple[str, ...]
    marketplace_ids: tuple[str, ...]
    fulfilled_by: tuple[str, ...]

    def time_of(self, order: SimOrder) -> datetime:
        return order.created if self.by == "created" else order.last_updated

    def matches(self, order: SimOrder, bound: datetime) -> bool:
        return (self.after <= self.time_of(order) <= bound
                and (not self.statuses or order.status in self.statuses)
                and (not self.marketplace_ids or order.marketplace_id in self.marketplace_ids)
                and (not self.fulfilled_by or order.fulfilled_by in self.fulfilled_by))


def parse_filter(args: MultiDict, seller: SellerSpec, now: datetime) -> OrderFilter:
    created_after, updated_after = args.get("createdAfter"), args.get("lastUpdatedAfter")
    if (created_after is None) == (updated_after is None):
        raise InvalidInput("Provide exactly one of createdAfter and lastUpdatedAfter.")
    if created_after is not None and "lastUpdatedBefore" in args:
        raise InvalidInput("lastUpdatedBefore cannot be combined with createdAfter; use createdBefore.")
    if updated_after is not None and "createdBefore" in args:
        raise InvalidInput("createdBefore cannot be combined with lastUpdatedAfter; use lastUpdatedBefore.")
    by = "created" if created_after is not None else "lastUpdated"
    after = parse_time(f"{by}After", args[f"{by}After"])
    before = parse_time(f"{by}Before", args[f"{by}Before"]) if f"{by}Before" in args else None
    if before is not None and before < after:
        raise InvalidInput(f"{by}Before must be equal to or after {by}After.")
    if before is not None and before > now - SETTLE_TIME:
        raise InvalidInput(f"{by}Before must be at least two minutes before the time of the request "
                           f"({iso(now - SETTLE_TIME)} or earlier).")
    marketplace_ids = tuple(sorted(set(_values(args, "marketplaceIds"))))
    if len(marketplace_ids) > MAX_MARKETPLACES:
        raise InvalidInput(f"marketplaceIds accepts at most {MAX_MARKETPLACES} values.")
    foreign = [marketplace_id for marketplace_id in marketplace_ids if marketplace_id not in seller.marketplace_ids]
    if foreign:
        raise InvalidInput(f"marketplaceIds {', '.join(foreign)} are not marketplaces of this seller "
                           f"({', '.join(seller.marketplace_ids)}).")
    return OrderFilter(by, after, before, _enum_values(args, "fulfillmentStatuses", FULFILLMENT_STATUSES),
                       marketplace_ids, _enum_values(args, "fulfilledBy", (MERCHANT, AMAZON)))


def parse_page_size(args: MultiDict) -> int:
    raw = args.get("maxResultsPerPage")
    if raw is None:
        return MAX_PAGE_SIZE
    if not raw.strip().isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise InvalidInput(f"maxResultsPerPage must be a whole number from 1 to {MAX_PAGE_SIZE}, not {raw!r}.")
    return int(raw)


def search_orders(world: OrderWorld, seller: SellerSpec, args: MultiDict) -> dict:
    """The SearchOrdersResponse for these query parameters; InvalidInput when Amazon would answer 400."""
    with world.lock:
        now = world.catch_up()
        order_filter = parse_filter(args, seller, now)
        page_size = parse_page_size(args)
        included = parse_included_data(args)
        token = args.get("paginationToken")
        if token is not None:
            page = world.pages.redeem(token, seller.selling_partner_id, order_filter, now)
            snapshot, offset = page.snapshot, page.offset
        else:
            bound = order_filter.before or stamp(now - SETTLE_TIME)
            found = [order for order in world.visible_orders(seller.selling_partner_id, now)
                     if order_filter.matches(order, bound)]
            found.sort(key=lambda order: (order_filter.time_of(order), order.order_id))
            snapshot = Snapshot(seller.selling_partner_id, order_filter,
                                tuple(order.order_id for order in found), bound)
            offset = 0
        ids = snapshot.order_ids[offset:offset + page_size]
        body: dict = {"orders": [amazon_order(world.order(order_id), included) for order_id in ids]}
        if offset + page_size < len(snapshot.order_ids):
            body["pagination"] = {"nextToken": world.pages.issue(snapshot, offset + page_size, now)}
        body[f"{order_filter.by}Before"] = iso(snapshot.bound)
        return body

