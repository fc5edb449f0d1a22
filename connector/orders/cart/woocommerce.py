"""Amazon orders in WooCommerce (REST API v3): POST /orders, paid and processing, with the Amazon order ID in
meta data. WooCommerce cannot filter orders by meta data, so finding an order we may have created scans the orders
the cart created around our last attempt (a bounded window) for that meta value."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from ...carts.woocommerce import WooCommerceClient
from ...clock import utcnow
from ..amazon_orders import AmazonItem, AmazonOrder
from ..models import ImportedOrder
from . import CartOrder, UnknownSkus
from .payload import Address, amount, line_total, marketplace_label

ORDER_ID_META = "amazon_order_id"
MARKETPLACE_META = "amazon_marketplace"
LINE_META = "_amazon_order_item_id"  # underscore: WooCommerce hides it from the buyer's documents
LOOKUP_MARGIN = timedelta(hours=1)  # covers clock differences between the cart and us
LOOKUP_PAGE_SIZE = 100
LOOKUP_MAX_PAGES = 20


def meta_value(resource: dict, key: str) -> Any:
    return next((entry.get("value") for entry in resource.get("meta_data") or [] if entry.get("key") == key), None)


class WooCommerceOrders:
    name = "WooCommerce"
    can_look_up = True

    def __init__(self, client: WooCommerceClient) -> None:
        self.client = client
        self._products: dict[str, dict] = {}  # SKU -> product, for the orders of one job run

    def find(self, order: ImportedOrder) -> CartOrder | None:
        around = order.last_attempt_at or utcnow()
        window = {"after": (around - LOOKUP_MARGIN).strftime("%Y-%m-%dT%H:%M:%S"),
                  "before": (around + LOOKUP_MARGIN).strftime("%Y-%m-%dT%H:%M:%S"), "dates_are_gmt": "true",
                  "orderby": "date", "order": "asc", "per_page": LOOKUP_PAGE_SIZE}
        for page in range(1, LOOKUP_MAX_PAGES + 1):
            found, _ = self.client.get_page("/orders", page=page, **window)
            for candidate in found:
                if meta_value(candidate, ORDER_ID_META) == order.amazon_order_id:
                    return _cart_order(candidate)
            if len(found) < LOOKUP_PAGE_SIZE:
                return None
        return None

    def create(self, order: ImportedOrder, custom_lines: bool) -> CartOrder:
        amazon = AmazonOrder.from_json(order.snapshot)
        products = self._products_for([item.sku for item in amazon.items if item.sku])
        unknown = [item.sku or item.title for item in amazon.items if (item.sku or "") not in products]
        if unknown and not custom_lines:
            raise UnknownSkus(unknown)
        body = _order_body(amazon, products)
        return _cart_order(self.client.post("/orders", body))

    def cancel(self, order: ImportedOrder) -> None:
        self.client.put(f"/orders/{order.cart_order_id}", {"status": "cancelled"})

    def mark_shipped(self, order: ImportedOrder) -> None:
        self.client.put(f"/orders/{order.cart_order_id}", {
            "status": "completed", "meta_data": [{"key": "amazon_shipped_outside_cart", "value": "yes"}]})

    def _products_for(self, skus: list[str]) -> dict[str, dict]:
        """The cart's product (or variation) for each SKU; one request for all SKUs it has not seen yet."""
        missing = sorted({sku for sku in skus if sku not in self._products})
        plain = [sku for sku in missing if "," not in sku]
        queries = ([",".join(plain)] if plain else []) + [sku for sku in missing if "," in sku]
        for query in queries:
            found, _ = self.client.get_page("/products", sku=query, per_page=100)
            for product in found:
                self._products.setdefault(product.get("sku") or "", product)
        return {sku: self._products[sku] for sku in skus if sku in self._products}


def _line(item: AmazonItem, product: dict) -> dict:
    line: dict[str, Any] = {"quantity": item.quantity, "subtotal": amount(line_total(item)),
                            "total": amount(line_total(item)),
                            "meta_data": [{"key": LINE_META, "value": item.order_item_id}]}
    if product.get("type") == "variation" and product.get("parent_id"):
        line.update(product_id=product["parent_id"], variation_id=product["id"])
    else:
        line["product_id"] = product["id"]
    return line


def _custom_line(item: AmazonItem) -> dict:
    """WooCommerce line items need a product; an item the cart does not know becomes a fee line."""
    return {"name": f"{item.title} (Amazon SKU {item.sku or '-'}) x {item.quantity}", "total": amount(line_total(item)),
            "tax_status": "none", "meta_data": [{"key": LINE_META, "value": item.order_item_id}]}


def _address(amazon: AmazonOrder, with_contact: bool) -> dict:
    address = Address.of(amazon)
    body = {"first_name": address.first_name, "last_name": address.last_name, "company": address.company,
            "address_1": address.line1, "address_2": address.line2, "city": address.city, "state": address.region,
            "postcode": address.postal_code, "country": address.country}
    if with_contact:
        body.update(email=amazon.buyer_email or "", phone=address.phone)
    return body


def _order_body(amazon: AmazonOrder, products: dict[str, dict]) -> dict:
    known = [item for item in amazon.items if (item.sku or "") in products]
    unknown = [item for item in amazon.items if (item.sku or "") not in products]
    return {
        "status": "processing", "set_paid": True, "currency": amazon.currency or "",
        "payment_method": "amazon", "payment_method_title": marketplace_label(amazon.marketplace_id),
        "transaction_id": amazon.order_id,
        "billing": _address(amazon, with_contact=True), "shipping": _address(amazon, with_contact=False),
        "line_items": [_line(item, products[item.sku]) for item in known],
        "fee_lines": [_custom_line(item) for item in unknown],
        "shipping_lines": [{"method_id": "amazon", "method_title": f"{marketplace_label(amazon.marketplace_id)} "
                            "shipping", "total": amount(amazon.shipping_price)}],
        "meta_data": [{"key": ORDER_ID_META, "value": amazon.order_id},
                      {"key": MARKETPLACE_META, "value": amazon.marketplace_id}],
    }


def _cart_order(resource: dict) -> CartOrder:
    lines = {str(line["id"]): str(meta_value(line, LINE_META))
             for kind in ("line_items", "fee_lines") for line in resource.get(kind) or []
             if meta_value(line, LINE_META) is not None}
    return CartOrder(str(resource["id"]), str(resource.get("number") or resource["id"]), lines)
