"""One card per Amazon account: token status, last order import, last stock push, pending changes and the problems
that wait for a person. Built from the summaries the orders and stock areas already compute for the account page."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select

from ..accounts.models import AmazonAccount
from ..accounts.operations import accounts_of
from ..accounts.status import AccountStatus, account_status
from ..extensions import db
from ..orders.models import CartState, Shipment, ShipmentState
from ..orders.panel import panel_for
from ..shops.models import Shop
from ..stock.models import ListingState
from ..stock.outcomes import NOT_FOUND_CODES
from ..stock.overview import overview
from ..synclog.models import SyncRun

EXAMPLE_SKUS = 3


@dataclass
class SkuProblems:
    """Amazon does not know these SKUs (create or map them) / rejected their values (read the reason)."""

    unknown: int = 0
    rejected: int = 0
    unknown_examples: list[str] = field(default_factory=list)
    rejected_examples: list[str] = field(default_factory=list)


@dataclass
class AccountCard:
    account: AmazonAccount
    status: AccountStatus
    last_import_at: datetime | None
    last_push: SyncRun | None
    pending_changes: int
    in_flight: int
    stock_paused: str | None
    orders_held: int
    orders_failed: int
    shipments_unconfirmed: int
    skus: SkuProblems

    @property
    def problems(self) -> int:
        """Everything on this card that waits for a person."""
        return (int(self.status.renewal_due) + self.orders_held + self.orders_failed + self.shipments_unconfirmed
                + self.skus.unknown + self.skus.rejected)


def card_for(account: AmazonAccount) -> AccountCard:
    orders = panel_for(account)
    stock = overview(account, recent=0)
    return AccountCard(
        account=account, status=account_status(account), last_import_at=orders.status.last_success_at,
        last_push=stock.last_push, pending_changes=stock.counts.pending, in_flight=stock.counts.in_flight,
        stock_paused=stock.paused, orders_held=orders.counts.get(CartState.HELD, 0),
        orders_failed=orders.counts.get(CartState.FAILED, 0),
        shipments_unconfirmed=_unconfirmed_shipments(account.id), skus=sku_problems(account.id),
    )


def cards_of(shop: Shop) -> list[AccountCard]:
    return [card_for(account) for account in accounts_of(shop)]


def _unconfirmed_shipments(account_id: int) -> int:
    # The condition of the orders panel's list (refused, or failed at least once and retrying), counted in full:
    # the panel's list stops at its first twenty.
    waiting = (Shipment.state == ShipmentState.REFUSED) | (
        (Shipment.state == ShipmentState.PENDING) & (Shipment.attempts > 0))
    return db.session.scalar(select(func.count()).select_from(Shipment).where(Shipment.account_id == account_id,
                                                                              waiting)) or 0


def sku_problems(account_id: int) -> SkuProblems:
    """The stock overview counts every SKU error; the dashboard tells the two causes apart because their fixes
    differ: an unknown SKU needs a listing or a mapping, a rejected one needs other values."""
    unknown = ListingState.error_code.in_(NOT_FOUND_CODES)
    unknown_count, errors = db.session.execute(
        select(func.coalesce(func.sum(case((unknown, 1), else_=0)), 0), func.count())
        .where(ListingState.account_id == account_id, ListingState.error_code.is_not(None))).one()
    problems = SkuProblems(unknown=int(unknown_count), rejected=int(errors) - int(unknown_count))
    if problems.unknown:
        problems.unknown_examples = _examples(account_id, unknown)
    if problems.rejected:
        problems.rejected_examples = _examples(account_id, ListingState.error_code.not_in(NOT_FOUND_CODES))
    return problems


def _examples(account_id: int, condition) -> list[str]:
    return list(db.session.scalars(
        select(ListingState.seller_sku).where(ListingState.account_id == account_id, condition)
        .order_by(ListingState.seller_sku).distinct().limit(EXAMPLE_SKUS)))
