"""Which pending listings of an account may be sent now, and reserving them for a submission: the sent values are
taken from the desired state in the same statement that marks the rows in flight, so what the document carries is
exactly what the rows say was sent."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, case, false, func, null, or_, select, true, update

from ..accounts.models import AmazonAccount
from ..extensions import db
from .models import ListingState
from .policy import FEED_SIZE, QUIET, Backlog


@dataclass(frozen=True)
class Reserved:
    listing_id: int
    seller_sku: str
    quantity: int | None
    price: Decimal | None
    currency: str | None


def sendable(account: AmazonAccount):
    """Pending, not held, not in flight, and with a change in something this account syncs."""
    table = ListingState.__table__
    wanted = []
    if account.sync_stock:
        wanted.append(table.c.quantity_pending.is_(true()))
    if account.sync_prices:
        wanted.append(table.c.price_pending.is_(true()))
    return and_(table.c.account_id == account.id, table.c.pending.is_(true()), table.c.hold.is_(None),
                table.c.submission_id.is_(None), or_(*wanted) if wanted else false())


def backlogs(account: AmazonAccount, now: datetime) -> list[Backlog]:
    table = ListingState.__table__
    rows = db.session.execute(
        select(table.c.marketplace_id, func.count(), func.min(table.c.changed_at), func.max(table.c.changed_at))
        .where(sendable(account)).group_by(table.c.marketplace_id)
    ).all()
    result = []
    for marketplace_id, eligible, oldest, newest in rows:
        settled = 0
        if eligible >= FEED_SIZE:
            settled = db.session.scalar(select(func.count()).where(
                sendable(account), table.c.marketplace_id == marketplace_id, table.c.changed_at <= now - QUIET))
        result.append(Backlog(marketplace_id, eligible, oldest, newest, settled))
    return result


def reserve(account: AmazonAccount, marketplace_id: str, submission_id: int, limit: int,
            settled_before: datetime | None = None) -> list[Reserved]:
    """Mark up to `limit` sendable rows (oldest change first) as in flight in the submission."""
    table = ListingState.__table__
    chosen = select(table.c.id).where(sendable(account), table.c.marketplace_id == marketplace_id)
    if settled_before is not None:
        chosen = chosen.where(table.c.changed_at <= settled_before)
    chosen = chosen.order_by(table.c.changed_at, table.c.id).limit(limit)
    def when(flag, column, syncing: bool):
        return case((flag.is_(true()), column), else_=null()) if syncing else None

    rows = db.session.execute(
        update(table).where(table.c.id.in_(chosen.scalar_subquery()))
        .values(submission_id=submission_id,
                sent_quantity=when(table.c.quantity_pending, table.c.desired_quantity, account.sync_stock),
                sent_price=when(table.c.price_pending, table.c.desired_price, account.sync_prices),
                sent_currency=when(table.c.price_pending, table.c.desired_currency, account.sync_prices))
        .returning(table.c.id, table.c.seller_sku, table.c.sent_quantity, table.c.sent_price, table.c.sent_currency)
    ).all()
    return sorted((Reserved(*row) for row in rows), key=lambda r: r.listing_id)


def release(submission_id: int) -> int:
    """The submission will not tell us anything: its rows are pending again, as they were."""
    table = ListingState.__table__
    return db.session.execute(
        update(table).where(table.c.submission_id == submission_id)
        .values(submission_id=None, sent_quantity=None, sent_price=None, sent_currency=None)
    ).rowcount
