from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from ..dbtypes import BigIntegerKey, UTCDateTime
from ..extensions import db


class LogEntry(db.Model):
    __tablename__ = "log_entries"
    __table_args__ = (
        Index("ix_log_entries_shop_time", "shop_id", "created_at", "id"),
        Index("ix_log_entries_account_time", "account_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntegerKey, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    level: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(40))
    shop_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    # Kept after an account is deleted: support still needs its history.
    account_id: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text)
    amazon_request_id: Mapped[str | None] = mapped_column(String(80), index=True)
    http_status: Mapped[int | None] = mapped_column(Integer)
    error_code: Mapped[str | None] = mapped_column(String(80))
    sku: Mapped[str | None] = mapped_column(String(100), index=True)
    amazon_order_id: Mapped[str | None] = mapped_column(String(40), index=True)
    cart_order_id: Mapped[str | None] = mapped_column(String(40))
    feed_id: Mapped[str | None] = mapped_column(String(40))
    webhook_delivery_id: Mapped[str | None] = mapped_column(String(100))
