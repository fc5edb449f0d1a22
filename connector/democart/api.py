"""The demo store's REST API: the parts of WooCommerce REST API v3 the connector uses (products by SKU, orders
list, create, update), over plain HTTP with one-legged OAuth 1.0a checked like WooCommerce checks it."""
from __future__ import annotations

from datetime import datetime, timezone

from authlib.oauth1.rfc5849.signature import construct_base_string, hmac_sha1_signature, normalize_base_string_uri
from flask import Blueprint, Response, abort, g, jsonify, request

from ..clock import utcnow
from ..extensions import csrf
from ..shops.operations import find_shop
from .store import API_PATH, open_store

bp = Blueprint("demostore", __name__, url_prefix=f"/demo-cart/<shop_key>/store{API_PATH}")


def _error(status: int, code: str, message: str) -> Response:
    response = jsonify(code=code, message=message, data={"status": status})
    response.status_code = status
    return response


@bp.before_request
def authenticate() -> Response | None:
    if request.remote_addr not in ("127.0.0.1", "::1"):
        abort(404)
    shop = find_shop(request.view_args["shop_key"])
    if shop is None or not shop.cart_api_key:
        abort(404)
    given = request.args.get("oauth_signature", "")
    params = [(key, value) for key, value in request.args.items(multi=True) if key != "oauth_signature"]
    base = construct_base_string(request.method, normalize_base_string_uri(request.base_url), params)
    if request.args.get("oauth_consumer_key") != shop.cart_api_key or given != hmac_sha1_signature(
            base, shop.cart_api_secret, None):
        return _error(401, "woocommerce_rest_authentication_error", "Invalid signature - provided signature does "
                      "not match.")
    g.store_key = shop.shop_key
    return None


def _page(items: list, total: int) -> Response:
    per_page, page = int(request.args.get("per_page", 10)), int(request.args.get("page", 1))
    response = jsonify(items[(page - 1) * per_page: page * per_page])
    response.headers["X-WP-Total"] = str(total)
    return response


@bp.get("/products")
def products(shop_key: str) -> Response:
    wanted = set(request.args.get("sku", "").split(",")) - {""}
    with open_store(g.store_key) as store:
        found = [item for item in store["products"].values() if not wanted or item["sku"] in wanted]
    return _page(found, len(found))


def _gmt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).replace(tzinfo=timezone.utc) if value else None


@bp.get("/orders")
def orders(shop_key: str) -> Response:
    after, before = _gmt(request.args.get("after")), _gmt(request.args.get("before"))
    with open_store(g.store_key) as store:
        found = [order for order in store["orders"].values()
                 if (after is None or _gmt(order["date_created_gmt"]) > after)
                 and (before is None or _gmt(order["date_created_gmt"]) < before)]
    found.sort(key=lambda order: order["date_created_gmt"], reverse=request.args.get("order") != "asc")
    return _page(found, len(found))


@bp.post("/orders")
def create_order(shop_key: str) -> Response:
    body = request.get_json(silent=True) or {}
    with open_store(g.store_key, write=True) as store:
        for line in body.get("line_items") or []:
            if str(line.get("product_id")) not in store["products"]:
                return _error(400, "woocommerce_rest_invalid_product_id", "Invalid product ID.")
        number = store["next_order_id"]
        store["next_order_id"] += 1
        lines = iter(range(number * 10, number * 10 + 1000))
        order = {**{key: value for key, value in body.items() if key != "set_paid"}, "id": number,
                 "number": str(number), "date_created_gmt": utcnow().strftime("%Y-%m-%dT%H:%M:%S"),
                 "line_items": [{**line, "id": next(lines), "name": store["products"][str(line["product_id"])]["name"],
                                 "sku": store["products"][str(line["product_id"])]["sku"]}
                                for line in body.get("line_items") or []],
                 "fee_lines": [{**line, "id": next(lines)} for line in body.get("fee_lines") or []]}
        for line in order["line_items"]:
            stocked = store["products"][str(line["product_id"])]
            stocked["stock_quantity"] = stocked["stock_quantity"] - int(line["quantity"])
        store["orders"][str(number)] = order
    response = jsonify(order)
    response.status_code = 201
    return response


@bp.put("/orders/<int:order_id>")
def update_order(shop_key: str, order_id: int) -> Response:
    changes = request.get_json(silent=True) or {}
    with open_store(g.store_key, write=True) as store:
        order = store["orders"].get(str(order_id))
        if order is None:
            return _error(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
        order["meta_data"] = (order.get("meta_data") or []) + (changes.pop("meta_data", None) or [])
        order.update(changes)
    return jsonify(order)


def init_app(app) -> None:
    csrf.exempt(bp)
    app.register_blueprint(bp)
