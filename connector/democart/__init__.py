"""A stand-in cart admin for the embedded demo: frames the connector the way WooCommerce or Shopify would.

Outside production only, and only for requests from this machine, because it mints launch links for any shop.
"""
