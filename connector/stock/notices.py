"""SKU problems logged once per SKU (and account and marketplace), not on every webhook that repeats them."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete

from ..extensions import db
from ..synclog.operations import record
from .models import SkuNotice
from .sql import chunks, insert

LOG_KIND = "stock_sync"


@dataclass(frozen=True)
class Notice:
    kind: str  # no_sku, unknown_inventory_item, unmapped, sku_too_long, currency, not_on_amazon, …
    sku: str
    message: str
    account_id: int = 0
    marketplace_id: str = ""
    level: str = "warning"


def note(shop_id: int, notices: Iterable[Notice]) -> int:
    """Log the notices not logged before (inside the caller's transaction); returns how many were new."""
    unique = {(n.account_id, n.marketplace_id, n.kind, n.sku[:200]): n for n in notices}
    logged = 0
    for batch in chunks(unique.items()):
        statement = insert(SkuNotice).values([
            {"shop_id": shop_id, "account_id": account_id, "marketplace_id": marketplace_id, "kind": kind, "sku": sku}
            for (account_id, marketplace_id, kind, sku), _ in batch
        ]).on_conflict_do_nothing().returning(SkuNotice.account_id, SkuNotice.marketplace_id, SkuNotice.kind,
                                              SkuNotice.sku)
        for key in db.session.execute(statement).all():
            notice = unique[tuple(key)]
            record(notice.level, LOG_KIND, notice.message, shop_id=shop_id, account_id=notice.account_id or None,
                   sku=notice.sku[:100], commit=False)
            logged += 1
    return logged


def forget(account_id: int, kind: str) -> None:
    """The problem was dealt with (the seller pressed Retry): log it again if it comes back."""
    db.session.execute(delete(SkuNotice).where(SkuNotice.account_id == account_id, SkuNotice.kind == kind))
