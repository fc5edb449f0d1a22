"""Shopify Admin GraphQL API: the Admin API access token in X-Shopify-Access-Token; GraphQL errors, user errors
and THROTTLED answers mapped to the CartError hierarchy."""
from __future__ import annotations

from typing import Any

from .errors import CartNotConfigured, CartRejected, CartUnavailable
from .http import CartHTTP

DEFAULT_API_VERSION = "2025-07"


class ShopifyClient:
    def __init__(self, shop_url: str, access_token: str, api_version: str = DEFAULT_API_VERSION,
                 **options: Any) -> None:
        self.path = f"/admin/api/{api_version}/graphql.json"
        self.http = CartHTTP(shop_url, headers={"X-Shopify-Access-Token": access_token,
                                                "Content-Type": "application/json"}, **options)

    @classmethod
    def for_shop(cls, shop, **options: Any) -> ShopifyClient:
        if not (shop.cart_api_url and shop.cart_api_secret):
            raise CartNotConfigured("enter the shop URL and the Admin API access token on the Settings page")
        return cls(shop.cart_api_url, shop.cart_api_secret, shop.cart_api_version or DEFAULT_API_VERSION, **options)

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The query's `data`; raises when Shopify reports errors (THROTTLED is retryable)."""
        body = self.http.request("POST", self.path, json={"query": query, "variables": variables or {}}).json()
        errors = body.get("errors") or []
        if errors:
            codes = {str((error.get("extensions") or {}).get("code")) for error in errors if isinstance(error, dict)}
            message = "; ".join(str(error.get("message", error)) if isinstance(error, dict) else str(error)
                                for error in errors)
            if "THROTTLED" in codes:
                raise CartUnavailable(message, code="THROTTLED", body=body)
            raise CartRejected(message, code=",".join(sorted(codes)), body=body)
        return body.get("data") or {}

    def check(self) -> str:
        shop = self.graphql("query { shop { name myshopifyDomain } }")["shop"]
        return f"Connected to Shopify shop {shop['name']} ({shop['myshopifyDomain']})."
