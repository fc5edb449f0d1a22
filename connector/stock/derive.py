"""From what the cart said to what each Amazon listing should show: for every account of the shop and each of its
marketplaces, apply the SKU mapping and the rules, store the result as desired state (one row per account,
marketplace and seller SKU), and mark it pending only where it differs from what Amazon last accepted."""
from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, false, or_, select

from ..accounts.models import AmazonAccount
from ..amazon.marketplaces import BY_ID
from ..clock import utcnow
from ..extensions import db
from .kicks import request_push
from .mapping import SELLER_SKU_MAX, UNMAPPED, Mappings, Target
from .models import DerivationLock, Hold, HostItem, ListingRules, ListingState, StockSettings
from .notices import Notice, note
from .prices import current_price
from .rules import Rules
from .sql import ROWS_PER_BULK_STATEMENT, among, bulk_execute, bulk_insert, chunks, dialect, insert


@dataclass
class Scope:
    """The accounts (and their rules and switches) desired state is derived for."""

    accounts: list[AmazonAccount]
    rules: dict[tuple[int, str], Rules]
    mapped_only: dict[int, bool]

    @classmethod
    def load(cls, shop_id: int, account_id: int | None = None) -> Scope:
        query = select(AmazonAccount).where(AmazonAccount.shop_id == shop_id).order_by(AmazonAccount.id)
        if account_id is not None:
            query = query.where(AmazonAccount.id == account_id)
        accounts = [a for a in db.session.scalars(query) if a.marketplace_ids]
        ids = [a.id for a in accounts]
        rows = {(r.account_id, r.marketplace_id): r for r in db.session.scalars(
            select(ListingRules).where(ListingRules.account_id.in_(ids)))} if ids else {}
        rules = {(a.id, m): Rules.of(rows.get((a.id, m)), m) for a in accounts for m in a.marketplace_ids
                 if m in BY_ID}
        mapped_only = dict(db.session.execute(
            select(StockSettings.account_id, StockSettings.mapped_only).where(StockSettings.account_id.in_(ids))
        ).all()) if ids else {}
        return cls(accounts, rules, mapped_only)


def lock_derivation(shop_id: int) -> None:
    """Serialize derivations of the shop until the caller's transaction ends. A write, so on SQLite the
    transaction holds the write lock before it reads anything; on PostgreSQL the row lock orders them."""
    statement = insert(DerivationLock).values(shop_id=shop_id, taken_at=utcnow())
    db.session.execute(statement.on_conflict_do_update(index_elements=["shop_id"],
                                                       set_={"taken_at": statement.excluded.taken_at}))


def derive(shop_id: int, skus: Iterable[str], now: datetime | None = None, scope: Scope | None = None) -> set[int]:
    """Derive desired state for these host SKUs (the caller holds lock_derivation); queue a push for accounts that
    got pending changes. Returns the accounts with pending changes."""
    now = now or utcnow()
    scope = scope or Scope.load(shop_id)
    if not scope.accounts:
        return set()
    pending: set[int] = set()
    for batch in chunks(sorted(set(skus)), ROWS_PER_BULK_STATEMENT):
        items = db.session.execute(select(HostItem.__table__).where(
            HostItem.shop_id == shop_id, among(HostItem.sku, batch))).all()  # rows, not ORM objects: read as is, fast
        pending |= derive_items(shop_id, items, scope, now)
    request_push(pending)
    return pending


def derive_items(shop_id: int, items: list[HostItem], scope: Scope, now: datetime) -> set[int]:
    rows, notices = desired_rows(items, scope, now)
    note(shop_id, notices)
    return upsert_desired(rows)


def desired_rows(items: list[HostItem], scope: Scope, now: datetime) -> tuple[list[dict], list[Notice]]:
    mappings = Mappings.load([a.id for a in scope.accounts], [item.sku for item in items])
    rows, notices = [], []
    for item in items:
        for account in scope.accounts:
            for marketplace_id in account.marketplace_ids:
                rules = scope.rules.get((account.id, marketplace_id))
                if rules is None:
                    continue
                target = mappings.target(account.id, marketplace_id, item.sku, scope.mapped_only.get(account.id, False))
                row = _desired_row(item, account, marketplace_id, target, rules, now, notices)
                if row is not None:
                    rows.append(row)
    return rows, notices


