"""The parts of an Amazon order every cart needs, in plain values: names, address, lines, money."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ...amazon.marketplaces import BY_ID
from ..amazon_orders import AmazonItem, AmazonOrder


def split_name(name: str) -> tuple[str, str]:
    """Carts want first and last names; Amazon gives one name."""
    parts = name.strip().rsplit(" ", 1)
    return (parts[0], parts[1]) if len(parts) == 2 else (parts[0], "")


def amount(value: Decimal) -> str:
    return f"{value:.2f}"


def line_total(item: AmazonItem) -> Decimal:
    return (item.unit_price or Decimal(0)) * item.quantity


def marketplace_label(marketplace_id: str) -> str:
    marketplace = BY_ID.get(marketplace_id)
    return f"Amazon {marketplace.country}" if marketplace else f"Amazon {marketplace_id}"


@dataclass(frozen=True)
class Address:
    first_name: str
    last_name: str
    company: str
    line1: str
    line2: str
    city: str
    region: str
    postal_code: str
    country: str
    phone: str

    @classmethod
    def of(cls, order: AmazonOrder) -> Address:
        address = order.address
        first, last = split_name(order.buyer_name)
        line2 = " ".join(part for part in (address.get("addressLine2"), address.get("addressLine3")) if part)
        return cls(first, last, address.get("companyName") or "", address.get("addressLine1") or "", line2,
                   address.get("city") or "", address.get("stateOrRegion") or "", address.get("postalCode") or "",
                   address.get("countryCode") or "", address.get("phone") or "")
