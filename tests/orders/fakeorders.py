"""The order side of the fake carts (tests/fakecarts.py): WooCommerce's /orders endpoints and Shopify's orderCreate,
orders, orderCancel, tagsAdd and productVariants, built on the facts of ../shared/reference/host-carts.md 1.7, 2.6.
They keep what the connector creates so tests can count it, and can run a callback between storing an order and
answering (to kill the connector's process right there)."""
from __future__ import annotations

import itertools
import re
import threading
from datetime import datetime, timezone
from typing import Any, Callable

from flask import Response, jsonify, request

from fakecarts import FakeShopify, FakeWooCommerce


def _gmt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).replace(tzinfo=timezone.utc) if value else None


def _error(status: int, code: str, message: str) -> Response:
    response = jsonify(code=code, message=message, data={"status": status})
    response.status_code = status
    return response


class WooCommerceWithOrders(FakeWooCommerce):
    """Orders as WooCommerce's REST API v3 keeps them; products may be looked up by several comma-separated SKUs."""

    def __init__(self, **credentials: str) -> None:
        self.orders: dict[int, dict[str, Any]] = {}
        self.after_create: Callable[[dict], None] | None = None
        self._ids = itertools.count(700)
        self._lock = threading.Lock()
        super().__init__(**credentials)
        self.app.add_url_rule("/wp-json/wc/v3/orders", view_func=self._list_orders)
        self.app.add_url_rule("/wp-json/wc/v3/orders", endpoint="create_order", view_func=self._create_order,
                              methods=["POST"])
        self.app.add_url_rule("/wp-json/wc/v3/orders/<int:order_id>", view_func=self._update_order, methods=["PUT"])

    def _list_products(self) -> Response:
        wanted = set(request.args.get("sku", "").split(",")) - {""}
        matching = [p for p in self.products.values() if not wanted or p["sku"] in wanted]
        response = jsonify(matching[:int(request.args.get("per_page", 10))])
        response.headers["X-WP-Total"] = str(len(matching))
        return response

    def _create_order(self) -> Response:
        body = request.get_json(force=True)
        for line in body.get("line_items") or []:
            if not (line.get("product_id") or line.get("variation_id")):
                return _error(400, "woocommerce_rest_required_product_reference", "Product ID or SKU is required.")
            if line.get("product_id") not in self.products:
                return _error(400, "woocommerce_rest_invalid_product_id", "Invalid product ID.")
        with self._lock:
            order_id = next(self._ids)
            lines = itertools.count(order_id * 10)
            order = {**body, "id": order_id, "number": str(order_id),
                     "date_created_gmt": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"),
                     "line_items": [{**line, "id": next(lines)} for line in body.get("line_items") or []],
                     "fee_lines": [{**line, "id": next(lines)} for line in body.get("fee_lines") or []]}
            order.pop("set_paid", None)
            self.orders[order_id] = order
        if self.after_create:
            self.after_create(order)
        response = jsonify(order)
        response.status_code = 201
        return response

    def _list_orders(self) -> Response:
        after, before = _gmt(request.args.get("after")), _gmt(request.args.get("before"))
        found = [order for order in sorted(self.orders.values(), key=lambda o: o["date_created_gmt"])
                 if (after is None or _gmt(order["date_created_gmt"]) > after)
                 and (before is None or _gmt(order["date_created_gmt"]) < before)]
        per_page, page = int(request.args.get("per_page", 10)), int(request.args.get("page", 1))
        response = jsonify(found[(page - 1) * per_page: page * per_page])
        response.headers["X-WP-Total"] = str(len(found))
        return response

    def _update_order(self, order_id: int) -> Response:
        if order_id not in self.orders:
            return _error(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
        changes = request.get_json(force=True)
        order = self.orders[order_id]
        order["meta_data"] = (order.get("meta_data") or []) + (changes.pop("meta_data", None) or [])
        order.update(changes)
        return jsonify(order)

    def amazon_orders(self, amazon_order_id: str) -> list[dict]:
        return [order for order in self.orders.values()
                if any(meta["key"] == "amazon_order_id" and meta["value"] == amazon_order_id
                       for meta in order.get("meta_data") or [])]


class ShopifyWithOrders(FakeShopify):
    """orderCreate and friends of the Admin GraphQL API, answering like Shopify's payloads do."""

    def __init__(self, **options: str) -> None:
        super().__init__(**options)
        self.variants: dict[str, str] = {}  # SKU -> variant GID
        self.orders: dict[str, dict[str, Any]] = {}
        self.create_calls: list[dict] = []
        self.after_create: Callable[[dict], None] | None = None
        self._ids = itertools.count(450789469)
        self.resolvers.update(productVariants=self._variants, orderCreate=self._create, orders=self._orders,
                              orderCancel=self._cancel, tagsAdd=self._tags_add)

    def add_variant(self, sku: str) -> str:
        gid = f"gid://shopify/ProductVariant/{49148385 + len(self.variants)}"
        self.variants[sku] = gid
        return gid

    def _variants(self, variables: dict) -> dict:
        wanted = set(re.findall(r"sku:'((?:[^'\\]|\\.)*)'", variables.get("query", "")))
        return {"nodes": [{"id": gid, "sku": sku} for sku, gid in self.variants.items() if sku in wanted]}

    def _create(self, variables: dict) -> dict:
        self.create_calls.append(variables)
        order_input = variables["order"]
        errors = [{"field": ["order", "lineItems", str(index), "variantId"], "message": "Variant not found",
                   "code": "PRODUCT_NOT_FOUND"}
                  for index, line in enumerate(order_input["lineItems"])
                  if "variantId" in line and line["variantId"] not in self.variants.values()]
        if errors:
            return {"order": None, "userErrors": errors}
        number = next(self._ids)
        order = {"id": f"gid://shopify/Order/{number}", "name": f"#{1000 + len(self.orders) + 1}",
                 "sourceIdentifier": order_input.get("sourceIdentifier"), "tags": list(order_input.get("tags") or []),
                 "input": order_input, "options": variables.get("options"), "cancelled": False,
                 "lineItems": {"nodes": [{"id": f"gid://shopify/LineItem/{number * 10 + index}", "sku": line.get("sku"),
                                          "quantity": line["quantity"]}
                                         for index, line in enumerate(order_input["lineItems"])]}}
        self.orders[order["id"]] = order
        if self.after_create:
            self.after_create(order)
        return {"order": order, "userErrors": []}

    def _orders(self, variables: dict) -> dict:
        tags = set(re.findall(r"tag:'([^']*)'", variables.get("query", "")))
        return {"nodes": [order for order in self.orders.values() if tags & set(order["tags"])]}

    def _cancel(self, variables: dict) -> dict:
        order = self.orders.get(variables["orderId"])
        if order is None:
            return {"job": None, "orderCancelUserErrors": [{"field": ["orderId"], "message": "Order not found",
                                                            "code": "NOT_FOUND"}]}
        order["cancelled"] = True
        return {"job": {"id": "gid://shopify/Job/1"}, "orderCancelUserErrors": []}

    def _tags_add(self, variables: dict) -> dict:
        self.orders[variables["id"]]["tags"] += variables["tags"]
        return {"node": {"id": variables["id"]}, "userErrors": []}
