"""The shop's cart client by host kind, and the "Test cart connection" check."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..clock import utcnow
from ..extensions import db
from ..shops.models import Shop
from ..synclog.operations import record
from .errors import CartError
from .generic import GenericCartClient
from .shopify import ShopifyClient
from .woocommerce import WooCommerceClient

CLIENTS = {"woocommerce": WooCommerceClient, "shopify": ShopifyClient, "generic": GenericCartClient}


def cart_client(shop: Shop, **options: Any) -> WooCommerceClient | ShopifyClient | GenericCartClient:
    """Raises CartNotConfigured when the shop has not entered its cart's API details yet."""
    return CLIENTS[shop.host_kind].for_shop(shop, **options)


@dataclass(frozen=True)
class CartCheck:
    ok: bool
    message: str


def check_cart_connection(shop: Shop) -> CartCheck:
    try:
        result = CartCheck(True, cart_client(shop).check())
    except CartError as error:
        result = CartCheck(False, str(error))
    shop.cart_checked_at = utcnow()
    shop.cart_check_ok = result.ok
    shop.cart_check_message = result.message
    db.session.commit()
    record("info" if result.ok else "error", "cart_connection", f"Test cart connection: {result.message}",
           shop_id=shop.id)
    return result
