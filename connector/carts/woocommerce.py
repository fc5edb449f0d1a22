"""WooCommerce REST API v3: consumer key and secret as HTTP Basic over HTTPS, OAuth 1.0a (one-legged, in the
query) over plain HTTP, as WooCommerce requires."""
from __future__ import annotations

from typing import Any

from authlib.integrations.requests_client import OAuth1Auth
from requests.auth import HTTPBasicAuth

from .errors import CartNotConfigured
from .http import CartHTTP

API = "/wp-json/wc/v3"


class WooCommerceClient:
    def __init__(self, store_url: str, consumer_key: str, consumer_secret: str, **options: Any) -> None:
        if store_url.startswith("https://"):
            auth = HTTPBasicAuth(consumer_key, consumer_secret)
        else:
            auth = OAuth1Auth(consumer_key, consumer_secret, signature_type="QUERY")
        self.http = CartHTTP(store_url, auth=auth, **options)

    @classmethod
    def for_shop(cls, shop, **options: Any) -> WooCommerceClient:
        if not (shop.cart_api_url and shop.cart_api_key and shop.cart_api_secret):
            raise CartNotConfigured("enter the store URL, consumer key and consumer secret on the Settings page")
        return cls(shop.cart_api_url, shop.cart_api_key, shop.cart_api_secret, **options)

    def get(self, path: str, **params: Any) -> Any:
        return self.http.request("GET", API + path, params=params).json()

    def get_page(self, path: str, **params: Any) -> tuple[list, int]:
        """One page of a list endpoint and the total count WooCommerce reports in X-WP-Total."""
        response = self.http.request("GET", API + path, params=params)
        return response.json(), int(response.headers.get("X-WP-Total") or 0)

    def post(self, path: str, body: Any) -> Any:
        return self.http.request("POST", API + path, json=body).json()

    def put(self, path: str, body: Any) -> Any:
        return self.http.request("PUT", API + path, json=body).json()

    def check(self) -> str:
        _, total = self.get_page("/products", per_page=1)
        return f"Connected to WooCommerce at {self.http.base_url}: {total} products."
