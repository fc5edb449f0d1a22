"""Which Amazon seller SKU a cart SKU updates, per account and marketplace. By default the same SKU; a mapping row
names another one, excludes the SKU, or marks it fulfilled by Amazon."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import or_, select

from ..extensions import db
from .models import ALL_MARKETPLACES, SkuMapping
from .sql import among

SELLER_SKU_MAX = 40  # Amazon's limit on seller SKUs


@dataclass(frozen=True)
class Target:
    seller_sku: str
    fba: bool = False


class Unmapped:
    """The account sends only SKUs listed in its mapping table, and this one is not."""


UNMAPPED = Unmapped()


class Mappings:
    def __init__(self, rows: Iterable[SkuMapping]) -> None:
        self._rows: dict[tuple[int, str, str], SkuMapping] = {}
        self._claimed: set[tuple[int, str, str]] = set()  # (account, marketplace or *, seller SKU) named by a row
        for row in rows:
            self._rows[(row.account_id, row.marketplace_id, row.host_sku)] = row
            if not row.excluded and row.seller_sku:
                self._claimed.add((row.account_id, row.marketplace_id, row.seller_sku))

    @classmethod
    def load(cls, account_ids: list[int], skus: list[str]) -> Mappings:
        """The rows that matter for these host SKUs: theirs, and those naming them as another SKU's target."""
        if not account_ids or not skus:
            return cls([])
        return cls(db.session.scalars(select(SkuMapping).where(
            SkuMapping.account_id.in_(account_ids),
            or_(among(SkuMapping.host_sku, skus), among(SkuMapping.seller_sku, skus)),
        )))

    def target(self, account_id: int, marketplace_id: str, host_sku: str,
               mapped_only: bool) -> Target | Unmapped | None:
        """The listing the SKU updates; None when it is excluded or another mapping owns that seller SKU."""
        row = self._rows.get((account_id, marketplace_id, host_sku)) or \
            self._rows.get((account_id, ALL_MARKETPLACES, host_sku))
        if row is not None:
            return None if row.excluded or not row.seller_sku else Target(row.seller_sku, row.fba)
        if mapped_only:
            return UNMAPPED
        if (account_id, marketplace_id, host_sku) in self._claimed or \
                (account_id, ALL_MARKETPLACES, host_sku) in self._claimed:
            return None  # a mapping sends another cart SKU to this listing; the same-named cart SKU stays out
        return Target(host_sku)
