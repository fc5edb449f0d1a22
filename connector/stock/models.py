"""What stock and price sync keeps: what the cart last told us per host SKU, what each Amazon listing should show
(desired state) next to what Amazon last accepted, the per-account rules and SKU mappings, and every submission
(feed or patch) with each SKU's outcome, so support can follow one SKU's story."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from ..dbtypes import BigIntegerKey, UTCDateTime
from ..extensions import db

ALL_MARKETPLACES = "*"  # a SKU mapping that applies in every marketplace of the account


class HostItem(db.Model):
    """The cart's last word on one of its SKUs. Quantity and price carry the host's own modification times, so an
    event older than what we hold never overwrites it (quantity and price can arrive in separate events)."""

    __tablename__ = "stock_host_items"
    __table_args__ = (
        UniqueConstraint("shop_id", "sku"),
        Index("ix_stock_host_items_product", "shop_id", "product_id"),
        Index("ix_stock_host_items_parent", "shop_id", "parent_id"),
        Index("ix_stock_host_items_inventory_item", "shop_id", "inventory_item_id"),
    )

    id: Mapped[int] = mapped_column(BigIntegerKey, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(200))
    product_id: Mapped[str | None] = mapped_column(String(40))  # WooCommerce product/variation, Shopify variant
    parent_id: Mapped[str | None] = mapped_column(String(40))  # WooCommerce variable product of a variation
    inventory_item_id: Mapped[str | None] = mapped_column(String(40))  # Shopify
    # Quantity: None with a quantity_at means the cart does not count this product's stock (then in_stock says
    # whether it sells); no quantity_at means the cart never told us.
    quantity: Mapped[int | None] = mapped_column(Integer)
    in_stock: Mapped[bool] = mapped_column(Boolean, default=True)
    inherits_parent_stock: Mapped[bool] = mapped_column(Boolean, default=False)
    quantity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    regular_price: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    sale_price: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    sale_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sale_to: Mapped[datetime | None] = mapped_column(UTCDateTime)
    currency: Mapped[str | None] = mapped_column(String(3))
    price_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # latest host time the product was said to exist
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The next start or end of a scheduled sale: the price is derived again then.
    price_changes_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DerivationLock(db.Model):
    """Taken (by writing it) at the start of every transaction that derives desired state for a shop: the drain,
    a rederive step, a SKU lookup, a sale starting. Without it a derivation that read the cart's values before
    another one committed newer values could overwrite their result."""

    __tablename__ = "stock_derivation_locks"

    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InventoryLevel(db.Model):
    """Shopify: what one location has available of one inventory item; the SKU's quantity is their sum."""

    __tablename__ = "stock_inventory_levels"

    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True)
    inventory_item_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    location_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    available: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)  # Shopify's time


class ItemLookup(db.Model):
    """Shopify inventory items whose SKU we do not know yet: a job asks the Admin API."""

    __tablename__ = "stock_item_lookups"

    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True)
    inventory_item_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending, not_found
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    problem: Mapped[str | None] = mapped_column(Text)