def _desired_row(item: HostItem, account: AmazonAccount, marketplace_id: str, target: Target | object | None,
                 rules: Rules, now: datetime, notices: list[Notice]) -> dict | None:
    if target is None:
        return None
    if target is UNMAPPED:
        notices.append(Notice("unmapped", item.sku, f"Cart SKU {item.sku} is not in the SKU mapping of "
                              f"{account.alias}, which sends only mapped SKUs: it is not sent to Amazon. Map it if "
                              "it is sold there.", account.id, level="info"))
        return None
    if len(target.seller_sku) > SELLER_SKU_MAX:
        notices.append(Notice("sku_too_long", target.seller_sku, f"SKU {target.seller_sku} is longer than Amazon's "
                              f"{SELLER_SKU_MAX} characters and cannot be a seller SKU: map it to the listing's "
                              f"seller SKU for {account.alias}.", account.id))
        return None
    price, problem = rules.price(current_price(item, now), item.currency)
    if problem:
        notices.append(Notice("price_problem", item.sku, f"The price of SKU {item.sku} is not sent to "
                              f"{account.alias} in {BY_ID[marketplace_id].country}: {problem}.", account.id,
                              marketplace_id))
    quantity = rules.quantity(item.quantity, item.in_stock, known=item.quantity_at is not None, deleted=item.deleted)
    quantity_pending = quantity is not None and not target.fba
    return {
        "account_id": account.id, "marketplace_id": marketplace_id, "seller_sku": target.seller_sku,
        "host_sku": item.sku, "desired_quantity": quantity, "desired_price": price,
        "desired_currency": rules.currency if price is not None else None, "fba": target.fba, "changed_at": now,
        "quantity_pending": quantity_pending, "price_pending": price is not None,
        "pending": quantity_pending or price is not None,
    }


def upsert_desired(rows: list[dict]) -> set[int]:
    """Store desired state; a row is touched only when something changed, and pending is recomputed against what
    Amazon last accepted. Returns the accounts with a pending row among those written."""
    unique = {(row["account_id"], row["marketplace_id"], row["seller_sku"]): row for row in rows}  # last one wins
    if not unique:
        return set()
    returned = bulk_execute(_desired_upsert(dialect()), DESIRED_COLUMNS, list(unique.values()))
    return {account_id for account_id, is_pending in returned if is_pending}


DESIRED_COLUMNS = ("account_id", "marketplace_id", "seller_sku", "host_sku", "desired_quantity", "desired_price",
                   "desired_currency", "fba", "changed_at", "quantity_pending", "price_pending", "pending")


@functools.cache
def _desired_upsert(dialect_name: str):
    table = ListingState.__table__
    statement = bulk_insert(dialect_name, table, DESIRED_COLUMNS)
    new = statement.excluded
    quantity_changed = new.desired_quantity.is_distinct_from(table.c.desired_quantity)
    price_changed = or_(new.desired_price.is_distinct_from(table.c.desired_price),
                        new.desired_currency.is_distinct_from(table.c.desired_currency))
    value_changed = or_(quantity_changed, price_changed)
    quantity_pending = and_(new.desired_quantity.is_not(None), new.fba.is_(false()), table.c.amazon_fba.is_(false()),
                            new.desired_quantity.is_distinct_from(table.c.accepted_quantity))
    price_pending = and_(new.desired_price.is_not(None),
                         or_(new.desired_price.is_distinct_from(table.c.accepted_price),
                             new.desired_currency.is_distinct_from(table.c.accepted_currency)))
    return statement.on_conflict_do_update(
        index_elements=["account_id", "marketplace_id", "seller_sku"],
        set_={
            "host_sku": new.host_sku, "desired_quantity": new.desired_quantity, "desired_price": new.desired_price,
            "desired_currency": new.desired_currency, "fba": new.fba,
            "changed_at": case((value_changed, new.changed_at), else_=table.c.changed_at),
            "hold": case((and_(value_changed, table.c.hold == Hold.VALUES), None), else_=table.c.hold),
            "quantity_pending": quantity_pending, "price_pending": price_pending,
            "pending": or_(quantity_pending, price_pending),
        },
        where=or_(value_changed, new.fba.is_distinct_from(table.c.fba),
                  new.host_sku.is_distinct_from(table.c.host_sku)),
    ).returning(table.c.account_id, table.c.pending)
