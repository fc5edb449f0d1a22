"""Listings that tests, demos and benchmarks put on Amazon's side, one by one or in bulk ("100,000 SKUs with prefix
P, some FBA"). Bad input raises ValueError with a message fit for a 400 answer."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from ..amazon.marketplaces import BY_ID
from .listings import MERCHANT_FULFILLED, Listing, fba_channel

MAX_BULK = 1_000_000


@dataclass(frozen=True)
class BulkSeed:
    count: int
    prefix: str = "SKU-"
    start: int = 1
    digits: int = 6
    quantity: int = 0
    price: Decimal = Decimal("10.00")
    fba_every: int = 0  # every n-th SKU is fulfilled by Amazon; 0 for none
    product_type: str = "PRODUCT"

    @classmethod
    def from_json(cls, body: object) -> BulkSeed:
        if not isinstance(body, Mapping):
            raise ValueError("bulk must be an object")
        count = _integer(body.get("count"), "count", minimum=1)
        if count > MAX_BULK:
            raise ValueError(f"count must be at most {MAX_BULK}")
        price = _price(body.get("price", "10.00"))
        return cls(count=count, prefix=str(body.get("prefix", "SKU-")),
                   start=_integer(body.get("start", 1), "start", minimum=0),
                   digits=_integer(body.get("digits", 6), "digits", minimum=1),
                   quantity=_integer(body.get("quantity", 0), "quantity", minimum=0),
                   price=price if price is not None else Decimal("10.00"),
                   fba_every=_integer(body.get("fba_every", 0), "fba_every", minimum=0),
                   product_type=str(body.get("product_type", "PRODUCT")))

    def sku(self, number: int) -> str:
        return f"{self.prefix}{number:0{self.digits}d}"

    def listings(self, marketplace_id: str, now: datetime) -> list[Listing]:
        currency = BY_ID[marketplace_id].currency
        fba = fba_channel(marketplace_id)
        return [
            Listing(self.sku(number), self.product_type, self.quantity, self.price, currency, now, now,
                    fba if self.fba_every and (number - self.start + 1) % self.fba_every == 0 else MERCHANT_FULFILLED)
            for number in range(self.start, self.start + self.count)
        ]


def listing_from_json(spec: Mapping, marketplace_id: str, now: datetime) -> Listing:
    """{"sku", "quantity"?, "price"?, "currency"?, "product_type"?, "fulfillment_channel"?} as Amazon would hold it."""
    if not isinstance(spec, Mapping):
        raise ValueError("each listing must be an object")
    sku = spec.get("sku")
    if not isinstance(sku, str) or not sku:
        raise ValueError("each listing needs a non-empty sku")
    channel = str(spec.get("fulfillment_channel", MERCHANT_FULFILLED))
    if channel != MERCHANT_FULFILLED and not channel.startswith("AMAZON_"):
        raise ValueError(f"fulfillment_channel must be DEFAULT or an AMAZON_* code, not {channel!r}")
    quantity = spec.get("quantity")
    return Listing(sku=sku, product_type=str(spec.get("product_type", "PRODUCT")),
                   quantity=None if quantity is None else _integer(quantity, "quantity", minimum=0),
                   price=_price(spec.get("price")), currency=str(spec.get("currency", BY_ID[marketplace_id].currency)),
                   created=now, updated=now, fulfillment_channel=channel)


def marketplace(marketplace_id: object) -> str:
    if marketplace_id not in BY_ID:
        raise ValueError(f"unknown marketplace_id {marketplace_id!r}")
    return str(marketplace_id)


def _integer(value: object, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer of at least {minimum}")
    return value


def _price(value: object) -> Decimal | None:
    if value is None:
        return None
    try:
        price = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"price must be a number, not {value!r}") from None
    if isinstance(value, bool) or not price.is_finite() or price <= 0:
        raise ValueError(f"price must be a positive number, not {value!r}")
    return price
