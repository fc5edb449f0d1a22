"""Talking to the shop's cart: its REST or GraphQL API (WooCommerce, Shopify) or signed events (generic)."""
