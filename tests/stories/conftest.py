"""Fixtures of the story tests: histories built through the product (signed webhooks, pushes against the simulator,
orders imported into fake carts and shipped), reusing the stock and order tests' helpers."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(TESTS / "stock"), str(TESTS / "orders")]

from fakeorders import ShopifyWithOrders  # noqa: E402
from helpers import launch, make_shop  # noqa: E402
from hostwebhooks import generic  # noqa: E402
import orderhelpers  # noqa: E402
from orderfixtures import amazon, woo_selling  # noqa: E402,F401
import stockhelpers  # noqa: E402


@pytest.fixture
def stock_shop(app):
    return make_shop("Generic shop", "generic", "https://generic.example")


@pytest.fixture
def stock_account(app, sandbox, feeds, stock_shop):
    return stockhelpers.connect_account(sandbox, stock_shop)


@pytest.fixture
def send(app, stock_shop):
    client = app.test_client()

    def deliver(items, topic="product.updated"):
        response = generic(client, stock_shop, topic, items)
        assert response.status_code == 200, response.data
        return response

    return deliver


@pytest.fixture
def stock_admin(app, stock_shop):
    return launch(app.test_client(), stock_shop)


@pytest.fixture
def woo():
    yield from woo_selling("SKU-A", "SKU-B")


@pytest.fixture
def woo_account(app, amazon, woo):
    return orderhelpers.connect_account(orderhelpers.woo_shop(woo), amazon.state)


@pytest.fixture
def order_admin(app, woo_account):
    return launch(app.test_client(), woo_account.shop)


@pytest.fixture
def shopify_orders():
    server = ShopifyWithOrders()
    server.add_variant("SKU-A")
    yield server
    server.stop()
