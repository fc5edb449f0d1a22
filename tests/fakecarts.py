"""Small stand-ins for the carts' HTTP APIs, on real ports: they check credentials the way the real carts do,
keep what we create, and can be told to be down, slow or failing.

Extend them per feature: `FakeWooCommerce.app` and `FakeShopify.app` are Flask apps (add routes), and
`FakeShopify.resolvers` maps a GraphQL root field to a function(variables) -> data.
"""
from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from authlib.oauth1.rfc5849.signature import construct_base_string, hmac_sha1_signature, normalize_base_string_uri
from flask import Flask, Response, jsonify, request
from werkzeug.serving import make_server


@dataclass
class Misbehaviour:
    """What the fake does to the next requests: answer `status` (with Retry-After), or sleep `delay` first."""

    status: int | None = None
    count: int = 0
    retry_after: str | None = None
    delay: float = 0.0
    down: bool = False


class FakeServer:
    def __init__(self, name: str) -> None:
        self.app = Flask(name)
        self.requests: list[dict[str, Any]] = []
        self.misbehave = Misbehaviour()
        self.app.before_request(self._before)
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def _before(self) -> Response | None:
        self.requests.append({"method": request.method, "path": request.path, "args": request.args.to_dict(),
                              "json": request.get_json(silent=True), "headers": dict(request.headers)})
        trouble = self.misbehave
        if trouble.delay:
            time.sleep(trouble.delay)
        if trouble.down:
            return Response("Service Unavailable", 503)
        if trouble.status and trouble.count > 0:
            trouble.count -= 1
            response = jsonify(code="fake_failure", message=f"told to answer {trouble.status}")
            response.status_code = trouble.status
            if trouble.retry_after:
                response.headers["Retry-After"] = trouble.retry_after
            return response
        return self.authenticate()

    def authenticate(self) -> Response | None:
        return None

    def stop(self) -> None:
        self._server.shutdown()


class FakeWooCommerce(FakeServer):
    """WooCommerce REST API v3 over plain HTTP, so requests must carry a valid one-legged OAuth 1.0a signature."""

    def __init__(self, consumer_key: str = "ck_fake_0123456789", consumer_secret: str = "cs_fake_0123456789") -> None:
        self.consumer_key = consumer_key
        self.consumer_secret = consumer_secret
        self.products: dict[int, dict[str, Any]] = {}
        super().__init__("fake-woocommerce")
        self.app.add_url_rule("/wp-json/wc/v3/products", view_func=self._list_products)
        self.app.add_url_rule("/wp-json/wc/v3/products/<int:product_id>", view_func=self._get_product)

    def authenticate(self) -> Response | None:
        params = [(key, value) for key, value in request.args.items(multi=True) if key != "oauth_signature"]
        given = request.args.get("oauth_signature", "")
        if request.args.get("oauth_consumer_key") != self.consumer_key:
            return self._unauthorized("Consumer key is invalid.")
        base = construct_base_string(request.method, normalize_base_string_uri(request.base_url), params)
        if given != hmac_sha1_signature(base, self.consumer_secret, None):
            return self._unauthorized("Invalid signature - provided signature does not match.")
        return None

    @staticmethod
    def _unauthorized(message: str) -> Response:
        response = jsonify(code="woocommerce_rest_authentication_error", message=message, data={"status": 401})
        response.status_code = 401
        return response

    def add_product(self, sku: str, *, product_type: str = "simple", parent_id: int = 0, **fields: Any) -> int:
        product_id = 100 + len(self.products)
        self.products[product_id] = {"id": product_id, "sku": sku, "type": product_type, "parent_id": parent_id,
                                     "name": fields.pop("name", sku), **fields}
        return product_id

    def _list_products(self) -> Response:
        matching = [p for p in self.products.values() if not request.args.get("sku") or p["sku"] == request.args["sku"]]
        per_page, page = int(request.args.get("per_page", 10)), int(request.args.get("page", 1))
        response = jsonify(matching[(page - 1) * per_page: page * per_page])
        response.headers["X-WP-Total"] = str(len(matching))
        return response

    def _get_product(self, product_id: int) -> Response:
        if product_id not in self.products:
            response = jsonify(code="woocommerce_rest_product_invalid_id", message="Invalid ID.", data={"status": 404})
            response.status_code = 404
            return response
        return jsonify(self.products[product_id])


class FakeShopify(FakeServer):
    """The Admin GraphQL endpoint, checking the access token; resolvers answer root fields of queries/mutations."""

    def __init__(self, access_token: str = "shpat_fake_0123456789", api_version: str = "2025-07") -> None:
        self.access_token = access_token
        self.resolvers: dict[str, Callable[[dict[str, Any]], Any]] = {
            "shop": lambda variables: {"name": "Fake Shop", "myshopifyDomain": "fake-shop.myshopify.com"},
        }
        self.answer_with_errors: list[list[dict[str, Any]]] = []  # GraphQL "errors" for the next queries
        super().__init__("fake-shopify")
        self.app.add_url_rule(f"/admin/api/{api_version}/graphql.json", view_func=self._graphql, methods=["POST"])

    def authenticate(self) -> Response | None:
        if request.headers.get("X-Shopify-Access-Token") != self.access_token:
            response = jsonify(errors="[API] Invalid API key or access token (unrecognized login or wrong password)")
            response.status_code = 401
            return response
        return None

    def _graphql(self) -> Response:
        if self.answer_with_errors:
            return jsonify(errors=self.answer_with_errors.pop(0))
        body = request.get_json(force=True)
        query, variables = body.get("query", ""), body.get("variables") or {}
        data = {}
        for root in re.findall(r"(?:^|[{\s])(\w+)\s*(?:\(|\{)", _body_of(query)):
            if root not in self.resolvers:
                return jsonify(errors=[{"message": f"Field '{root}' doesn't exist on type 'QueryRoot'",
                                        "extensions": {"code": "undefinedField"}}])
            data[root] = self.resolvers[root](variables)
        return jsonify(data=data)


def _body_of(query: str) -> str:
    """The top-level selection of a GraphQL document: what is inside its outermost braces."""
    start = query.index("{") + 1
    depth, top = 1, []
    for char in query[start:]:
        depth += (char == "{") - (char == "}")
        if depth == 0:
            break
        top.append(char if depth == 1 else ("{" if char == "{" and depth == 2 else ""))
    return "".join(top)
