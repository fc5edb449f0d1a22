"""Amazon orders in the shop's cart, one adapter per host kind: find an order we may have created, create one,
cancel it, mark it shipped. Errors are the carts' CartError hierarchy, plus UnknownSkus."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ...carts.connection import cart_client
from ...shops.models import Shop
from ..models import ImportedOrder


@dataclass(frozen=True)
class CartOrder:
    id: str | None  # None for generic carts, which answer with a plain acknowledgement
    number: str | None = None  # what the shop owner sees, e.g. "#1002"
    lines: dict[str, str] = field(default_factory=dict)  # cart line id -> Amazon orderItemId


class UnknownSkus(Exception):
    """The cart has no product for these SKUs; the order waits until it has (or is imported with custom lines)."""

    def __init__(self, skus: list[str]) -> None:
        super().__init__(", ".join(skus))
        self.skus = skus


class OrderCart(Protocol):
    name: str
    can_look_up: bool  # whether find() can tell that an order is not in the cart

    def find(self, order: ImportedOrder) -> CartOrder | None: ...

    def create(self, order: ImportedOrder, custom_lines: bool) -> CartOrder: ...

    def cancel(self, order: ImportedOrder) -> None: ...

    def mark_shipped(self, order: ImportedOrder) -> None: ...


def order_cart(shop: Shop) -> OrderCart:
    """Raises CartNotConfigured when the shop has not entered its cart's API details yet."""
    from .generic import GenericOrders
    from .shopify import ShopifyOrders
    from .woocommerce import WooCommerceOrders

    adapters = {"woocommerce": WooCommerceOrders, "shopify": ShopifyOrders, "generic": GenericOrders}
    return adapters[shop.host_kind](cart_client(shop))
