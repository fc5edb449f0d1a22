"""Amazon's side of each seller's listings: per marketplace and SKU, the quantity, price and fulfillment channel
Amazon ended up with, plus a log of every change a feed message or a patch applied (to check exactly-once)."""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from ..amazon.marketplaces import BY_ID
from .settings import DEMO_SELLERS

MERCHANT_FULFILLED = "DEFAULT"
DEMO_CATALOG_SIZE = 36
DEMO_FBA_SKUS = 4  # the last few demo SKUs are fulfilled by Amazon
# Amazon's fulfillment channel codes for FBA stock, by marketplace country, then by region.
FBA_CHANNEL_BY_COUNTRY = {"JP": "AMAZON_JP", "AU": "AMAZON_AU", "IN": "AMAZON_IN"}
FBA_CHANNEL_BY_REGION = {"NA": "AMAZON_NA", "EU": "AMAZON_EU", "FE": "AMAZON_JP"}


def fba_channel(marketplace_id: str) -> str:
    marketplace = BY_ID[marketplace_id]
    return FBA_CHANNEL_BY_COUNTRY.get(marketplace.country, FBA_CHANNEL_BY_REGION[marketplace.region])


def price_text(price: Decimal | None) -> str | None:
    return None if price is None else f"{price:.2f}"


@dataclass(slots=True)
class Listing:
    sku: str
    product_type: str
    quantity: int | None
    price: Decimal | None
    currency: str
    created: datetime
    updated: datetime
    fulfillment_channel: str = MERCHANT_FULFILLED
    availability_extras: dict = field(default_factory=dict)  # e.g. lead_time_to_ship_max_days, restock_date
    extra_attributes: dict = field(default_factory=dict)  # other top-level attributes, kept as submitted

    @property
    def is_fba(self) -> bool:
        return self.fulfillment_channel != MERCHANT_FULFILLED

    @property
    def asin(self) -> str:
        return "B0" + hashlib.sha1(self.sku.encode()).hexdigest()[:8].upper()

    def as_dict(self) -> dict:
        return {"sku": self.sku, "product_type": self.product_type, "quantity": self.quantity,
                "price": price_text(self.price), "currency": self.currency,
                "fulfillment_channel": self.fulfillment_channel, "updated": self.updated.isoformat()}


@dataclass(frozen=True)
class Application:
    """One change Amazon applied: `source` is "feed:<feedId>" or "listings-api:<submissionId>"."""
    source: str
    selling_partner_id: str
    marketplace_id: str
    sku: str
    message_id: int | None
    changes: dict
    at: datetime

    def as_dict(self) -> dict:
        return {"source": self.source, "selling_partner_id": self.selling_partner_id,
                "marketplace_id": self.marketplace_id, "sku": self.sku, "message_id": self.message_id,
                "changes": self.changes, "at": self.at.isoformat()}


def checksum(rows: Iterable[tuple[str, int | None, Decimal | float | str | None]]) -> str:
    """A digest of (sku, quantity, price) rows, order-independent, so a benchmark can compare 100,000 final values
    with what it expected in one string. Prices count to the cent."""
    lines = sorted(f"{sku}\t{'' if quantity is None else quantity}\t{price_text(_decimal(price)) or ''}\n"
                   for sku, quantity, price in rows)
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode())
    return digest.hexdigest()


def _decimal(price: Decimal | float | str | None) -> Decimal | None:
    return None if price is None else Decimal(str(price))


class ListingsStore:
    """Thread-safe: every read and write holds `lock`; feed processing holds it across a whole feed."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._catalogs: dict[tuple[str, str], dict[str, Listing]] = {}
        self._applied: list[Application] = []

    def reset(self, now: datetime) -> None:
        """Forget everything, then give the demo sellers their demo catalog (DEMO-SKU-001…)."""
        with self.lock:
            self._catalogs.clear()
            self._applied.clear()
            for seller in DEMO_SELLERS:
                for marketplace_id in seller.marketplace_ids:
                    self.put_many(seller.selling_partner_id, marketplace_id, _demo_catalog(marketplace_id, now))

    def catalog(self, selling_partner_id: str, marketplace_id: str) -> dict[str, Listing]:
        """The live SKU -> Listing map; hold `lock` while using it."""
        with self.lock:
            return self._catalogs.setdefault((selling_partner_id, marketplace_id), {})

    def put_many(self, selling_partner_id: str, marketplace_id: str, listings: Iterable[Listing]) -> int:
        with self.lock:
            catalog = self.catalog(selling_partner_id, marketplace_id)
            before = len(catalog)
            catalog.update((listing.sku, listing) for listing in listings)
            return len(catalog) - before

    def get(self, selling_partner_id: str, marketplace_id: str, sku: str) -> dict | None:
        with self.lock:
            listing = self._catalogs.get((selling_partner_id, marketplace_id), {}).get(sku)
            return None if listing is None else listing.as_dict()

    def page(self, selling_partner_id: str, marketplace_id: str, prefix: str = "", offset: int = 0,
             limit: int = 1000) -> tuple[int, list[dict]]:
        """(how many SKUs match, the requested slice of them in SKU order)."""
        with self.lock:
            catalog = self._catalogs.get((selling_partner_id, marketplace_id), {})
            matching = sorted(sku for sku in catalog if sku.startswith(prefix))
            return len(matching), [catalog[sku].as_dict() for sku in matching[offset:offset + limit]]

    def summary(self, selling_partner_id: str, marketplace_id: str, prefix: str = "") -> dict:
        with self.lock:
            listings = [listing for sku, listing in self._catalogs.get((selling_partner_id, marketplace_id), {}).items()
                        if sku.startswith(prefix)]
            return {
                "count": len(listings),
                "fba": sum(1 for listing in listings if listing.is_fba),
                "total_quantity": sum(listing.quantity or 0 for listing in listings),
                "checksum": checksum((listing.sku, listing.quantity, listing.price) for listing in listings),
            }

    def clear(self, selling_partner_id: str, marketplace_id: str | None = None) -> None:
        with self.lock:
            for key in [key for key in self._catalogs
                        if key[0] == selling_partner_id and marketplace_id in (None, key[1])]:
                del self._catalogs[key]

    def record(self, applications: Iterable[Application]) -> None:
        with self.lock:
            self._applied.extend(applications)

    def applications(self, source: str | None = None, selling_partner_id: str | None = None,
                     sku: str | None = None) -> list[Application]:
        with self.lock:
            return [a for a in self._applied if source in (None, a.source)
                    and selling_partner_id in (None, a.selling_partner_id) and sku in (None, a.sku)]


def _demo_catalog(marketplace_id: str, now: datetime) -> list[Listing]:
    currency = BY_ID[marketplace_id].currency
    listings = []
    for number in range(1, DEMO_CATALOG_SIZE + 1):
        fba = number > DEMO_CATALOG_SIZE - DEMO_FBA_SKUS
        listings.append(Listing(
            sku=f"DEMO-SKU-{number:03d}", product_type="PRODUCT", quantity=(number * 7) % 50,
            price=Decimal(f"{9 + number}.99"), currency=currency, created=now, updated=now,
            fulfillment_channel=fba_channel(marketplace_id) if fba else MERCHANT_FULFILLED,
            extra_attributes={"item_name": [{"value": f"Demo product {number}", "marketplace_id": marketplace_id}]},
        ))
    return listings
