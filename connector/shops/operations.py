"""Creating and listing shops: the operations behind `connector shops` and the demo."""
from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select

from ..extensions import db
from ..synclog.operations import record
from ..webhooks.receivers import forget as forget_receiver
from .models import HOST_KINDS, Shop, new_webhook_secret


class ShopInvalid(ValueError):
    pass


def normalise_origin(origin: str) -> str:
    parts = urlsplit(origin.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/") or parts.query:
        raise ShopInvalid(f"{origin!r} is not an origin like https://shop.example.com")
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


def create_shop(
    name: str,
    host_kind: str,
    admin_origins: list[str],
    *,
    contact_email: str | None = None,
    notification_url: str | None = None,
    host_client_id: str | None = None,
    shop_domain: str | None = None,
    webhook_secret: str | None = None,
) -> Shop:
    if host_kind not in HOST_KINDS:
        raise ShopInvalid(f"host must be one of {', '.join(HOST_KINDS)}")
    if not name.strip():
        raise ShopInvalid("name must not be empty")
    shop = Shop(
        name=name.strip(),
        host_kind=host_kind,
        admin_origins=" ".join(normalise_origin(origin) for origin in admin_origins),
        contact_email=contact_email,
        notification_url=notification_url,
        host_client_id=host_client_id,
        shop_domain=shop_domain,
    )
    if webhook_secret:
        shop.webhook_secret = webhook_secret
    db.session.add(shop)
    db.session.commit()
    return shop


def find_shop(key_or_id: str) -> Shop | None:
    if key_or_id.isdigit():
        return db.session.get(Shop, int(key_or_id))
    return db.session.scalar(select(Shop).filter_by(shop_key=key_or_id))


def all_shops() -> list[Shop]:
    return list(db.session.scalars(select(Shop).order_by(Shop.id)))


def update_settings(shop: Shop, *, contact_email: str | None, notification_url: str | None, timezone: str) -> None:
    shop.contact_email = contact_email or None
    shop.notification_url = notification_url or None
    shop.timezone = timezone or "UTC"
    db.session.commit()
    record("info", "settings", "Shop settings changed.", shop_id=shop.id)


def update_cart_connection(shop: Shop, *, url: str | None, key: str | None, secret: str | None,
                           api_version: str | None) -> None:
    """Save the cart API details; an empty key or secret keeps the stored one (they are never shown again)."""
    shop.cart_api_url = (url or "").rstrip("/") or None
    if key:
        shop.cart_api_key = key.strip()
    if secret:
        shop.cart_api_secret = secret.strip()
    shop.cart_api_version = api_version or None
    shop.cart_checked_at = shop.cart_check_ok = shop.cart_check_message = None
    db.session.commit()
    record("info", "settings", "Cart connection details changed.", shop_id=shop.id)


def rotate_webhook_secret(shop: Shop, actor: str) -> str:
    """A new secret for the cart to sign webhooks with (WooCommerce, generic); returned once, to be shown once."""
    shop.webhook_secret = new_webhook_secret()
    db.session.commit()
    forget_receiver(shop.shop_key)
    record("warning", "settings", f"Webhook secret replaced by {actor}: update it in your cart, deliveries signed "
           "with the old one are refused from now on.", shop_id=shop.id)
    return shop.webhook_secret


def set_shopify_client_secret(shop: Shop, secret: str, actor: str) -> None:
    shop.webhook_secret = secret.strip()
    db.session.commit()
    forget_receiver(shop.shop_key)
    record("info", "settings", f"Shopify app client secret changed by {actor}.", shop_id=shop.id)