class StockSettings(db.Model):
    """Per account: the switches of stock and price sync and what the push job last decided."""

    __tablename__ = "stock_account_settings"

    account_id: Mapped[int] = mapped_column(ForeignKey("amazon_accounts.id", ondelete="CASCADE"), primary_key=True)
    auto_submit: Mapped[bool] = mapped_column(Boolean, default=True)
    mapped_only: Mapped[bool] = mapped_column(Boolean, default=False)  # only SKUs listed in the mapping table
    derived_marketplaces: Mapped[list[str] | None] = mapped_column(JSON)  # what desired state was derived for
    next_push_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    check_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a feed-result check is queued for then
    waiting_for: Mapped[str | None] = mapped_column(String(200))
    failures: Mapped[int] = mapped_column(Integer, default=0)  # submissions in a row that failed as a whole
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PushKick(db.Model):
    """"A push job is queued for this account": set with the change, cleared when the job starts, so a burst of
    webhooks queues one job."""

    __tablename__ = "stock_push_kicks"

    account_id: Mapped[int] = mapped_column(ForeignKey("amazon_accounts.id", ondelete="CASCADE"), primary_key=True)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ListingRules(db.Model):
    """How cart values become Amazon values in one marketplace of one account."""

    __tablename__ = "stock_rules"
    __table_args__ = (UniqueConstraint("account_id", "marketplace_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("amazon_accounts.id", ondelete="CASCADE"))
    marketplace_id: Mapped[str] = mapped_column(String(20))
    stock_buffer: Mapped[int] = mapped_column(Integer, default=0)
    max_quantity: Mapped[int | None] = mapped_column(Integer)
    out_of_stock_threshold: Mapped[int] = mapped_column(Integer, default=0)
    untracked_quantity: Mapped[int | None] = mapped_column(Integer)
    markup_percent: Mapped[Decimal] = mapped_column(Numeric(7, 2), default=Decimal("0"))
    markup_fixed: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    price_ending: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    exchange_rate: Mapped[Decimal | None] = mapped_column(Numeric(14, 6))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SkuMapping(db.Model):
    """An exception to "the host SKU is the Amazon seller SKU": another seller SKU, or excluded."""

    __tablename__ = "stock_sku_mappings"
    __table_args__ = (
        UniqueConstraint("account_id", "marketplace_id", "host_sku"),
        Index("ix_stock_sku_mappings_seller_sku", "account_id", "seller_sku"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("amazon_accounts.id", ondelete="CASCADE"))
    marketplace_id: Mapped[str] = mapped_column(String(20), default=ALL_MARKETPLACES)
    host_sku: Mapped[str] = mapped_column(String(200))
    seller_sku: Mapped[str | None] = mapped_column(String(200))  # None when excluded
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    fba: Mapped[bool] = mapped_column(Boolean, default=False)  # fulfilled by Amazon: quantities are never sent
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Hold:
    """Why a pending listing is not sent."""

    VALUES = "values"  # Amazon rejected exactly these values: sent again once they change
    RETRY = "retry"  # Amazon does not know the SKU: sent again only after Retry, a mapping change or Full resync


class ListingState(db.Model):
    """One seller SKU in one marketplace of one account: what it should show, what Amazon last accepted, and
    whether a change is pending, in flight (submission_id) or held after a rejection."""

    __tablename__ = "stock_listings"
    __table_args__ = (
        UniqueConstraint("account_id", "marketplace_id", "seller_sku"),
        Index("ix_stock_listings_pending", "account_id", "pending", "marketplace_id", "changed_at"),
        Index("ix_stock_listings_host_sku", "account_id", "host_sku"),
    )

    id: Mapped[int] = mapped_column(BigIntegerKey, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("amazon_accounts.id", ondelete="CASCADE"))
    marketplace_id: Mapped[str] = mapped_column(String(20))
    seller_sku: Mapped[str] = mapped_column(String(200))
    host_sku: Mapped[str | None] = mapped_column(String(200))  # None once no cart SKU maps here any more
    desired_quantity: Mapped[int | None] = mapped_column(Integer)
    desired_price: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    desired_currency: Mapped[str | None] = mapped_column(String(3))
    fba: Mapped[bool] = mapped_column(Boolean, default=False)  # declared in the SKU mapping
    amazon_fba: Mapped[bool] = mapped_column(Boolean, default=False)  # Amazon refused a quantity: it is FBA
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_quantity: Mapped[int | None] = mapped_column(Integer)
    accepted_price: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    accepted_currency: Mapped[str | None] = mapped_column(String(3))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    quantity_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    price_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    pending: Mapped[bool] = mapped_column(Boolean, default=False)
    hold: Mapped[str | None] = mapped_column(String(10))
    error_code: Mapped[str | None] = mapped_column(String(80))
    error_message: Mapped[str | None] = mapped_column(Text)
    error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error_submission_id: Mapped[int | None] = mapped_column(BigInteger)
    submission_id: Mapped[int | None] = mapped_column(BigInteger, index=True)  # in flight in this submission
    sent_quantity: Mapped[int | None] = mapped_column(Integer)
    sent_price: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    sent_currency: Mapped[str | None] = mapped_column(String(3))


class SubmissionStatus:
    PREPARING = "preparing"  # rows are reserved; Amazon not called yet, or createFeed never answered
    IN_QUEUE = "IN_QUEUE"
    IN_PROGRESS = "IN_PROGRESS"
    DONE = "DONE"
    FATAL = "FATAL"
    CANCELLED = "CANCELLED"
    FAILED = "failed"  # never reached Amazon (or Amazon refused the submission itself)
    ABANDONED = "abandoned"  # Amazon never finished it; its SKUs were sent again

    OPEN = (PREPARING, IN_QUEUE, IN_PROGRESS)


class Submission(db.Model):
    """One JSON_LISTINGS_FEED, or one round of patchListingsItem calls, for one marketplace."""

    __tablename__ = "stock_submissions"
    __table_args__ = (
        Index("ix_stock_submissions_account", "account_id", "id"),
        Index("ix_stock_submissions_open", "status", "next_check_at"),
    )

    id: Mapped[int] = mapped_column(BigIntegerKey, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("amazon_accounts.id", ondelete="CASCADE"))
    marketplace_id: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(10))  # "feed" or "patch"
    triggered_by: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=SubmissionStatus.PREPARING)
    feed_id: Mapped[str | None] = mapped_column(String(40), index=True)
    feed_document_id: Mapped[str | None] = mapped_column(String(200))
    result_document_id: Mapped[str | None] = mapped_column(String(200))
    amazon_request_id: Mapped[str | None] = mapped_column(String(80))
    messages: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checks: Mapped[int] = mapped_column(Integer, default=0)
    problem: Mapped[str | None] = mapped_column(Text)
    run_id: Mapped[int | None] = mapped_column(BigInteger)

    @property
    def open(self) -> bool:
        return self.status in SubmissionStatus.OPEN


class ItemStatus:
    SENT = "sent"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    UNKNOWN = "unknown"  # the submission failed as a whole or never finished


class SubmissionItem(db.Model):
    """What one submission carried for one listing, and what Amazon answered."""

    __tablename__ = "stock_submission_items"
    __table_args__ = (UniqueConstraint("submission_id", "message_id"),)

    id: Mapped[int] = mapped_column(BigIntegerKey, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("stock_submissions.id", ondelete="CASCADE"))
    listing_id: Mapped[int] = mapped_column(ForeignKey("stock_listings.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int] = mapped_column(Integer)
    seller_sku: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int | None] = mapped_column(Integer)
    price: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(10), default=ItemStatus.SENT)
    error_code: Mapped[str | None] = mapped_column(String(80))
    message: Mapped[str | None] = mapped_column(Text)
    issues: Mapped[list | None] = mapped_column(JSON)
    amazon_reference: Mapped[str | None] = mapped_column(String(80))  # patchListingsItem's submissionId


class SkuNotice(db.Model):
    """A SKU problem already logged once (no SKU, unknown to Amazon, unmapped, …): not logged again per webhook."""

    __tablename__ = "stock_sku_notices"
    __table_args__ = (UniqueConstraint("shop_id", "account_id", "marketplace_id", "kind", "sku"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(Integer, default=0)  # 0: about the cart, not one account
    marketplace_id: Mapped[str] = mapped_column(String(20), default="")
    kind: Mapped[str] = mapped_column(String(30))
    sku: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
