"""Once a minute: find stock work whose job never came (a message lost with a killed consumer, an account renewed
after it expired, a feed result not checked, a scheduled sale starting) and queue it. Every job it queues looks at
the database to see what is still to do, so queueing one too many costs nothing."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, exists, select

from ..accounts.models import AmazonAccount
from ..clock import utcnow
from ..extensions import db
from ..jobs.registry import enqueue
from .derive import derive, lock_derivation
from .hosts.facts import PriceFact
from .models import HostItem, ItemLookup, ListingState, PushKick, StockSettings, Submission, SubmissionStatus
from .prices import next_price_change

STALE_KICK = timedelta(minutes=2)


def sweep(now: datetime | None = None) -> dict[str, list[int]]:
    now = now or utcnow()
    return {
        "rederive": _rederive_where_needed(),
        "push": _push_where_pending(now),
        "check": _check_due_feeds(now),
        "sales": _derive_price_changes(now),
        "lookups": _look_up_due_items(now),
    }


def _rederive_where_needed() -> list[int]:
    accounts = db.session.execute(
        select(AmazonAccount.id, AmazonAccount.marketplace_ids, StockSettings.derived_marketplaces)
        .outerjoin(StockSettings, StockSettings.account_id == AmazonAccount.id)
        .where(exists().where(HostItem.shop_id == AmazonAccount.shop_id))
    ).all()
    stale = [account_id for account_id, marketplaces, derived in accounts if list(marketplaces or []) != derived]
    for account_id in stale:
        enqueue("stock.rederive", account_id, "marketplaces")
    return stale


def _push_where_pending(now: datetime) -> list[int]:
    """Accounts with pending changes and no push queued (or one queued long ago whose message was lost)."""
    db.session.execute(delete(PushKick).where(PushKick.queued_at < now - STALE_KICK))
    listings = ListingState.__table__
    accounts = list(db.session.scalars(
        select(listings.c.account_id).distinct()
        .where(listings.c.pending.is_(True), listings.c.hold.is_(None), listings.c.submission_id.is_(None),
               ~exists().where(PushKick.account_id == listings.c.account_id))
    ))
    db.session.commit()
    for account_id in accounts:
        enqueue("stock.push", account_id, "sweep")
    return accounts


def _check_due_feeds(now: datetime) -> list[int]:
    accounts = list(db.session.scalars(select(Submission.account_id).distinct().where(
        Submission.kind == "feed", Submission.status.in_((SubmissionStatus.IN_QUEUE, SubmissionStatus.IN_PROGRESS)),
        Submission.next_check_at <= now)))
    for account_id in accounts:
        enqueue("stock.check_feeds", account_id, "sweep")
    return accounts


def _derive_price_changes(now: datetime) -> list[int]:
    """A scheduled sale started or ended: the price Amazon shows follows."""
    shops = list(db.session.scalars(select(HostItem.shop_id).distinct().where(HostItem.price_changes_at <= now)))
    for shop_id in shops:
        lock_derivation(shop_id)
        due = db.session.scalars(select(HostItem).where(HostItem.shop_id == shop_id, HostItem.price_changes_at <= now)
                                 .execution_options(populate_existing=True)).all()
        for item in due:
            price = PriceFact(item.regular_price, item.price_at, item.sale_price, item.sale_from, item.sale_to)
            item.price_changes_at = next_price_change(price, now)
        derive(shop_id, {item.sku for item in due}, now)
        db.session.commit()
    return shops


def _look_up_due_items(now: datetime) -> list[int]:
    shops = list(db.session.scalars(select(ItemLookup.shop_id).distinct().where(
        ItemLookup.status == "pending", ItemLookup.next_attempt_at <= now)))
    for shop_id in shops:
        enqueue("stock.look_up_items", shop_id, "sweep")
    return shops
