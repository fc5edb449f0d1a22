"""What the stories need that no other area keeps: which webhook delivery told us what about which cart SKU. The
stock intake merges a batch of deliveries into one set of facts, so without this row nobody could say afterwards
which webhook changed a SKU. Rows go with their delivery when the log retention purges it."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from ..dbtypes import BigIntegerKey, UTCDateTime
from ..extensions import db
from ..orders.models import ImportedOrder
from ..stock.models import SkuNotice


class TouchKind:
    UPDATE = "update"  # quantity and/or price of one SKU
    DELETION = "deletion"  # the product (by SKU or product ID) was deleted in the cart
    PARENT_STOCK = "parent_stock"  # a WooCommerce variable product's stock, shared by its variations
    LEVEL = "level"  # a Shopify inventory level of one location


class SkuTouch(db.Model):
    """One fact one webhook delivery carried about a cart SKU (or the product / inventory item behind it)."""

    __tablename__ = "story_sku_touches"
    __table_args__ = (
        Index("ix_story_sku_touches_sku", "shop_id", "sku", "id"),
        Index("ix_story_sku_touches_product", "shop_id", "product_id", "id"),
        Index("ix_story_sku_touches_inventory_item", "shop_id", "inventory_item_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntegerKey, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    webhook_delivery_id: Mapped[int] = mapped_column(
        BigIntegerKey, ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    sku: Mapped[str | None] = mapped_column(String(200))
    product_id: Mapped[str | None] = mapped_column(String(40))
    inventory_item_id: Mapped[str | None] = mapped_column(String(40))
    location_id: Mapped[str | None] = mapped_column(String(40))
    quantity: Mapped[int | None] = mapped_column(Integer)
    in_stock: Mapped[bool | None] = mapped_column(Boolean)
    price: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    sale_price: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    currency: Mapped[str | None] = mapped_column(String(3))
    at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the cart's own time of the fact


# Story lookups on other areas' tables, declared here because only the stories need them (attached to those tables
# by their columns, so migrations and create_all see them): a SKU's notices, an order by the number the cart shows.
Index("ix_stock_sku_notices_shop_sku", SkuNotice.__table__.c.shop_id, SkuNotice.__table__.c.sku)
Index("ix_imported_orders_shop_cart_number", ImportedOrder.__table__.c.shop_id,
      ImportedOrder.__table__.c.cart_order_number)
