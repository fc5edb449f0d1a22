"""The webhook inbox: every delivery we received, verified or not, and what became of it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from ..dbtypes import BigIntegerKey, UTCDateTime
from ..extensions import db


class DeliveryStatus:
    RECEIVED = "received"  # verified and stored, waiting for a job
    PROCESSED = "processed"
    FAILED = "failed"  # processing failed; retried at next_attempt_at, or waiting for a person when that is empty
    IGNORED = "ignored"  # verified, but a topic we do not handle
    REJECTED = "rejected"  # signature missing or wrong, body malformed or too large: never processed
    DISCARDED = "discarded"  # a person decided it should not be processed

    PENDING = (RECEIVED, FAILED)


class WebhookDelivery(db.Model):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("shop_id", "dedupe_key"),
        Index("ix_webhook_deliveries_shop_status", "shop_id", "status", "id"),
        Index("ix_webhook_deliveries_shop_received", "shop_id", "received_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntegerKey, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    host_kind: Mapped[str] = mapped_column(String(20))
    topic: Mapped[str | None] = mapped_column(String(100))
    # Unique per shop: a second delivery with the same key is acknowledged and not processed again.
    dedupe_key: Mapped[str] = mapped_column(String(200))
    delivery_id: Mapped[str | None] = mapped_column(String(200), index=True)  # the host's own delivery ID
    event_id: Mapped[str | None] = mapped_column(String(200))  # Shopify's X-Shopify-Event-Id, for correlation
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the host says it sent or triggered it
    status: Mapped[str] = mapped_column(String(20))
    problem: Mapped[str | None] = mapped_column(Text)  # why it was rejected, or the last processing error
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)  # exactly the bytes that were signed; None if rejected
    body_sha256: Mapped[str | None] = mapped_column(String(64))
    body_size: Mapped[int] = mapped_column(Integer, default=0)
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    acted_by: Mapped[str | None] = mapped_column(String(120))  # who replayed or discarded it


class InboxKick(db.Model):
    """"A drain job is queued for this shop": set with the delivery, cleared when the job starts, so a burst of
    deliveries queues one job instead of thousands, and none is left waiting."""

    __tablename__ = "inbox_kicks"

    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
