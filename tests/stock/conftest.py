"""Fixtures for stock and price sync: a shop of each cart kind with an Amazon account authorized in the simulator,
and the simulator processing feeds at once."""
from __future__ import annotations

import pytest

from stockhelpers import connect_account
from helpers import make_shop


@pytest.fixture
def woo_shop(app):
    return make_shop("Woo shop", "woocommerce")


@pytest.fixture
def shopify_shop(app):
    return make_shop("Shopify shop", "shopify", "https://admin.shopify.com")


@pytest.fixture
def generic_shop(app):
    return make_shop("Generic shop", "generic", "https://generic.example")


@pytest.fixture
def us_account(app, sandbox, woo_shop):
    """The demo seller's US marketplace, connected to the WooCommerce shop."""
    return connect_account(sandbox, woo_shop)
