"""Deriving an account's whole desired state again from what the cart last told us (after its rules, SKU mapping
or marketplaces change, and for Full resync), and releasing held rejections."""
from __future__ import annotations

from sqlalchemy import func, select, true, update

from ..accounts.models import AmazonAccount
from ..clock import utcnow
from ..extensions import db
from ..jobs.leases import held
from ..synclog.runs import sync_run
from .derive import Scope, desired_rows, lock_derivation, upsert_desired
from .kicks import request_push
from .models import HostItem, ListingState
from .notices import forget, note
from .settings import settings_for
from .sql import chunks

ITEMS_PER_STEP = 1000


def rederive(account_id: int, triggered_by: str = "rules") -> bool:
    """Derive every listing of the account again; listings no cart SKU maps to any more stop being pending.
    False when another rederive of the account is running (it will see the same changes)."""
    with held(f"stock-rederive:{account_id}") as lease:
        account = db.session.get(AmazonAccount, account_id)
        if lease is None or account is None:
            return False
        with sync_run("rederive", shop_id=account.shop_id, account_id=account_id, task="stock.rederive",
                      task_args=[account_id, triggered_by], triggered_by=triggered_by, lease=lease) as run:
            produced = _derive_all(account, run)
            detached = _detach_others(account, produced)
            settings_for(account_id).derived_marketplaces = list(account.marketplace_ids or [])
            run.count(changed=detached)
            run.run.summary = (f"Recalculated {len(produced)} listings from the cart's SKUs"
                               + (f"; {detached} listings no cart SKU maps to any more" if detached else "") + ".")
        request_push([account_id], triggered_by)
        db.session.commit()
        return True


def _derive_all(account: AmazonAccount, run) -> set[tuple[str, str]]:
    scope = Scope.load(account.shop_id, account.id)
    total = db.session.scalar(select(func.count()).where(HostItem.shop_id == account.shop_id))
    run.progress(0, total)
    produced: set[tuple[str, str]] = set()
    last_id, done, now = 0, 0, utcnow()
    while True:
        lock_derivation(account.shop_id)  # released by run.progress()'s commit at the end of each step
        items = db.session.scalars(select(HostItem).where(HostItem.shop_id == account.shop_id, HostItem.id > last_id)
                                   .order_by(HostItem.id).limit(ITEMS_PER_STEP)
                                   .execution_options(populate_existing=True)).all()
        if not items:
            return produced
        rows, notices = desired_rows(items, scope, now)
        note(account.shop_id, notices)
        upsert_desired(rows)
        produced.update((row["marketplace_id"], row["seller_sku"]) for row in rows)
        last_id, done = items[-1].id, done + len(items)
        run.count(seen=len(items))
        run.progress(done)


def _detach_others(account: AmazonAccount, produced: set[tuple[str, str]]) -> int:
    table = ListingState.__table__
    rows = db.session.execute(select(table.c.id, table.c.marketplace_id, table.c.seller_sku).where(
        table.c.account_id == account.id, table.c.host_sku.is_not(None))).all()
    orphans = [row.id for row in rows if (row.marketplace_id, row.seller_sku) not in produced]
    for batch in chunks(orphans):
        db.session.execute(update(table).where(table.c.id.in_(batch)).values(
            host_sku=None, quantity_pending=False, price_pending=False, pending=False, hold=None))
    return len(orphans)


def retry_rejected(account: AmazonAccount) -> int:
    """Send the held rejections again (after the seller fixed the listing in Seller Central)."""
    table = ListingState.__table__
    released = db.session.execute(update(table).where(
        table.c.account_id == account.id, table.c.hold.is_not(None), table.c.pending.is_(true())
    ).values(hold=None)).rowcount
    forget(account.id, "not_on_amazon")
    request_push([account.id], "push_now")
    db.session.commit()
    return released
