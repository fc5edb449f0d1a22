from __future__ import annotations

import base64
import os
import secrets
import string
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from ..dbtypes import UTCDateTime
from ..extensions import db
from ..security.crypto import EncryptedText

HOST_KINDS = ("woocommerce", "shopify", "generic")


KEY_ALPHABET = string.ascii_letters + string.digits


def new_shop_key() -> str:
    # Letters and digits only: a key starting with "-" would read as an option on the command line.
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(16))


def new_webhook_secret() -> str:
    # Standard Webhooks form: "whsec_" + base64 of the key bytes; WooCommerce and Shopify use the whole string.
    return "whsec_" + base64.b64encode(os.urandom(32)).decode()


class Shop(db.Model):
    __tablename__ = "shops"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_key: Mapped[str] = mapped_column(String(32), unique=True, default=new_shop_key)
    name: Mapped[str] = mapped_column(String(200))
    host_kind: Mapped[str] = mapped_column(String(20))
    # Space-separated origins of the cart admin allowed to frame our pages.
    admin_origins: Mapped[str] = mapped_column(Text, default="")
    # The secret the host signs webhooks with (for Shopify, the app's client secret, which also signs session tokens).
    webhook_secret: Mapped[str] = mapped_column(EncryptedText, default=new_webhook_secret)
    # Shopify: the app's client ID (session token audience) and the shop's myshopify domain (token issuer).
    host_client_id: Mapped[str | None] = mapped_column(String(200))
    shop_domain: Mapped[str | None] = mapped_column(String(255))
    contact_email: Mapped[str | None] = mapped_column(String(255))
    notification_url: Mapped[str | None] = mapped_column(String(500))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # The cart's API: WooCommerce store URL, consumer key and secret; Shopify shop URL and Admin API access token
    # (in cart_api_secret). Generic carts receive our events at notification_url instead.
    cart_api_url: Mapped[str | None] = mapped_column(String(500))
    cart_api_key: Mapped[str | None] = mapped_column(EncryptedText)
    cart_api_secret: Mapped[str | None] = mapped_column(EncryptedText)
    cart_api_version: Mapped[str | None] = mapped_column(String(20))
    cart_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cart_check_ok: Mapped[bool | None] = mapped_column(Boolean)
    cart_check_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def frame_ancestors(self) -> list[str]:
        return self.admin_origins.split()


class UsedLaunchToken(db.Model):
    """Launch tokens and session-token IDs already turned into a session: each works once."""

    __tablename__ = "used_launch_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
