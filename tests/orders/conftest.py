"""Fixtures of the order tests: the simulator on a frozen clock that tests move, fake carts, a connected account."""
from __future__ import annotations

import pytest

from fakeorders import ShopifyWithOrders, WooCommerceWithOrders
from orderhelpers import Amazon, connect_account, woo_shop


@pytest.fixture
def amazon(sandbox) -> Amazon:
    sandbox.state.set_clock_speed(0)
    return Amazon(sandbox.state)


@pytest.fixture
def woo():
    server = WooCommerceWithOrders()
    for sku in ("SKU-A", "SKU-B", "SKU-C"):
        server.add_product(sku)
    yield server
    server.stop()


@pytest.fixture
def shopify():
    server = ShopifyWithOrders()
    for sku in ("SKU-A", "SKU-B", "SKU-C"):
        server.add_variant(sku)
    yield server
    server.stop()


@pytest.fixture
def woo_account(app, amazon, woo):
    return connect_account(woo_shop(woo), amazon.state)
