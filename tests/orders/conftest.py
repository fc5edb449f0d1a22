"""Fixtures of the order tests: the simulator on a frozen clock that tests move, fake carts, a connected account."""
from __future__ import annotations

import pytest

from fakeorders import ShopifyWithOrders
from orderfixtures import amazon, woo_selling  # noqa: F401
from orderhelpers import connect_account, woo_shop


@pytest.fixture
def woo():
    yield from woo_selling("SKU-A", "SKU-B", "SKU-C")


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
