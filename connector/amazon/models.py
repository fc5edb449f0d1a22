"""State shared by every process that talks to Amazon: rate-limit buckets and windows, cached access tokens."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..dbtypes import UTCDateTime
from ..extensions import db
from ..security.crypto import EncryptedText


class RateLimitBucket(db.Model):
    """A token bucket per selling partner and operation; tokens go negative while callers queue for slots."""

    __tablename__ = "rate_limit_buckets"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)  # time.time(): the one clock all processes share


class RateLimitWindow(db.Model):
    """A sliding-window limit per key ("5 submissions per 5 minutes"): the times of its latest grants, some of them
    possibly in the future while callers wait for their reserved slot."""

    __tablename__ = "rate_limit_windows"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    grants: Mapped[list[float]] = mapped_column(JSON, default=list)  # time.time() values, oldest first


class CachedAccessToken(db.Model):
    """The account's current LWA access token. The row is also the lock that makes one consumer refresh it;
    an empty row (no token yet) exists only to be locked."""

    __tablename__ = "cached_access_tokens"

    account_id: Mapped[int] = mapped_column(ForeignKey("amazon_accounts.id", ondelete="CASCADE"), primary_key=True)
    access_token: Mapped[str | None] = mapped_column(EncryptedText)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
