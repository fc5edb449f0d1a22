from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..dbtypes import UTCDateTime
from ..extensions import db
from ..security.crypto import EncryptedText
from ..shops.models import Shop

AUTHORIZATION_LIFETIME = timedelta(days=365)
RENEWAL_WINDOW = timedelta(days=30)


class TokenState:
    """What we last learned from Amazon about the stored refresh token (expiry is derived from dates)."""

    NONE = "none"
    VALID = "valid"
    INVALID = "invalid"  # Amazon answered invalid_grant: revoked, or never granted
    CHECKING = "checking"


class AmazonAccount(db.Model):
    __tablename__ = "amazon_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(100))
    region: Mapped[str] = mapped_column(String(2))
    marketplace_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    ship_from: Mapped[dict] = mapped_column(JSON, default=dict)
    sync_stock: Mapped[bool] = mapped_column(Boolean, default=True)
    sync_prices: Mapped[bool] = mapped_column(Boolean, default=True)
    import_orders: Mapped[bool] = mapped_column(Boolean, default=True)
    confirm_shipments: Mapped[bool] = mapped_column(Boolean, default=True)

    selling_partner_id: Mapped[str | None] = mapped_column(String(40))
    refresh_token: Mapped[str | None] = mapped_column(EncryptedText)
    authorization_method: Mapped[str | None] = mapped_column(String(20))  # "website" or "self"
    authorized_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    token_state: Mapped[str] = mapped_column(String(20), default=TokenState.NONE)
    token_state_detail: Mapped[str | None] = mapped_column(Text)
    participations: Mapped[list[dict]] = mapped_column(JSON, default=list)
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_check_ok: Mapped[bool | None] = mapped_column(Boolean)
    last_check_message: Mapped[str | None] = mapped_column(Text)
    last_check_request_id: Mapped[str | None] = mapped_column(String(80))

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    disconnected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    shop: Mapped[Shop] = relationship()


class AuthorizationAttempt(db.Model):
    """One press of Request / Renew Token: makes the OAuth state single-use and leaves a trace for support."""

    __tablename__ = "authorization_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    state_id: Mapped[str] = mapped_column(String(64), unique=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("amazon_accounts.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(20), default="pending")
    message: Mapped[str | None] = mapped_column(Text)


class TokenReminder(db.Model):
    """An expiry reminder; the unique key makes each one go out once whatever the number of consumers."""

    __tablename__ = "token_reminders"
    __table_args__ = (UniqueConstraint("account_id", "authorization_expires_at", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("amazon_accounts.id", ondelete="CASCADE"), index=True)
    authorization_expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sequence: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    channels: Mapped[dict] = mapped_column(JSON, default=dict)
