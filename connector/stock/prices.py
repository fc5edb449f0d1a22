"""The price the cart sells at right now: a scheduled sale price counts between its start and end."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from .hosts.facts import PriceFact
from .models import HostItem


def sale_running(sale_from: datetime | None, sale_to: datetime | None, now: datetime) -> bool:
    return (sale_from is None or sale_from <= now) and (sale_to is None or now < sale_to)


def current_price(item: HostItem, now: datetime) -> Decimal | None:
    if item.sale_price is not None and sale_running(item.sale_from, item.sale_to, now):
        return item.sale_price
    return item.regular_price


def next_price_change(price: PriceFact, now: datetime) -> datetime | None:
    """When a scheduled sale starts or ends next, so the price is derived again at that moment."""
    if price.sale is None:
        return None
    return min((moment for moment in (price.sale_from, price.sale_to) if moment is not None and moment > now),
               default=None)
