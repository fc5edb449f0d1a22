"""Creating and listing shops: the operations behind `connector shops` and the demo."""
from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select

from ..extensions import db
from .models import HOST_KINDS, Shop


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
