"""What the order area keeps: per-account import settings and progress, every imported Amazon order with its cart
state, the shipments the cart reported, and the shop's carrier names mapped to Amazon's carrier codes."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import AmazonAccount
from ..clock import utcnow
from ..dbtypes import BigIntegerKey, UTCDateTime
from ..extensions import db

DEFAULT_STATUSES = ["UNSHIPPED", "PARTIALLY_SHIPPED"]
DEFAULT_INTERVAL_MINUTES = 15
DEFAULT_FIRST_IMPORT_DAYS = 7
DEFAULT_RECHECK_TIMEZONE = "Asia/Shanghai"


class CartState:
    """Where an imported order stands in the cart. The cart job works on WORK states whose next attempt is due."""

    PENDING = "pending"  # to be created (again, after a failed attempt, when attempts > 0)
    CREATING = "creating"  # an attempt started: the cart may have created it even if we never heard back
    CREATED = "created"
    HELD = "held"  # the cart does not know one of its SKUs; waits for Retry
    FAILED = "failed"  # the cart refused it; waits for a person
    CANCELLING = "cancelling"  # Amazon cancelled it: the cart order is to be cancelled
    CANCELLED = "cancelled"
    NOT_CREATED = "not_created"  # Amazon cancelled it before it reached the cart
    COMPLETING = "completing"  # shipped on Amazon outside the cart: the cart order is to be marked shipped
    COMPLETED = "completed"

    WORK = (PENDING, CREATING, CANCELLING, COMPLETING)
    ATTENTION = (HELD, FAILED)
    IN_CART = (CREATED, CANCELLING, CANCELLED, COMPLETING, COMPLETED)


class ShipmentState:
    PENDING = "pending"  # to be confirmed (again, after a failure, when attempts > 0)
    CONFIRMED = "confirmed"
    REFUSED = "refused"  # Amazon refused it; waits for a person to fix the cause and retry


class OrderImportSettings(db.Model):
    """What the shop owner chose for an account's import (on/off is the account's own import_orders switch)."""

    __tablename__ = "order_import_settings"

    account_id: Mapped[int] = mapped_column(ForeignKey("amazon_accounts.id", ondelete="CASCADE"), primary_key=True)
    statuses: Mapped[list[str]] = mapped_column(JSON, default=lambda: list(DEFAULT_STATUSES))
    interval_minutes: Mapped[int] = mapped_column(Integer, default=DEFAULT_INTERVAL_MINUTES)
    first_import_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_FIRST_IMPORT_DAYS)
    recheck_timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_RECHECK_TIMEZONE)
    unknown_sku_as_custom_line: Mapped[bool] = mapped_column(Boolean, default=False)
    # "Re-import from date": taken over by the next import run, which owns the progress below.
    reimport_from: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OrderImportState(db.Model):
    """How far an account's import got; written only by the import job holding the account's lease."""

    __tablename__ = "order_import_state"

    account_id: Mapped[int] = mapped_column(ForeignKey("amazon_accounts.id", ondelete="CASCADE"), primary_key=True)
    # Every order Amazon last updated before the cursor is stored (Amazon's lastUpdatedTime clock).
    cursor: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The search window in progress: lastUpdatedAfter, the lastUpdatedBefore Amazon chose, the next page's token.
    window_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_before: Mapped[datetime | None] = mapped_column(UTCDateTime)
    page_token: Mapped[str | None] = mapped_column(Text)
    window_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_pages: Mapped[int] = mapped_column(Integer, default=0)
    window_orders: Mapped[int] = mapped_column(Integer, default=0)
    resume_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # waiting for a searchOrders slot
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recheck_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recheck_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ImportedOrder(db.Model):
    """One Amazon order, imported exactly once per account, and what became of it in the cart."""

    __tablename__ = "imported_orders"
    __table_args__ = (
        UniqueConstraint("account_id", "amazon_order_id"),
        Index("ix_imported_orders_shop_state_due", "shop_id", "cart_state", "next_attempt_at"),
        Index("ix_imported_orders_shop_cart_order", "shop_id", "cart_order_id"),
        Index("ix_imported_orders_shop_amazon_order", "shop_id", "amazon_order_id"),
        Index("ix_imported_orders_account_status", "account_id", "amazon_status"),
    )

    id: Mapped[int] = mapped_column(BigIntegerKey, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("amazon_accounts.id", ondelete="CASCADE"))
    amazon_order_id: Mapped[str] = mapped_column(String(40))
    marketplace_id: Mapped[str] = mapped_column(String(20))
    amazon_status: Mapped[str] = mapped_column(String(30))
    purchased_at: Mapped[datetime] = mapped_column(UTCDateTime)
    amazon_updated_at: Mapped[datetime] = mapped_column(UTCDateTime)  # Amazon's lastUpdatedTime
    ship_by: Mapped[datetime | None] = mapped_column(UTCDateTime)  # latest ship-by date
    snapshot: Mapped[dict] = mapped_column(JSON)  # the order as Amazon last showed it
    cart_order_id: Mapped[str | None] = mapped_column(String(80))
    cart_order_number: Mapped[str | None] = mapped_column(String(80))  # what the shop owner sees, e.g. #1002
    cart_lines: Mapped[dict] = mapped_column(JSON, default=dict)  # cart line id -> Amazon orderItemId
    cart_state: Mapped[str] = mapped_column(String(20), default=CartState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_problem: Mapped[str | None] = mapped_column(Text)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cart_created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rechecked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    account: Mapped[AmazonAccount] = relationship()


class Shipment(db.Model):
    """A package the cart shipped, to be confirmed to Amazon once: unique per cart shipment of an order."""

    __tablename__ = "order_shipments"
    __table_args__ = (
        UniqueConstraint("order_id", "cart_key"),
        Index("ix_order_shipments_account_state_due", "account_id", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigIntegerKey, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("amazon_accounts.id", ondelete="CASCADE"))
    order_id: Mapped[int] = mapped_column(BigIntegerKey, ForeignKey("imported_orders.id", ondelete="CASCADE"))
    cart_key: Mapped[str] = mapped_column(String(160))  # the cart's shipment, e.g. "shopify-fulfillment:1069019878"
    package_reference: Mapped[str] = mapped_column(String(20))  # Amazon's packageReferenceId, 1, 2, ... per order
    items: Mapped[list[dict]] = mapped_column(JSON)  # [{"order_item_id", "sku", "quantity"}]
    carrier: Mapped[str] = mapped_column(String(120))  # as the cart named it
    tracking_number: Mapped[str] = mapped_column(String(120))
    shipping_method: Mapped[str | None] = mapped_column(String(120))
    shipped_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(20), default=ShipmentState.PENDING)
    carrier_code: Mapped[str | None] = mapped_column(String(60))  # what was sent to Amazon
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_problem: Mapped[str | None] = mapped_column(Text)
    amazon_request_id: Mapped[str | None] = mapped_column(String(80))
    webhook_delivery_id: Mapped[int | None] = mapped_column(BigIntegerKey)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    order: Mapped[ImportedOrder] = relationship()


class CarrierMapping(db.Model):
    """The shop's own entry in the carrier table: a carrier name as the cart writes it -> Amazon's carrier code."""

    __tablename__ = "carrier_mappings"
    __table_args__ = (UniqueConstraint("shop_id", "cart_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    cart_name: Mapped[str] = mapped_column(String(120))  # normalised: lower case, single spaces
    amazon_code: Mapped[str] = mapped_column(String(60))
    amazon_name: Mapped[str | None] = mapped_column(String(120))  # carrierName sent with code "Other"
